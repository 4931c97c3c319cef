"""Following the evidence on a briefing page: citations name their source, references link back."""

import re

import pytest
from django.urls import reverse

from briefings.models import Claim
from tests.factories import make_briefing, make_source, publish

pytestmark = pytest.mark.django_db


def page(client, briefing):
    response = client.get(reverse("briefings:briefing-detail", args=[briefing.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_citation_names_its_source_on_hover_and_focus_and_links_to_the_reference(client):
    source = make_source("Lending and water", publisher="Estmark Review")
    briefing = make_briefing(
        sections=[("Executive summary", "Arden lends for dams [1].")], references={1: source}
    )
    publish(briefing)
    html = page(client, briefing)
    marker = re.search(r'<sup class="citation" id="summary-cite-1">(.*?)</sup>', html).group(1)
    assert '<a href="#ref-1" aria-describedby="summary-cite-1-tip">[1]</a>' in marker
    assert (
        'role="tooltip" id="summary-cite-1-tip">'
        "<bdi>Lending and water</bdi> — <bdi>Estmark Review</bdi></span>" in marker
    )


def test_a_pending_source_is_named_by_its_entry_and_briefing_in_tooltip_and_reference_list(client):
    briefing = make_briefing(
        title="Water <em>question</em>",
        sections=[("Executive summary", "A claim [3].")],
        references={3: make_source("Placeholder to-do for the desk", details_pending=True)},
    )
    publish(briefing)
    html = page(client, briefing)
    label = "Details pending: [3] of <bdi>Water &lt;em&gt;question&lt;/em&gt;</bdi>"
    assert f'id="summary-cite-1-tip">{label}</span>' in html
    assert f'<span id="ref-3-label">{label}</span>' in html
    assert "Placeholder to-do" not in html
    assert "<em>question" not in html


def test_each_cited_sentence_has_the_anchor_its_claim_links_to(client):
    briefing = make_briefing(
        sections=[
            ("Executive summary", "An uncited opening. The first claim [1]. The second claim [2]."),
            ("Arden: the lender", "Arden lends [1].", ["Arden"]),
        ]
    )
    publish(briefing)
    html = page(client, briefing)
    claims = Claim.objects.select_related("section__briefing").order_by("section__number", "ordinal")
    assert len(claims) == 3
    assert all(re.fullmatch(r"claim-[0-9a-f]{10}", c.anchor) for c in claims)
    assert len({c.anchor for c in claims}) == 3
    for claim in claims:
        span = re.search(rf'<span class="claim" id="{claim.anchor}">(.*?)</span>(?= |</p>)', html).group(1)
        assert claim.text.split("[")[0].strip() in span
        assert claim.get_absolute_url() == f"/briefings/{briefing.slug}/#{claim.anchor}"
    assert "An uncited opening." in html
    assert html.count('<span class="claim" id=') == 3  # the uncited opening has none


def test_each_reference_links_back_once_per_section_citing_it_with_the_count(client):
    briefing = make_briefing(
        sections=[
            ("Executive summary", "One [1]. Two [2] [1]."),
            ("Arden: the lender", "Three [1].", ["Arden"]),
            ("Estmark: the borrower", "Four [2]."),
            ("Rivers", "Five [1]. Six [1] [1]. Seven [1]."),
        ]
    )
    publish(briefing)
    html = page(client, briefing)
    reference = re.search(r'<li id="ref-1" value="1">(.*?)</li>', html, re.S).group(1)
    backlinks = re.findall(
        r'<a href="#([^"]+)" title="Back to the first citation in ([^"]+)" aria-label="([^"]+)">(.*?)</a>',
        reference,
    )
    assert [(anchor, heading) for anchor, heading, _, _ in backlinks] == [
        ("summary-cite-1", "Executive summary"),
        ("section-1-cite-1", "Arden: the lender"),
        ("section-3-cite-1", "Rivers"),
    ]
    for anchor, *_ in backlinks:
        assert f'id="{anchor}"' in html
    assert [text for *_, text in backlinks] == ["Summary (2)", "§1 (1)", "§3 (4)"]
    assert [label for _, _, label, _ in backlinks] == [
        "Summary, 2 citations",
        "§1: Arden: the lender, 1 citation",
        "§3: Rivers, 4 citations",
    ]
    assert "Cited in <a" in reference
    # The other reference: its own sections only.
    other = re.search(r'<li id="ref-2" value="2">(.*?)</li>', html, re.S).group(1)
    assert re.findall(r'<a href="#([^"]+)" title="Back', other) == ["summary-cite-2", "section-2-cite-1"]


def test_markup_in_source_details_is_escaped_in_tooltip_and_references(client):
    source = make_source("<script>alert(1)</script>", publisher="<b>Bold</b>")
    briefing = make_briefing(sections=[("Executive summary", "A claim [1].")], references={1: source})
    publish(briefing)
    html = page(client, briefing)
    assert "<script>alert" not in html
    assert "<b>Bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</bdi> — <bdi>&lt;b&gt;Bold&lt;/b&gt;" in html


def test_draft_preview_of_a_body_with_a_bad_marker_still_shows_the_text(admin_client):
    briefing = make_briefing(
        sections=[("Executive summary", "Odd marker [sic] here [1].")], references={1: make_source()}
    )
    html = admin_client.get(reverse("briefings:briefing-detail", args=[briefing.slug])).content.decode()
    assert "Odd marker" in html
    assert "Odd marker [sic] here " in html
    assert 'href="#ref-1"' in html
