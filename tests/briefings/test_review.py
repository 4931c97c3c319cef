import pytest
import reversion
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefings.models import Briefing, PreviewLink, Publication, ReviewEvent
from briefings.publishing.publish import publish_briefing as approve_and_publish
from briefings.publishing.review import ReviewError, request_changes, submit_for_review
from tests.briefings.admin_forms import approval, change_form_data
from tests.factories import make_briefing, make_user, publish

XSS = "<script>alert('x')</script>"
XSS_ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def url(name, *args):
    return reverse(f"admin:briefings_briefing_{name}", args=args)


@pytest.fixture
def people(db):
    return {
        "editor": make_user(username="edith", group="Editors"),
        "reviewer": make_user(username="rhea", group="Reviewers"),
        "other_reviewer": make_user(username="ravi", group="Reviewers"),
        "superuser": make_user(username="sam", superuser=True),
    }


# Permissions, per user kind, on every URL this adds.

GETS = ["review_queue", "submit", "review", "previews"]
# (url name, needs an object, allowed for editors)
ALLOWED = {
    "review_queue": {"editor": False, "reviewer": True, "superuser": True},
    "submit": {"editor": True, "reviewer": True, "superuser": True},
    "review": {"editor": False, "reviewer": True, "superuser": True},
    "previews": {"editor": False, "reviewer": True, "superuser": True},
}


