"""Snapshot schema 2: sentences parsed once at publication, by paragraph; schema 1 stays readable."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from briefings.models import Claim, Publication
from briefings.publishing.publish import rebuild_derived
from briefings.publishing.snapshot import render_snapshot
from briefings.text import parsing
from tests.briefings.history_helpers import revise, set_body
from tests.factories import make_briefing, make_source, publish, publisher

pytestmark = pytest.mark.django_db


@pytest.fixture
def parses(monkeypatch):
    """Counts paragraphs split into sentences: what parsing a body costs, whoever calls it."""
    calls = []
    real = parsing.split_sentences

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(parsing, "split_sentences", counting)
    return calls


def test_publishing_parses_each_paragraph_once(parses):
    briefing = make_briefing(
        sections=[
            ("Executive summary", "Summary one [1].\n\nSummary two [2]."),
            ("Arden: the lender", "Arden lends [1].", ["Arden"]),
            ("Belmont: the builder", "Belmont builds [2].\n\nIt also repairs [1].\n\nAnd it trains [2]."),
        ]
    )
    parses.clear()
    first = publish(briefing, force=False)
    assert len(parses) == 6  # six paragraphs, each split once (three times each before schema 2)
    revise(briefing, set_body(1, "Arden lends more [1]."))
    parses.clear()
    second = publish(briefing, force=False)  # also decides that there is something to publish
    assert len(parses) == 6
    assert second.number == first.number + 1
    # What was parsed once is what the page shows and what the claims hold.
    assert Claim.objects.filter(section__publication=second).count() == 6
    third_of_section_2 = Claim.objects.get(section__publication=second, section__number=2, ordinal=3)
    assert f'<span class="claim" id="{third_of_section_2.anchor}"><bdi>And it trains' in second.rendered_html


def test_the_snapshot_stores_sentences_by_paragraph_and_claims_count_across_them():
    briefing = make_briefing(
        sections=[("Executive summary", "One [1]. Uncited.\n\nTwo [2] [1].\n\nThree [2].")]
    )
    publication = publish(briefing)
    (summary,) = publication.snapshot["sections"]
    assert summary["body"] == "One [1]. Uncited.\n\nTwo [2] [1].\n\nThree [2]."
    assert summary["paragraphs"] == [
        [{"text": "One [1].", "citations": [1]}, {"text": "Uncited.", "citations": []}],
        [{"text": "Two [2] [1].", "citations": [2, 1]}],
        [{"text": "Three [2].", "citations": [2]}],
    ]
    claims = Claim.objects.filter(section__publication=publication).order_by("ordinal")
    assert [(c.ordinal, c.text) for c in claims] == [(1, "One [1]."), (2, "Two [2] [1]."), (3, "Three [2].")]
    assert [[n.reference_number for n in c.citations.order_by("position")] for c in claims] == [
        [1],
        [2, 1],
        [2],
    ]


def test_each_paragraph_is_its_own_paragraph_on_the_public_page(client):
    briefing = make_briefing(
        sections=[
            ("Executive summary", "First <b>paragraph</b> [1].\n\nSecond paragraph [2]."),
            ("Arden: the lender", "Arden lends [1].", ["Arden"]),
        ]
    )
    publish(briefing)
    page = client.get(reverse("briefings:briefing-detail", args=[briefing.slug])).content.decode()
    summary = page[page.index('<section id="summary"') : page.index('<section id="section-1"')]
    paragraphs = re.findall(r"<p>(.*?)</p>", summary, re.S)
    assert len(paragraphs) == 2
    assert "First &lt;b&gt;paragraph&lt;/b&gt;" in paragraphs[0] and "Second" not in paragraphs[0]
    second_claim = Claim.objects.get(section__briefing=briefing, section__number=0, ordinal=2)
    assert f'id="{second_claim.anchor}"' in paragraphs[1] and "Second paragraph" in paragraphs[1]
    assert 'href="#ref-2"' in paragraphs[1]


# Schema 1: one paragraph per body, claims stored, no sentences.

V1_BODY = "Arden lends [1]. Nobody knows why. Belmont builds [2] [1]."


def v1_publication(briefing):
    """A publication as schema 1 stored it, before sentences were kept by paragraph."""
    sources = {ref.number: ref.source for ref in briefing.references.select_related("source")}
    snapshot = {
        "schema": "https://assay.example/schemas/briefing-snapshot/v1",
        "schema_version": 1,
        "briefing": {"slug": briefing.slug, "title": briefing.title, "subject": briefing.subject},
        "sections": [
            {
                "id": briefing.sections.get().pk,
                "number": 0,
                "anchor": "summary",
                "heading": "Executive summary",
                "body": V1_BODY,
                "partners": [],
                "claims": [
                    {"text": "Arden lends [1].", "citations": [1]},
                    {"text": "Belmont builds [2] [1].", "citations": [2, 1]},
                ],
            }
        ],
        "references": [
            {
                "number": n,
                "source": {
                    "id": source.pk,
                    "title": source.title,
                    "publisher": "",
                    "url": "",
                    "published_on": None,
                    "kind": "other",
                    "reliability": "unrated",
                    "details_pending": False,
                },
            }
            for n, source in sorted(sources.items())
        ],
    }
    return Publication.objects.create(
        briefing=briefing,
        number=1,
        kind=Publication.Kind.FIRST,
        note="Published under schema 1.",
        title=briefing.title,
        subject=briefing.subject,
        schema_version=1,
        snapshot=snapshot,
        rendered_html=render_snapshot(snapshot),
        published_by=publisher(),
        published_at=timezone.now(),
    )


@pytest.fixture
def old_briefing():
    return make_briefing(
        sections=[("Executive summary", V1_BODY)], references={1: make_source(), 2: make_source()}
    )


def test_a_schema_1_snapshot_renders_with_its_claims_and_citations(old_briefing):
    publication = v1_publication(old_briefing)
    html = publication.rendered_html
    assert len(re.findall(r"<p>", html)) == 1
    assert re.search(r'<span class="claim" id="claim-[0-9a-f]{10}"><bdi>Arden lends', html)
    assert re.search(r'<span class="claim" id="claim-[0-9a-f]{10}"><bdi>Belmont builds', html)
    assert "Nobody knows why." in html
    assert 'id="summary-cite-3"' in html and 'href="#ref-2"' in html


def test_a_schema_1_publication_derives_its_claims_and_stays_readable(old_briefing, client):
    publication = v1_publication(old_briefing)
    rebuild_derived(publication)
    claims = Claim.objects.filter(section__publication=publication).order_by("ordinal")
    assert [c.text for c in claims] == ["Arden lends [1].", "Belmont builds [2] [1]."]
    assert [n.reference_number for n in claims[1].citations.order_by("position")] == [2, 1]
    page = client.get(reverse("briefings:publication-detail", args=[old_briefing.slug, 1]))
    assert page.status_code == 200 and "Belmont builds" in page.content.decode()
    exported = client.get(reverse("briefings:publication-json", args=[old_briefing.slug, 1])).json()
    assert exported["snapshot"]["schema_version"] == 1
    assert exported["snapshot"]["sections"][0]["claims"][1]["citations"] == [2, 1]
    out = StringIO()
    call_command("export_briefing", old_briefing.slug, "--publication", "1", stdout=out)
    assert V1_BODY in out.getvalue()


def test_a_schema_1_publication_compares_with_a_schema_2_one(old_briefing, client):
    v1_publication(old_briefing)
    revise(old_briefing, set_body(0, "Arden lends [1].\n\nBelmont builds [2] [1]."))
    publish(old_briefing, note="Split into two paragraphs.")
    response = client.get(reverse("briefings:publication-compare", args=[old_briefing.slug, 1, 2]))
    assert response.status_code == 200
    assert "Nobody knows why." in response.content.decode()
