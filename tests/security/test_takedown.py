"""Point 7 of issue 9: a publication withdrawn for legal reasons answers 410, recorded, never deleted."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from briefings.models import Claim, Publication, PublishedSection, Withdrawal
from briefings.publishing.takedown import TakedownError, withdraw_publication
from tests.factories import make_briefing, make_user, publish
from tests.sitemap_helpers import sitemap_urls

pytestmark = pytest.mark.django_db

NOTICE = "Withdrawn following a court order of 3 March 2026."


@pytest.fixture
def briefing():
    briefing = make_briefing(sections=[("Executive summary", "Arden lends [1].")])
    publish(briefing, note="First.")
    section = briefing.sections.get()
    section.body = "Arden lends a defamatory amount [1]."
    section.save()
    publish(briefing, note="Second, with the passage at issue.")
    return briefing


@pytest.fixture
def reviewer():
    return make_user(username="rhea", group="Reviewers")


def withdraw(briefing, number, user, notice=NOTICE):
    return withdraw_publication(
        publication=briefing.publications.get(number=number), user=user, notice=notice, reason="Case 12/2026"
    )


def test_a_withdrawn_permalink_json_and_compare_answer_410_with_the_notice(client, briefing, reviewer):
    withdraw(briefing, 2, reviewer)
    for url in (
        f"/briefings/{briefing.slug}/v2/",
        f"/briefings/{briefing.slug}/compare/v1...v2/",
        f"/briefings/{briefing.slug}/compare/v2...v1/",
    ):
        response = client.get(url)
        assert response.status_code == 410, url
        text = response.content.decode()
        assert NOTICE in text
        assert "defamatory" not in text
        assert "Read the current version (1)" in text
    response = client.get(f"/briefings/{briefing.slug}/v2.json")
    assert response.status_code == 410
    assert response.json()["withdrawn"]["notice"] == NOTICE
    assert "defamatory" not in response.content.decode()


def test_the_briefing_page_goes_back_to_the_version_before_and_the_change_log_says_why(
    client, briefing, reviewer
):
    withdraw(briefing, 2, reviewer)
    response = client.get(briefing.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "defamatory" not in html
    assert "Arden lends" in html
    assert "<strong>Withdrawn</strong>" in html and NOTICE in html
    assert "Second, with the passage at issue." not in html  # the withdrawn version's note is not shown
    assert f'href="/briefings/{briefing.slug}/v2/"' not in html
    assert "compare/v1...v2" not in html
    # The permalink of version 1 shows the same change log.
    assert NOTICE in client.get(f"/briefings/{briefing.slug}/v1/").content.decode()
    assert client.get(f"/briefings/{briefing.slug}.json").json()["publication"]["number"] == 1


def test_no_public_page_shows_the_withdrawn_text(client, briefing, reviewer):
    withdraw(briefing, 2, reviewer)
    urls = [
        "/",
        "/briefings/",
        "/claims/?text=amount",
        "/search/?q=amount",
        "/sources/",
        f"/sources/{briefing.references.get().source_id}/",
        "/feeds/publications.atom",
        f"/briefings/{briefing.slug}/feed.atom",
        "/sitemap.xml",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "defamatory" not in text, url
        assert "passage at issue" not in text, url
    listed = sitemap_urls(client)
    assert f"http://testserver/briefings/{briefing.slug}/v1/" in listed
    assert f"http://testserver/briefings/{briefing.slug}/v2/" not in listed
    # Derived rows come from version 1 again.
    assert set(PublishedSection.objects.values_list("publication__number", flat=True)) == {1}
    assert not Claim.objects.filter(text__contains="defamatory").exists()


def test_withdrawing_every_version_makes_the_briefing_page_410(client, briefing, reviewer):
    withdraw(briefing, 2, reviewer)
    withdraw(briefing, 1, reviewer, notice="All withdrawn.")
    response = client.get(briefing.get_absolute_url())
    assert response.status_code == 410
    assert "All withdrawn." in response.content.decode() and NOTICE in response.content.decode()
    assert client.get(f"/briefings/{briefing.slug}.json").status_code == 410
    assert not PublishedSection.objects.exists()
    assert briefing.slug not in client.get("/").content.decode()


def test_it_is_recorded_and_never_deleted(briefing, reviewer):
    withdrawal = withdraw(briefing, 2, reviewer)
    withdrawal.refresh_from_db()
    assert withdrawal.withdrawn_by == reviewer
    assert withdrawal.withdrawn_at is not None
    assert withdrawal.reason == "Case 12/2026"
    publication = Publication.objects.get(briefing=briefing, number=2)
    assert "defamatory" in publication.rendered_html  # kept, for the record
    with pytest.raises(ProtectedError):
        publication.delete()
    with pytest.raises(TakedownError, match="already withdrawn"):
        withdraw(briefing, 2, reviewer)


def test_editors_and_empty_notices_are_refused(briefing):
    with pytest.raises(TakedownError, match="Only reviewers"):
        withdraw(briefing, 2, make_user(group="Editors"))
    with pytest.raises(TakedownError, match="public notice is required"):
        withdraw(briefing, 2, make_user(group="Reviewers"), notice="  ")
    assert not Withdrawal.objects.exists()


def test_publishing_again_after_a_withdrawal_is_version_3(client, briefing, reviewer):
    withdraw(briefing, 2, reviewer)
    section = briefing.sections.get()
    section.body = "Arden lends [1]."
    section.save()
    publish(briefing, note="Corrected.", kind=Publication.Kind.CORRECTION)
    html = client.get(briefing.get_absolute_url()).content.decode()
    assert "Version 3" in html and NOTICE in html


def test_the_command_withdraws_and_records_the_user(client, briefing, reviewer):
    out = StringIO()
    call_command(
        "withdraw_publication",
        briefing.slug,
        "2",
        "--notice",
        NOTICE,
        "--reason",
        "Order 7",
        "--user",
        "rhea",
        stdout=out,
    )
    assert "Withdrew version 2" in out.getvalue()
    assert Withdrawal.objects.get().withdrawn_by == reviewer
    with pytest.raises(CommandError, match="Only reviewers"):
        call_command(
            "withdraw_publication",
            briefing.slug,
            "1",
            "--notice",
            NOTICE,
            "--user",
            make_user(group="Editors").username,
        )


def test_the_admin_withdraws_with_a_form_and_editors_get_403(briefing, reviewer):
    publication = briefing.publications.get(number=2)
    url = reverse("admin:briefings_publication_withdraw", args=[publication.pk])
    editor = Client()
    editor.force_login(make_user(group="Editors"))
    assert editor.get(url).status_code == 403
    assert editor.post(url, {"notice": NOTICE, "confirm": "on"}).status_code == 403
    client = Client()
    client.force_login(reviewer)
    assert client.get(url).status_code == 200
    response = client.post(url, {"notice": NOTICE, "reason": "Order 7"})  # not confirmed
    assert response.status_code == 200 and not Withdrawal.objects.exists()
    response = client.post(url, {"notice": NOTICE, "reason": "Order 7", "confirm": "on"})
    assert response.status_code == 302
    assert Withdrawal.objects.get().withdrawn_by == reviewer
    change = client.get(reverse("admin:briefings_publication_change", args=[publication.pk]))
    assert NOTICE in change.content.decode()


def test_the_admin_action_leads_to_the_form(briefing, reviewer):
    client = Client()
    client.force_login(reviewer)
    publication = briefing.publications.get(number=2)
    response = client.post(
        reverse("admin:briefings_publication_changelist"),
        {"action": "withdraw_selected", "_selected_action": [publication.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:briefings_publication_withdraw", args=[publication.pk])