def view_url(name, briefing):
    return url(name) if name == "review_queue" else url(name, briefing.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("name", GETS)
def test_anonymous_users_are_sent_to_log_in(client, name):
    briefing = make_briefing()
    for method in (client.get, client.post):
        response = method(view_url(name, briefing))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
    assert not ReviewEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", GETS)
@pytest.mark.parametrize("kind", ["editor", "reviewer", "superuser"])
def test_each_page_opens_only_for_the_people_it_is_for(people, name, kind):
    briefing = make_briefing()
    response = logged_in(people[kind]).get(view_url(name, briefing))
    assert response.status_code == (200 if ALLOWED[name][kind] else 403)


@pytest.mark.django_db
def test_a_staff_user_outside_both_groups_cannot_submit(people):
    briefing = make_briefing()
    outsider = make_user(username="olga")
    outsider.is_staff = True
    outsider.save()
    client = logged_in(outsider)
    assert client.post(url("submit", briefing.pk), {"message": "please"}).status_code == 403
    assert Briefing.objects.get(pk=briefing.pk).status == Briefing.Status.DRAFT


@pytest.mark.django_db
def test_editors_cannot_approve_request_changes_or_manage_previews_by_posting(people):
    briefing = make_briefing()
    submit_for_review(briefing=briefing, user=people["editor"], message="Ready")
    editor = logged_in(people["editor"])
    post = {**approval(briefing), "action": "approve", "kind": "first", "note": "First.", "edit_version": 0}
    assert editor.post(url("review", briefing.pk), post).status_code == 403
    changes = {"action": "request_changes", "comment": "No."}
    assert editor.post(url("review", briefing.pk), changes).status_code == 403
    assert editor.post(url("previews", briefing.pk), {"action": "create", "days": 3}).status_code == 403
    assert not Publication.objects.exists()
    assert not PreviewLink.objects.exists()
    assert Briefing.objects.get(pk=briefing.pk).status == Briefing.Status.IN_REVIEW


@pytest.mark.django_db
def test_the_operations_refuse_people_without_the_right(people):
    briefing = make_briefing()
    submit_for_review(briefing=briefing, user=people["editor"], message="Ready")
    with pytest.raises(ReviewError):
        request_changes(briefing=briefing, user=people["editor"], comment="No")
    with pytest.raises(ReviewError):
        approve_and_publish(briefing=briefing, user=people["editor"], note="First")
    assert Briefing.objects.get(pk=briefing.pk).status == Briefing.Status.IN_REVIEW


# The whole review, through the admin.


@pytest.mark.django_db
def test_submit_send_back_edit_resubmit_approve(people):
    briefing = make_briefing(user=people["editor"])
    editor, reviewer = logged_in(people["editor"]), logged_in(people["reviewer"])

    response = editor.post(url("submit", briefing.pk), {"message": f"Please check §1 {XSS}"})
    assert response.status_code == 302
    assert Briefing.objects.get(pk=briefing.pk).status == Briefing.Status.IN_REVIEW

    queue = reviewer.get(url("review_queue")).content.decode()
    assert "Sample question: how do partners shape Estmark" in queue
    assert "edith" in queue
    assert XSS_ESCAPED in queue and XSS not in queue
    assert "Awaiting review (1)" in reviewer.get(url("changelist")).content.decode()

    page = reviewer.get(url("review", briefing.pk)).content.decode()
    assert XSS_ESCAPED in page and XSS not in page
    response = reviewer.post(
        url("review", briefing.pk), {"action": "request_changes", "comment": f"Source [2] is weak {XSS}"}
    )
    assert response.status_code == 302
    assert Briefing.objects.get(pk=briefing.pk).status == Briefing.Status.CHANGES_REQUESTED

    # The editor sees the comment on the briefing, escaped.
    change = editor.get(url("change", briefing.pk)).content.decode()
    assert "Changes requested by rhea" in change
    assert f"Source [2] is weak {XSS_ESCAPED}" in change
    assert XSS not in change

    data = change_form_data(editor, briefing)
    data["sections-1-body"] = "Arden lends money [1]."
    assert editor.post(url("change", briefing.pk), data).status_code == 302
    assert Briefing.objects.get(pk=briefing.pk).status == Briefing.Status.DRAFT

    assert editor.post(url("submit", briefing.pk), {"message": "Fixed"}).status_code == 302
    version = Briefing.objects.get(pk=briefing.pk).edit_version
    response = reviewer.post(
        url("review", briefing.pk),
        {
            **approval(briefing),
            "action": "approve",
            "kind": "first",
            "note": "First publication.",
            "edit_version": version,
        },
    )
    assert response.status_code == 302
    publication = Publication.objects.get(briefing=briefing)
    assert publication.kind == Publication.Kind.FIRST
    assert publication.published_by == people["reviewer"]
    assert Briefing.objects.get(pk=briefing.pk).status == Briefing.Status.PUBLISHED

    steps = list(ReviewEvent.objects.filter(briefing=briefing).order_by("created_at", "pk"))
    assert [(e.kind, e.user.username) for e in steps] == [
        ("submitted", "edith"),
        ("changes_requested", "rhea"),
        ("edited", "edith"),
        ("submitted", "edith"),
        ("approved", "rhea"),
    ]
    assert steps[-1].publication == publication
    assert all(e.created_at for e in steps)
    assert steps[0].revision is not None

    # The editor's change page lists the steps, with the messages escaped.
    change = editor.get(url("change", briefing.pk)).content.decode()
    assert "Approved and published by rhea" in change
    assert XSS not in change


@pytest.mark.django_db
def test_a_later_publication_is_an_update_or_a_correction_with_a_note(people):
    briefing = make_briefing()
    publish(briefing, user=people["reviewer"])
    Briefing.objects.filter(pk=briefing.pk).update(title="A sharper title", status=Briefing.Status.IN_REVIEW)
    reviewer = logged_in(people["other_reviewer"])
    version = Briefing.objects.get(pk=briefing.pk).edit_version

    response = reviewer.post(
        url("review", briefing.pk),
        {**approval(briefing), "action": "approve", "kind": "first", "note": "x", "edit_version": version},
    )
    assert response.status_code == 200
    response = reviewer.post(
        url("review", briefing.pk),
        {
            **approval(briefing),
            "action": "approve",
            "kind": "correction",
            "note": "",
            "edit_version": version,
        },
    )
    assert response.status_code == 200
    assert briefing.publications.count() == 1

    response = reviewer.post(
        url("review", briefing.pk),
        {
            **approval(briefing),
            "action": "approve",
            "kind": "correction",
            "note": "Fixed a date.",
            "edit_version": version,
        },
    )
    assert response.status_code == 302
    assert briefing.publications.latest().kind == Publication.Kind.CORRECTION


@pytest.mark.django_db
def test_the_review_page_links_to_a_compare_page_that_opens_before_and_after_publishing(people):
    briefing = make_briefing()
    reviewer = logged_in(people["reviewer"])
    for published in (False, True):
        page = reviewer.get(url("review", briefing.pk))
        links = [
            a for a in page.content.decode().split('href="')[1:] if a.startswith(url("compare", briefing.pk))
        ]
        assert len(links) == 1, published
        link = links[0].split('"')[0].replace("&amp;", "&")
        compare = reviewer.get(link)
        assert compare.status_code == 200, (published, link)
        assert compare.context["new"].key == "working"
        # Before the first publication "live" is nothing, so the whole draft reads as added.
        assert compare.context["old"].key == "live"
        publish(briefing)


@pytest.mark.django_db
def test_approval_is_refused_when_the_working_copy_changed_since_the_reviewer_looked(people):
    briefing = make_briefing()
    submit_for_review(briefing=briefing, user=people["editor"], message="Ready")
    seen = Briefing.objects.get(pk=briefing.pk).edit_version
    Briefing.objects.filter(pk=briefing.pk).update(edit_version=seen + 1)

    response = logged_in(people["reviewer"]).post(
        url("review", briefing.pk),
        {**approval(briefing), "action": "approve", "kind": "first", "note": "First.", "edit_version": seen},
    )
    assert response.status_code == 200
    assert "was edited after you opened it" in response.content.decode()
    assert not Publication.objects.exists()


@pytest.mark.django_db
def test_nothing_to_approve_once_published_and_nothing_to_submit_while_in_review(people):
    briefing = make_briefing()
    publish(briefing)
    with pytest.raises(ReviewError, match="no changes since"):
        approve_and_publish(briefing=briefing, user=people["reviewer"], note="Again")
    Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.IN_REVIEW)
    with pytest.raises(ReviewError, match="already in review"):
        submit_for_review(briefing=briefing, user=people["editor"], message="Again")
    with pytest.raises(ReviewError, match="required"):
        request_changes(briefing=briefing, user=people["reviewer"], comment="  ")


