"""Publishing: numbered immutable snapshots, derived claims, all in one transaction."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Revision

from briefings.editing.history import latest_revision
from briefings.models import (
    Briefing,
    Claim,
    ClaimCitation,
    Partner,
    Publication,
    PublishedSection,
    Section,
)
from briefings.publishing import publish as publishing
from briefings.publishing.publish import PublishError
from briefings.publishing.review import submit_for_review
from briefings.publishing.snapshot import SCHEMA_ID
from tests.briefings.admin_forms import approval
from tests.factories import make_briefing, make_source, make_user, publish

pytestmark = pytest.mark.django_db


def claims_of(briefing):
    return [
        (claim.section.number, claim.ordinal, [c.reference_number for c in claim.citations.all()])
        for claim in Claim.objects.filter(section__briefing=briefing)
        .select_related("section")
        .prefetch_related("citations")
        .order_by("section__number", "ordinal")
    ]


def test_publications_are_numbered_and_record_who_when_and_the_revision():
    user = make_user(group="Reviewers")
    briefing = make_briefing()
    first = publish(briefing, user=user, note="First.")
    second = publish(briefing, user=user, note="Second.")
    third = publish(briefing, user=user, note="A correction.", kind=Publication.Kind.CORRECTION)
    assert [p.number for p in (first, second, third)] == [1, 2, 3]
    assert [p.kind for p in (first, second, third)] == ["first", "update", "correction"]
    assert first.published_by == user
    assert first.published_at <= second.published_at <= third.published_at
    assert first.revision == latest_revision(briefing)
    assert first.revision is not None
    assert third.note == "A correction."
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.PUBLISHED
    assert list(Publication.objects.current()) == [third]


def test_a_briefing_without_a_revision_gets_one_recorded_at_publication():
    briefing = Briefing.objects.create(title="No revision yet", slug="no-revision")
    source = make_source()
    Section.objects.create(briefing=briefing, position=0, heading="Executive summary", body="A [1].")
    briefing.references.create(number=1, source=source)
    assert Revision.objects.count() == 0
    publication = publish(briefing)
    assert publication.revision is not None
    assert publication.revision.comment == "Recorded at publication"


def test_the_snapshot_is_versioned_and_complete():
    briefing = make_briefing(
        title="Sample question?",
        subject="Estmark",
        sections=[
            ("Executive summary", "Summary [2] [1:4]. A judgment [judgment: moderate]."),
            ("Arden: the lender", "Arden lends [1].", ["Arden"]),
        ],
    )
    snapshot = publish(briefing).snapshot
    assert snapshot["schema"] == SCHEMA_ID
    assert snapshot["schema_version"] == Publication.SCHEMA_VERSION == 3
    assert snapshot["briefing"] == {"slug": briefing.slug, "title": "Sample question?", "subject": "Estmark"}
    summary, arden = snapshot["sections"]
    assert summary["number"] == 0 and summary["anchor"] == "summary"
    assert summary["paragraphs"] == [
        [
            {"text": "Summary [2] [1:4].", "citations": [2, 1], "credibility": [None, 4], "judgment": None},
            {
                "text": "A judgment [judgment: moderate].",
                "citations": [],
                "credibility": [],
                "judgment": "moderate",
            },
        ]
    ]
    assert arden["anchor"] == "section-1"
    arden_id = Partner.objects.get(slug="arden").pk
    assert arden["partners"] == [{"id": arden_id, "slug": "arden", "name": "Arden", "description": ""}]
    assert [r["number"] for r in snapshot["references"]] == [1, 2]
    assert set(snapshot["references"][0]["source"]) >= {"id", "title", "url", "details_pending"}


def test_rendered_html_is_stored_and_escaped():
    briefing = make_briefing(sections=[("Executive summary", "Arden wrote <script>alert(1)</script> [1].")])
    publication = publish(briefing)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in publication.rendered_html
    assert "<script>" not in publication.rendered_html
    assert 'id="summary"' in publication.rendered_html


def test_the_seed_publishes_fourteen_claims_with_thirty_citations_in_order(seed_text):
    call_command("import_briefing", str(seed_text), "--slug", "v", stdout=StringIO(), stderr=StringIO())
    briefing = Briefing.objects.get(slug="v")
    publish(briefing)
    claims = claims_of(briefing)
    assert len(claims) == 14
    assert ClaimCitation.objects.count() == 30
    assert claims[0] == (0, 1, [1, 2, 3])
    assert claims[1] == (0, 2, [4, 5])
    assert (1, 3, [5, 1]) in claims
    assert (5, 2, [11, 12, 1]) in claims
    assert PublishedSection.objects.filter(briefing=briefing).count() == 6
    partners = {
        s.number: sorted(p.name for p in s.partners.all())
        for s in PublishedSection.objects.filter(briefing=briefing)
    }
    assert partners == {0: [], 1: ["Russia"], 2: ["China"], 3: ["Iran"], 4: [], 5: []}


def test_claims_follow_the_current_publication_only():
    briefing = make_briefing(sections=[("Executive summary", "One [1]. Two [2].")])
    publish(briefing)
    Section.objects.filter(briefing=briefing).update(body="Only one now [2] [1].")
    assert len(claims_of(briefing)) == 2  # the working copy is not public
    publish(briefing)
    assert claims_of(briefing) == [(0, 1, [2, 1])]
    assert PublishedSection.objects.filter(briefing=briefing).count() == 1


def test_a_failing_publish_leaves_nothing_behind(monkeypatch):
    briefing = make_briefing(sections=[("Executive summary", "One [1]. Two [2].")])
    publish(briefing)
    Section.objects.filter(briefing=briefing).update(body="Changed [1].")
    Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.DRAFT)
    before = (Publication.objects.count(), Revision.objects.count(), claims_of(briefing))
    real = publishing.rebuild_derived

    def rebuild_then_fail(publication):
        real(publication)  # the claims are rebuilt, then the database write fails
        raise RuntimeError("simulated failure after the claims were rebuilt")

    monkeypatch.setattr(publishing, "rebuild_derived", rebuild_then_fail)
    with pytest.raises(RuntimeError):
        publish(briefing)
    assert (Publication.objects.count(), Revision.objects.count(), claims_of(briefing)) == before
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT


@pytest.mark.parametrize(
    ("kind", "earlier"),
    [("update", 0), ("correction", 0), ("first", 1)],
    ids=["update", "correction", "first"],
)
def test_only_the_first_publication_is_of_kind_first(kind, earlier):
    briefing = make_briefing()
    for _ in range(earlier):
        publish(briefing)
    with pytest.raises(PublishError, match="first publication must be of kind 'first'"):
        publish(briefing, kind=kind)
    assert briefing.publications.count() == earlier


def test_publishing_needs_a_note_and_a_citable_working_copy():
    briefing = make_briefing(
        sections=[("Executive summary", "Cites a missing entry [3].")], references={1: make_source()}
    )
    with pytest.raises(PublishError, match="note is required"):
        publish(briefing, note="  ")
    with pytest.raises(PublishError) as caught:
        publish(briefing)
    assert caught.value.problems == ["Executive summary: cites [3], not in the reference list"]
    assert Publication.objects.count() == 0


class TestPublishView:
    """Publishing from the admin is the reviewer's "approve and publish" on the review page."""

    def url(self, briefing):
        return reverse("admin:briefings_briefing_review", args=[briefing.pk])

    def approve(self, briefing, **data):
        briefing.refresh_from_db()
        return {**approval(briefing), "action": "approve", "edit_version": briefing.edit_version, **data}

    def test_editors_may_not_publish(self, client):
        briefing = make_briefing()
        client.force_login(make_user(group="Editors"))
        assert client.get(self.url(briefing)).status_code == 403
        assert (
            client.post(self.url(briefing), self.approve(briefing, kind="first", note="Hi.")).status_code
            == 403
        )
        assert Publication.objects.count() == 0

    @pytest.mark.parametrize("who", ["Reviewers", "superuser"])
    def test_reviewers_and_superusers_publish_with_a_note(self, client, who):
        user = make_user(superuser=True) if who == "superuser" else make_user(group="Reviewers")
        client.force_login(user)
        briefing = make_briefing()
        submit_for_review(briefing=briefing, user=make_user(group="Editors"), message="Ready")
        change = client.get(reverse("admin:briefings_briefing_change", args=[briefing.pk]))
        assert self.url(briefing) in change.content.decode()
        assert client.get(self.url(briefing)).status_code == 200

        response = client.post(self.url(briefing), self.approve(briefing, kind="first", note=""))
        assert response.status_code == 200
        assert response.context["publish_form"].errors["note"]
        assert Publication.objects.count() == 0

        response = client.post(
            self.url(briefing), self.approve(briefing, kind="first", note="First publication.")
        )
        assert response.status_code == 302
        publication = Publication.objects.get()
        assert (publication.number, publication.kind, publication.published_by) == (1, "first", user)
        assert publication.note == "First publication."

    def test_problems_are_shown_and_block_publishing(self, client):
        client.force_login(make_user(group="Reviewers"))
        briefing = make_briefing(
            sections=[("Executive summary", "Cites a missing entry [3].")], references={1: make_source()}
        )
        response = client.get(self.url(briefing))
        assert "cites [3], not in the reference list" in response.content.decode()
        response = client.post(self.url(briefing), self.approve(briefing, kind="first", note="Try."))
        assert response.status_code == 200
        assert "cites [3], not in the reference list" in response.content.decode()
        assert Publication.objects.count() == 0

    def test_the_first_publication_offers_only_kind_first(self, client):
        client.force_login(make_user(group="Reviewers"))
        briefing = make_briefing()
        response = client.post(self.url(briefing), self.approve(briefing, kind="update", note="Nope."))
        assert response.status_code == 200
        assert response.context["publish_form"].errors["kind"]
        assert Publication.objects.count() == 0


