"""The admin's history, compare, revert and recover pages for briefings."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from briefings.models import Briefing, RevisionContents, Section
from sources.models import Reference
from tests.briefings.history_helpers import latest_revision_id, revise, revision_ids, section, set_body
from tests.factories import make_briefing, make_source, make_user, publish

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def history_url(briefing, **params):
    url = reverse("admin:briefings_briefing_history", args=[briefing.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def number(key):
    """A revision as History names it (#N), from its reversion id; other keys as they are."""
    if isinstance(key, int):
        return RevisionContents.objects.get(revision_id=key).number
    return key


def compare_url(briefing, old, new, **params):
    old, new = number(old), number(new)
    query = "&".join(f"{k}={v}" for k, v in {"from": old, "to": new, **params}.items())
    return reverse("admin:briefings_briefing_compare", args=[briefing.pk]) + "?" + query


def revert_url(briefing, revision_id):
    return reverse("admin:briefings_briefing_revert", args=[briefing.pk, number(revision_id)])


@pytest.fixture
def history():
    """A published briefing with three revisions after the first, and a section deleted."""
    briefing = make_briefing(
        sections=[
            ("Executive summary", "The summary is cited [1]."),
            ("Arden: the lender", "Arden lends money [1] [2].", ["Arden"]),
            ("Brill: the builder", "Brill builds dams [2].", ["Brill"]),
        ]
    )
    publish(briefing)
    revise(briefing, set_body(1, "Arden lends more money [1] [2]."), comment="Sharper §1")
    revise(briefing, lambda b: section(b, 2).delete(), comment="Drop Brill")
    return briefing


def user_kinds():
    return {
        "anonymous": None,
        "editor": make_user(group="Editors"),
        "reviewer": make_user(group="Reviewers"),
        "superuser": make_user(superuser=True),
    }


# Expected status per page and user kind; anonymous is always sent to the login page.
READ = {"editor": 200, "reviewer": 200, "superuser": 200}
REVERT = {"editor": 403, "reviewer": 200, "superuser": 200}


def test_permissions_per_user_kind_on_every_page(history):
    briefing = history
    first, *_, last = revision_ids(briefing)
    deleted_section = Version.objects.get_deleted(Section).get()
    pages = {
        history_url(briefing): READ,
        compare_url(briefing, "live", "working"): READ,
        compare_url(briefing, first, last, view="side"): READ,
        revert_url(briefing, first): REVERT,
        reverse("admin:briefings_briefing_recover_sections", args=[briefing.pk]): REVERT,
        reverse("admin:briefings_briefing_recoverlist"): REVERT,
        # django-reversion's revision page now leads to the diff-first revert page.
        reverse(
            "admin:briefings_briefing_revision",
            args=[briefing.pk, Version.objects.get_for_object(briefing).first().pk],
        ): {"editor": 403, "reviewer": 200, "superuser": 200},
    }
    for kind, user in user_kinds().items():
        client = client_for(user)
        for url, expected in pages.items():
            response = client.get(url, follow=kind != "anonymous" and "/history/" in url and "?" not in url)
            if kind == "anonymous":
                assert response.status_code == 302, url
                assert response["Location"].startswith(reverse("admin:login")), url
            else:
                assert response.status_code == expected[kind], (kind, url)
        # Restoring is a POST that changes data: only reviewers and superusers may.
        response = client.post(revert_url(briefing, first))
        if kind == "anonymous":
            assert response.status_code == 302 and reverse("admin:login") in response["Location"]
        elif kind == "editor":
            assert response.status_code == 403
        response = client.post(
            reverse("admin:briefings_briefing_recover_sections", args=[briefing.pk]),
            {"version": deleted_section.pk},
        )
        if kind in ("anonymous", "editor"):
            assert response.status_code in (302, 403)
            assert Section.objects.filter(briefing=briefing).count() == 2


def test_history_lists_every_revision_with_who_when_and_what_changed(history, admin_client):
    response = admin_client.get(history_url(history))
    content = response.content.decode()
    assert response.status_code == 200
    assert "3 revisions" in content
    assert "§1 body" in content
    assert "−§2" in content
    assert "Drop Brill" in content and "Sharper §1" in content
    assert "(published as v1)" in content


def test_history_is_paginated_and_its_query_count_does_not_grow_with_history(
    admin_client, django_assert_num_queries
):
    small = make_briefing()
    large = make_briefing()
    for n in range(60):
        revise(large, set_body(1, f"Arden lends money, revision {n} [1] [2]."), comment=f"Edit {n}")
    admin_client.get(history_url(small))  # warm the content-type cache and session

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    small_queries, _ = count(history_url(small))
    large_queries, response = count(history_url(large))
    assert small_queries == large_queries
    with django_assert_num_queries(large_queries):
        admin_client.get(history_url(large, p=2))
    assert response.content.decode().count('name="to"') == 50
    page_two = admin_client.get(history_url(large, p=2)).content.decode()
    assert page_two.count('name="to"') == 11
    assert "created" in page_two
    assert admin_client.get(history_url(large, p=9)).status_code == 404


def test_a_briefing_without_revisions_has_an_empty_history(admin_client):
    briefing = Briefing.objects.create(title="Made outside the admin", slug="made-outside")
    response = admin_client.get(history_url(briefing))
    assert response.status_code == 200
    assert "no recorded revisions" in response.content.decode()
    assert admin_client.get(compare_url(briefing, "working", "working")).status_code == 200


def test_compare_working_copy_with_live_in_one_click_from_the_change_page(history, admin_client):
    change = admin_client.get(reverse("admin:briefings_briefing_change", args=[history.pk]))
    assert change.status_code == 200
    link = compare_url(history, "live", "working").replace("&", "&amp;")
    assert link in change.content.decode()
    response = admin_client.get(compare_url(history, "live", "working"))
    content = response.content.decode()
    assert "<ins> more</ins>" in content
    assert "section removed" in content
    assert "<details" in content  # the unchanged summary is collapsed
    assert "Live publication (v1)" in content


def test_compare_inline_and_side_by_side(history, admin_client):
    first, *_, last = revision_ids(history)
    inline = admin_client.get(compare_url(history, first, last)).content.decode()
    side = admin_client.get(compare_url(history, first, last, view="side")).content.decode()
    assert 'class="diff-side"' not in inline
    assert 'class="diff-side"' in side
    assert "Revision #1" in side and "Revision #3" in side


def test_compare_shows_citations_re_pointed_and_reference_changes(admin_client):
    briefing = make_briefing()
    before = latest_revision_id(briefing)
    replacement = make_source("A different source")

    seventh = make_source("Seventh source")

    def change(b):
        ref = Reference.objects.get(briefing=b, number=2)
        ref.source = replacement
        ref.save()
        Reference.objects.create(briefing=b, number=7, source=seventh)
        set_body(0, "The sample summary is cited [7]. It has a second claim [2].")(b)

    after = revise(briefing, change)
    content = admin_client.get(compare_url(briefing, before, after)).content.decode()
    assert "Citation re-pointed" in content
    assert "now points to a different source" in content
    assert "A different source" in content
    assert "(source changed)" in content


def test_compare_refuses_revisions_of_another_briefing_and_bad_parameters(history, admin_client):
    other = make_briefing()
    beyond = len(revision_ids(history)) + len(revision_ids(other)) + 1
    assert admin_client.get(compare_url(history, str(beyond), "working")).status_code == 404
    assert admin_client.get(compare_url(history, "yesterday", "working")).status_code == 404
    assert admin_client.get(compare_url(other, "live", "working")).status_code == 200  # all added


def test_restoring_shows_the_diff_first_then_writes_a_new_revision(history):
    reviewer = client_for(make_user(group="Reviewers"))
    first = revision_ids(history)[0]
    response = reviewer.get(revert_url(history, first))
    content = response.content.decode()
    assert "section added" in content  # Brill comes back
    assert "<del> more</del>" in content
    assert Section.objects.filter(briefing=history).count() == 2  # nothing changed yet

    response = reviewer.post(revert_url(history, first))
    assert response.status_code == 302
    headings = list(Section.objects.filter(briefing=history).values_list("heading", "body"))
    assert headings[1] == ("Arden: the lender", "Arden lends money [1] [2].")
    assert headings[2][0] == "Brill: the builder"
    assert list(section(history, 2).partners.values_list("name", flat=True)) == ["Brill"]
    ids = revision_ids(history)
    assert len(ids) == 4 and ids[0] == first  # history only grows
    history.refresh_from_db()
    assert history.status == Briefing.Status.DRAFT
    latest = Version.objects.get_for_object(history).first().revision
    assert latest.comment.startswith("Restored Revision #1")


def test_a_revision_that_no_longer_fits_the_models_shows_but_cannot_be_restored(history, admin_client):
    first = revision_ids(history)[0]
    version = Version.objects.get(
        revision_id=first,
        content_type=ContentType.objects.get_for_model(Section),
        object_id=str(section(history, 1).pk),
    )
    data = json.loads(version.serialized_data)
    data[0]["fields"]["tone"] = "measured"
    del data[0]["fields"]["body"]
    version.serialized_data = json.dumps(data)
    version.save()

    assert "stored under an older schema" in admin_client.get(history_url(history)).content.decode()
    compare = admin_client.get(compare_url(history, first, "working"))
    assert compare.status_code == 200 and "tone" in compare.content.decode()
    page = admin_client.get(revert_url(history, first)).content.decode()
    assert "cannot be restored" in page
    before = list(Section.objects.filter(briefing=history).values_list("pk", "body"))
    admin_client.post(revert_url(history, first))
    assert list(Section.objects.filter(briefing=history).values_list("pk", "body")) == before
    assert len(revision_ids(history)) == 3


def deleted_section_id(briefing, heading):
    """The id a deleted section had, from the revision that last held it."""
    for contents in RevisionContents.objects.filter(briefing_id=briefing.pk).order_by("-number"):
        for section_id, _ in contents.sections:
            if not Section.objects.filter(pk=section_id).exists():
                return section_id
    raise AssertionError(f"no deleted section {heading!r}")


def test_a_deleted_section_can_be_recovered_as_a_new_revision(history):
    reviewer = client_for(make_user(group="Reviewers"))
    url = reverse("admin:briefings_briefing_recover_sections", args=[history.pk])
    page = reviewer.get(url).content.decode()
    assert "Brill: the builder" in page
    section_id = deleted_section_id(history, "Brill: the builder")
    response = reviewer.post(url, {"section": section_id})
    assert response.status_code == 302
    recovered = Section.objects.get(briefing=history, heading="Brill: the builder")
    assert recovered.pk == section_id  # its history follows it
    assert recovered.position == 2
    assert len(revision_ids(history)) == 4
    assert reviewer.post(url, {"section": section_id}).status_code == 404  # no longer deleted


def test_a_deleted_briefing_can_be_recovered_by_a_reviewer():
    briefing = make_briefing(title="A briefing to delete")
    pk = briefing.pk
    briefing.delete()
    reviewer = client_for(make_user(group="Reviewers"))
    listing = reviewer.get(reverse("admin:briefings_briefing_recoverlist")).content.decode()
    assert "A briefing to delete" in listing
    version = Version.objects.get_deleted(Briefing).get()
    url = reverse("admin:briefings_briefing_recover", args=[version.pk])
    assert client_for(make_user(group="Editors")).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302
    form = reviewer.get(url)
    assert form.status_code == 200
    assert "Recover this briefing" in form.content.decode()
    assert not Briefing.objects.filter(pk=pk).exists()  # showing the page recovers nothing
    response = reviewer.post(url, follow=True)
    assert "Recovered “A briefing to delete”" in response.content.decode()
    recovered = Briefing.objects.get(pk=pk)
    assert recovered.sections.count() == 2
    assert recovered.references.count() == 2
    assert len(revision_ids(recovered)) == 2
    # Recovering again is refused with a message, not a server error.
    assert reviewer.post(url).status_code == 404


def test_recovering_a_briefing_whose_address_is_taken_says_so_and_restores_nothing():
    briefing = make_briefing(title="A briefing to delete", slug="taken-later")
    briefing.delete()
    make_briefing(title="Its successor", slug="taken-later")
    reviewer = client_for(make_user(group="Reviewers"))
    version = Version.objects.get_deleted(Briefing).get()
    response = reviewer.post(reverse("admin:briefings_briefing_recover", args=[version.pk]), follow=True)
    page = response.content.decode()
    assert "Could not recover" in page and "/briefings/taken-later/" in page
    assert "Recovered" not in page
    assert Briefing.objects.filter(slug="taken-later").get().title == "Its successor"


def test_what_an_editor_typed_is_escaped_in_history_compare_and_revision_views(admin_client):
    briefing = make_briefing()
    first = latest_revision_id(briefing)
    nasty_source = make_source(SCRIPT)

    def change(b):
        s = section(b, 1)
        s.heading = f"Arden {SCRIPT}"
        s.body = f"Arden lends {SCRIPT} money [1] [3]."
        s.save()
        Reference.objects.create(briefing=b, number=3, source=nasty_source)

    second = revise(briefing, change, comment=f"Comment {SCRIPT}")
    pages = [
        history_url(briefing),
        compare_url(briefing, first, second),
        compare_url(briefing, first, second, view="side"),
        compare_url(briefing, second, "working"),
        revert_url(briefing, first),
        revert_url(briefing, second),
    ]
    for url in pages:
        content = admin_client.get(url).content.decode()
        assert "<script>alert" not in content, url
    compare = admin_client.get(compare_url(briefing, first, second)).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in compare
    assert "&lt;script&gt;" in admin_client.get(history_url(briefing)).content.decode()


def test_reviewers_see_restore_and_deleted_sections_links_and_editors_do_not(history):
    first, *_, last = revision_ids(history)
    recover = reverse("admin:briefings_briefing_recover_sections", args=[history.pk])
    for kind, sees in (("Reviewers", True), ("Editors", False)):
        client = client_for(make_user(group=kind))
        page = client.get(history_url(history)).content.decode()
        assert ("Restore…" in page) is sees, kind
        assert (f'href="{recover}"' in page) is sees, kind
        compare = client.get(compare_url(history, last, first)).content.decode()
        assert (f'href="{revert_url(history, first)}"' in compare) is sees, kind
        assert "Compare" in compare


def test_restoring_and_recovering_a_section_are_recorded_as_edits_in_the_review_history(history):
    from briefings.models import ReviewEvent

    user = make_user(group="Reviewers")
    reviewer = client_for(user)
    Briefing.objects.filter(pk=history.pk).update(status=Briefing.Status.IN_REVIEW)
    before = ReviewEvent.objects.filter(briefing=history).count()
    assert reviewer.post(revert_url(history, revision_ids(history)[0])).status_code == 302
    event = ReviewEvent.objects.filter(briefing=history).first()
    assert ReviewEvent.objects.filter(briefing=history).count() == before + 1
    assert (event.kind, event.user, event.message) == (ReviewEvent.Kind.EDITED, user, "Was awaiting review.")
    assert event.revision_id == revision_ids(history)[-1]
    assert Briefing.objects.get(pk=history.pk).status == Briefing.Status.DRAFT

    revise(history, lambda b: section(b, 2).delete(), comment="Drop Brill again")
    Briefing.objects.filter(pk=history.pk).update(status=Briefing.Status.CHANGES_REQUESTED)
    url = reverse("admin:briefings_briefing_recover_sections", args=[history.pk])
    assert reviewer.post(url, {"section": deleted_section_id(history, "Brill")}).status_code == 302
    latest = ReviewEvent.objects.filter(briefing=history).first()
    assert (latest.kind, latest.message) == (ReviewEvent.Kind.EDITED, "Was changes requested.")
    assert Briefing.objects.get(pk=history.pk).status == Briefing.Status.DRAFT