# Self-approval.


@pytest.mark.django_db
def test_a_reviewer_may_not_approve_their_own_revision_when_the_setting_is_on(people, settings):
    briefing = make_briefing(user=people["reviewer"])
    submit_for_review(briefing=briefing, user=people["reviewer"], message="Mine")
    version = Briefing.objects.get(pk=briefing.pk).edit_version
    post = {
        **approval(briefing),
        "action": "approve",
        "kind": "first",
        "note": "First.",
        "edit_version": version,
    }

    own = logged_in(people["reviewer"])
    page = own.get(url("review", briefing.pk)).content.decode()
    assert "another reviewer must approve it" in page
    response = own.post(url("review", briefing.pk), post)
    assert response.status_code == 200
    assert not Publication.objects.exists()

    assert logged_in(people["other_reviewer"]).post(url("review", briefing.pk), post).status_code == 302
    assert Publication.objects.get().published_by == people["other_reviewer"]


@pytest.mark.django_db
def test_self_approval_is_refused_by_default_for_superusers_too_unless_allowed(people, settings):
    briefing = make_briefing(user=people["superuser"])
    submit_for_review(briefing=briefing, user=people["editor"], message="Ready")
    with pytest.raises(ReviewError, match="another reviewer"):
        approve_and_publish(briefing=briefing, user=people["superuser"], note="First.")
    settings.ASSAY_ALLOW_SELF_APPROVAL = True
    assert approve_and_publish(briefing=briefing, user=people["superuser"], note="First.").number == 1


@pytest.mark.django_db
def test_a_reviewer_cannot_publish_a_draft_nobody_submitted_unless_the_operator_allows_it(people, settings):
    briefing = make_briefing(user=people["editor"])
    with pytest.raises(ReviewError, match="has not been submitted for review"):
        approve_and_publish(briefing=briefing, user=people["reviewer"], note="First.")
    page = logged_in(people["reviewer"]).get(url("review", briefing.pk)).content.decode()
    assert "has not been submitted for review" in page
    assert not Publication.objects.exists()
    settings.ASSAY_ALLOW_UNSUBMITTED_PUBLISH = True
    assert approve_and_publish(briefing=briefing, user=people["reviewer"], note="First.").number == 1