def test_the_snapshot_has_exactly_the_documented_fields():
    """docs/snapshot-schema.md lists these; a change here needs a new schema version."""
    snapshot = publish(make_briefing()).snapshot
    assert set(snapshot) == {"schema", "schema_version", "briefing", "sections", "references", "sourcing"}
    assert set(snapshot["briefing"]) == {"slug", "title", "subject"}
    fields = {"id", "number", "anchor", "heading", "body", "partners", "paragraphs"}
    assert set(snapshot["sections"][0]) == fields
    assert set(snapshot["sections"][0]["paragraphs"][0][0]) == {
        "text",
        "citations",
        "credibility",
        "judgment",
    }
    assert set(snapshot["references"][0]) == {"number", "source"}
    assert set(snapshot["references"][0]["source"]) == {
        "id",
        "title",
        "publisher",
        "url",
        "published_on",
        "kind",
        "grade",
        "details_pending",
    }
    assert set(snapshot["sourcing"]) == {
        "sources",
        "by_kind",
        "by_grade",
        "cited_sentences",
        "single_source_sentences",
        "judgments",
    }


def test_a_heading_carrying_a_citation_blocks_publishing():
    """Saved before the admin refused them, or written straight to the database."""
    briefing = make_briefing(
        sections=[("Executive summary", "Summary [1]."), ("Arden: the lender [1]", "Arden lends [1].")]
    )
    with pytest.raises(PublishError) as caught:
        publish(briefing)
    assert caught.value.problems == [
        "§1 “Arden: the lender [1]”: a heading cannot carry citations; put them in the paragraph"
    ]
    assert Publication.objects.count() == 0
