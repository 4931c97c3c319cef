"""A partner page gathers every published section about the partner, across briefings."""

import pytest
from django.urls import reverse

from tests.factories import make_briefing, make_source, publish

pytestmark = pytest.mark.django_db


def partner_page(client, slug="arden"):
    return client.get(reverse("briefings:partner-detail", args=[slug]))


def test_sections_from_every_briefing_appear_with_text_citations_and_links(client):
    lending = make_source("Lending report", publisher="Estmark Review")
    first = make_briefing(
        title="Who funds Estmark's dams?",
        sections=[
            ("Executive summary", "Dams overview [1]."),
            ("Arden: the lender", "Arden lends [1].", ["Arden"]),
        ],
        references={1: lending},
    )
    second = make_briefing(
        title="Who trains Estmark's engineers?",
        sections=[
            ("Executive summary", "Summary [1]."),
            ("Arden: the teacher", "Arden teaches [1].", ["Arden"]),
        ],
    )
    publish(first)
    publish(second)
    html = partner_page(client).content.decode()
    assert html.count("<h1") == 1
    assert f'href="/briefings/{first.slug}/#section-1" dir="auto">Arden: the lender</a>' in html
    assert f'href="/briefings/{second.slug}/#section-1" dir="auto">Arden: the teacher</a>' in html
    assert "Who funds Estmark&#x27;s dams?" in html
    assert "Arden lends " in html
    assert f'<a href="/briefings/{first.slug}/#ref-1" aria-describedby=' in html
    assert "<bdi>Lending report</bdi> — <bdi>Estmark Review</bdi></span>" in html
    assert "Dams overview" not in html  # the summary does not concern Arden


def test_shows_the_published_text_not_later_edits_and_never_a_draft(client):
    published = make_briefing(
        sections=[("Executive summary", "S [1]."), ("Arden: lender", "Old text [1].", ["Arden"])]
    )
    publish(published)
    section = published.sections.get(position=1)
    section.body = "Unpublished marker text [1]."
    section.heading = "Arden: unpublished heading"
    section.save()
    published.title = "Unpublished title"
    published.save()
    make_briefing(sections=[("Executive summary", "S [1]."), ("Arden: draft", "Draft only [1].", ["Arden"])])
    html = partner_page(client).content.decode()
    assert "Old text" in html
    assert "Unpublished" not in html
    assert "Draft only" not in html


def test_a_partner_only_drafts_mention_is_not_public(client):
    make_briefing(sections=[("Executive summary", "S [1]."), ("Borea: secret", "Text [1].", ["Borea"])])
    assert partner_page(client, "borea").status_code == 404


def test_markup_in_headings_and_text_is_escaped(client):
    briefing = make_briefing(
        title="<script>t()</script>",
        sections=[
            ("Executive summary", "S [1]."),
            ("Arden: <script>h()</script>", "Body <script>b()</script> [1].", ["Arden"]),
        ],
        references={1: make_source("<script>s()</script>")},
    )
    publish(briefing)
    html = partner_page(client).content.decode()
    assert "<script>" not in html
    for name in ("t", "h", "b", "s"):
        assert f"&lt;script&gt;{name}()&lt;/script&gt;" in html


@pytest.mark.parametrize("briefings", [1, 25])
def test_the_page_makes_the_same_few_queries_however_many_sections(
    client, django_assert_num_queries, briefings
):
    for _ in range(briefings):
        publish(
            make_briefing(
                sections=[("Executive summary", "S [1]."), ("Arden: lender", "Lends [1] [2].", ["Arden"])]
            )
        )
    # partner, section count, the page's section ids, those sections with their publications,
    # their published references
    with django_assert_num_queries(5):
        assert partner_page(client).status_code == 200


def test_many_sections_are_paged_and_counted(client):
    from briefings.public.views import PARTNER_PAGE_SIZE

    assert PARTNER_PAGE_SIZE == 10  # whole sections, with their text: a page stays near 70 KB
    for _ in range(11):
        publish(
            make_briefing(
                sections=[("Executive summary", "S [1]."), ("Arden: lender", "Lends [1].", ["Arden"])]
            )
        )
    html = partner_page(client).content.decode()
    assert "11 published sections concern Arden" in html
    assert html.count('class="partner-section"') == 10
    assert 'href="?page=2" rel="next"' in html
    assert client.get("/partners/arden/?page=2").content.decode().count('class="partner-section"') == 1