@pytest.mark.django_db
def test_approval_is_refused_when_a_named_source_changed_after_the_review_page_was_opened(people):
    from sources.models import Source

    briefing = make_briefing(user=people["editor"])
    submit_for_review(briefing=briefing, user=people["editor"], message="Ready")
    reviewer = logged_in(people["reviewer"])
    form = reviewer.get(url("review", briefing.pk)).context["publish_form"]
    seen = {name: form[name].value() for name in ("edit_version", "shared", "opened_at")}
    source = Source.objects.get(references__briefing=briefing, references__number=1)
    source.title = "A corrected title, changed while the reviewer read"
    with reversion.create_revision():
        reversion.set_user(people["editor"])
        source.save()

    post = {**seen, "action": "approve", "kind": "first", "note": "First."}
    response = reviewer.post(url("review", briefing.pk), post)
    page = response.content.decode()
    assert response.status_code == 200
    assert "since you opened this page, source" in page
    assert "by edith" in page and "A corrected title, changed while the reviewer read" in page
    assert not Publication.objects.exists()
    # Having read it again, the reviewer approves what they now see.
    assert reviewer.post(url("review", briefing.pk), {**post, **approval(briefing)}).status_code == 302


# The queue stays cheap.


@pytest.mark.django_db
def test_the_queue_costs_the_same_number_of_queries_for_two_or_six_briefings(people):
    client = logged_in(people["reviewer"])

    def queries_for(n):
        for _ in range(n):
            submit_for_review(briefing=make_briefing(), user=people["editor"], message="Ready")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("review_queue"))
        assert (
            response.content.decode().count('<th scope="row">')
            == Briefing.objects.filter(status=Briefing.Status.IN_REVIEW).count()
        )
        return len(captured)

    assert queries_for(2) == queries_for(4)


@pytest.mark.django_db
def test_the_review_page_escapes_the_revision_comment_and_the_history(people):
    briefing = make_briefing(user=people["editor"], comment=f"Rewrote {XSS}")
    submit_for_review(briefing=briefing, user=people["editor"], message=f"Look {XSS}")
    request_changes(briefing=briefing, user=people["reviewer"], comment=f"Redo {XSS}")
    page = logged_in(people["other_reviewer"]).get(url("review", briefing.pk)).content.decode()
    assert f"Rewrote {XSS_ESCAPED}" in page
    assert f"Redo {XSS_ESCAPED}" in page
    assert f"Look {XSS_ESCAPED}" in page
    assert XSS not in page


# Shared rows: a corrected source or a renamed partner is something to publish.


