import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from briefings.models import PreviewLink, Section
from briefings.publishing.previews import create_preview_link, preview_token, revoke_preview_link
from briefings.publishing.review import ReviewError
from tests.factories import make_briefing, make_user, publish

XSS = "<script>alert(1)</script>"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reviewer(db):
    return make_user(username="rhea", group="Reviewers")


def previews_url(briefing):
    return reverse("admin:briefings_briefing_previews", args=[briefing.pk])


def assert_private(response):
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.django_db
def test_a_reviewer_shares_the_working_copy_with_a_reader_without_an_account(client, reviewer):
    briefing = make_briefing(title=f"A draft question {XSS}")
    publish(briefing)
    # An unpublished edit: the preview shows it, the public page does not.
    Section.objects.filter(briefing=briefing, position=0).update(
        body="A newer, unpublished summary [1]. It has a second claim [2]."
    )
    admin = logged_in(reviewer)
    response = admin.post(previews_url(briefing), {"action": "create", "label": f"legal {XSS}", "days": 3})
    assert response.status_code == 302
    link = PreviewLink.objects.get()
    assert link.created_by == reviewer
    assert timedelta(days=2, hours=23) < link.expires_at - link.created_at <= timedelta(days=3)

    listing = admin.get(previews_url(briefing))
    page = listing.content.decode()
    assert "legal &lt;script&gt;" in page and f"legal {XSS}" not in page
    preview_url = re.search(r'value="(http://testserver/preview/[^"]+/)"', page).group(1)

    response = client.get(preview_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not published." in html
    assert "A newer, unpublished summary" in html
    assert '<meta name="robots" content="noindex' in html
    assert "A draft question &lt;script&gt;" in html and XSS not in html
    assert_private(response)
    assert "A newer, unpublished summary" not in client.get(briefing.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_revoked_link_stops_working_at_once(client, reviewer):
    briefing = make_briefing()
    link, token = create_preview_link(briefing=briefing, user=reviewer, label="source")
    preview = reverse("briefings:preview", args=[token])
    assert client.get(preview).status_code == 200

    response = logged_in(reviewer).post(previews_url(briefing), {"action": "revoke", "link": link.pk})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == reviewer

    response = client.get(preview)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert_private(response)
    assert "Revoked" in logged_in(reviewer).get(previews_url(briefing)).content.decode()


@pytest.mark.django_db
def test_an_expired_link_is_gone_with_a_friendly_message(client, reviewer):
    link, token = create_preview_link(briefing=make_briefing(), user=reviewer, days=1)
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("briefings:preview", args=[token]))
    assert response.status_code == 410
    assert "has expired" in response.content.decode()


@pytest.mark.django_db
def test_a_tampered_or_made_up_token_is_not_found(client, reviewer):
    link, token = create_preview_link(briefing=make_briefing(), user=reviewer)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (tampered, "not-a-token", token.replace(":", "", 1)):
        response = client.get(reverse("briefings:preview", args=[bad]))
        assert response.status_code == 404
        assert "not valid" in response.content.decode()
        assert_private(response)


@pytest.mark.django_db
def test_a_token_names_its_own_briefing(client, reviewer):
    first = make_briefing()
    link, _ = create_preview_link(briefing=first, user=reviewer)
    second = make_briefing(title="Another question")
    # Re-point the row at another briefing: the signed pair no longer matches.
    token = preview_token(link)
    PreviewLink.objects.filter(pk=link.pk).update(briefing=second)
    assert client.get(reverse("briefings:preview", args=[token])).status_code == 410


@pytest.mark.django_db
def test_lifetimes_outside_the_allowed_range_are_refused(reviewer, settings):
    settings.ASSAY_PREVIEW_LINK_MAX_DAYS = 10
    briefing = make_briefing()
    with pytest.raises(ReviewError, match="1 to 10 days"):
        create_preview_link(briefing=briefing, user=reviewer, days=11)
    response = logged_in(reviewer).post(previews_url(briefing), {"action": "create", "days": 11})
    assert response.status_code == 200
    assert not PreviewLink.objects.exists()


@pytest.mark.django_db
def test_only_reviewers_create_or_revoke_links(reviewer):
    editor = make_user(group="Editors")
    briefing = make_briefing()
    with pytest.raises(ReviewError):
        create_preview_link(briefing=briefing, user=editor)
    link, token = create_preview_link(briefing=briefing, user=reviewer)
    with pytest.raises(ReviewError):
        revoke_preview_link(link=link, user=editor)
    assert (
        logged_in(editor).post(previews_url(briefing), {"action": "revoke", "link": link.pk}).status_code
        == 403
    )
    link.refresh_from_db()
    assert link.revoked_at is None


@pytest.mark.django_db
def test_a_link_of_another_briefing_cannot_be_revoked_through_this_one(reviewer):
    mine, theirs = make_briefing(), make_briefing()
    link, _ = create_preview_link(briefing=theirs, user=reviewer)
    response = logged_in(reviewer).post(previews_url(mine), {"action": "revoke", "link": link.pk})
    assert response.status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


@pytest.mark.django_db
def test_the_preview_is_not_in_the_public_pages(client, reviewer):
    briefing = make_briefing()
    publish(briefing)
    link, _ = create_preview_link(briefing=briefing, user=reviewer)
    token = preview_token(link)
    pages = {
        reverse("briefings:briefing-list"): f'href="{briefing.get_absolute_url()}"',
        briefing.get_absolute_url(): "The sample summary is cited",
    }
    for page, published_text in pages.items():
        response = client.get(page)
        assert response.status_code == 200
        content = response.content.decode()
        assert published_text in content
        assert "/preview/" not in content
        assert token not in content