def fill_in_source(client, source, **fields):
    source.refresh_from_db()
    data = {
        "base_edit_version": source.edit_version,
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url,
        "published_on": "",
        "kind": source.kind,
        "reliability": source.reliability,
        "notes": source.notes,
        **fields,
    }
    if source.details_pending and "details_pending" not in fields:
        data["details_pending"] = "on"
    data = {key: value for key, value in data.items() if value is not None}
    response = client.post(reverse("admin:sources_source_change", args=[source.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.django_db
def test_a_source_filled_in_after_publishing_can_be_submitted_approved_and_republished(people):
    from sources.models import Source

    pending = Source.objects.create(title="Source [1] — details needed", details_pending=True)
    briefing = make_briefing(
        sections=[("Executive summary", "Arden lends [1].")], references={1: pending}, user=people["editor"]
    )
    publish(briefing, user=people["other_reviewer"])
    editor, reviewer = logged_in(people["editor"]), logged_in(people["reviewer"])
    assert "Details pending: [1] of" in Client().get(briefing.get_absolute_url()).content.decode()

    fill_in_source(
        editor,
        pending,
        title="Arden ministry of finance, 2024 budget",
        publisher="Arden MoF",
        details_pending=None,
    )
    assert Briefing.objects.get(pk=briefing.pk).status == Briefing.Status.PUBLISHED
    assert "Submit for review" in editor.get(url("change", briefing.pk)).content.decode()
    assert editor.post(url("submit", briefing.pk), {"message": "Source [1] filled in"}).status_code == 302

    page = reviewer.get(url("review", briefing.pk)).content.decode()
    assert "has no changes since its last publication" not in page
    assert 'value="Approve and publish">' in page
    compare = reviewer.get(url("compare", briefing.pk)).content.decode()
    assert "the source&#x27;s details changed" in compare or "the source's details changed" in compare
    version = Briefing.objects.get(pk=briefing.pk).edit_version
    response = reviewer.post(
        url("review", briefing.pk),
        {
            **approval(briefing),
            "action": "approve",
            "kind": "correction",
            "note": "Source [1] named.",
            "edit_version": version,
        },
    )
    assert response.status_code == 302
    public = Client().get(briefing.get_absolute_url()).content.decode()
    assert "Arden ministry of finance, 2024 budget" in public
    assert "Details pending: [1] of" not in public


@pytest.mark.django_db
def test_a_renamed_partner_can_be_republished(people, settings):
    settings.ASSAY_ALLOW_UNSUBMITTED_PUBLISH = True
    from briefings.models import Partner

    briefing = make_briefing()
    publish(briefing, user=people["other_reviewer"])
    with pytest.raises(ReviewError, match="no changes since"):
        approve_and_publish(briefing=briefing, user=people["reviewer"], note="Nothing new")
    Partner.objects.filter(name="Arden").update(name="Arden Development Bank")
    publication = approve_and_publish(briefing=briefing, user=people["reviewer"], note="Partner renamed")
    assert publication.number == 2
    assert "Arden Development Bank" in Client().get(briefing.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_draft_that_matches_the_live_publication_has_nothing_to_submit(people):
    briefing = make_briefing()
    publish(briefing)
    Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.DRAFT)
    with pytest.raises(ReviewError, match="no changes since"):
        submit_for_review(briefing=briefing, user=people["editor"], message="Again")
    page = logged_in(people["editor"]).get(url("submit", briefing.pk)).content.decode()
    assert "nothing to submit" in page


@pytest.mark.django_db
def test_self_approval_counts_every_revision_since_the_last_publication(people, settings):
    from briefings.models import Partner
    from tests.briefings.history_helpers import revise, set_body

    settings.ASSAY_ALLOW_UNSUBMITTED_PUBLISH = True
    reviewer, other = people["reviewer"], people["other_reviewer"]
    # Never published: a revision the reviewer made, even an early one, counts.
    briefing = make_briefing(user=reviewer)
    revise(briefing, set_body(1, "Arden lends more [1] [2]."), user=people["editor"])
    with pytest.raises(ReviewError, match="another reviewer"):
        approve_and_publish(briefing=briefing, user=reviewer, note="First.")
    approve_and_publish(briefing=briefing, user=other, note="First.")

    # After publishing, only revisions since then count...
    revise(briefing, set_body(1, "Arden lends again [1] [2]."), user=people["editor"])
    assert not review_forbidden(briefing, reviewer)
    # ...the reviewer's edit, though followed by an editor's, ...
    revise(briefing, set_body(1, "Arden lends twice [1] [2]."), user=reviewer)
    revise(briefing, set_body(1, "Arden lends thrice [1] [2]."), user=people["editor"])
    assert review_forbidden(briefing, reviewer)
    with pytest.raises(ReviewError, match="another reviewer"):
        approve_and_publish(briefing=briefing, user=reviewer, note="Update.")
    approve_and_publish(briefing=briefing, user=other, note="Update.")
    assert not review_forbidden(briefing, reviewer)

    # ...and so does the reviewer's own correction of a partner the briefing names.
    import reversion

    with reversion.create_revision():
        arden = Partner.objects.get(name="Arden")
        arden.name = "Arden Development Bank"
        arden.save()
        reversion.set_user(reviewer)
    assert review_forbidden(briefing, reviewer)
    assert not review_forbidden(briefing, other)


def review_forbidden(briefing, user):
    from briefings.publishing.review import self_approval_forbidden

    return self_approval_forbidden(briefing=Briefing.objects.get(pk=briefing.pk), user=user)
