"""Source pages and the source list show sources as published, never later edits."""

import datetime

import pytest
from django.urls import reverse

from briefings.models import Claim, PublishedReference
from sources.models import Source
from tests.factories import make_briefing, make_source, publish

pytestmark = pytest.mark.django_db


def get(client, name, *args, query=""):
    response = client.get(reverse(name, args=args) + query)
    return response, response.content.decode()


def published_with(source, body="Arden lends [1]."):
    briefing = make_briefing(
        sections=[("Executive summary", body), ("Arden: lender", "A second claim [1].", ["Arden"])],
        references={1: source},
    )
    publish(briefing)
    return briefing


def test_the_source_page_lists_every_claim_citing_it_with_links_to_the_claim(client):
    source = make_source("Lending report", publisher="Estmark Review", kind=Source.Kind.NEWS)
    briefing = published_with(source, body="Uncited opening [judgment: low]. Arden lends [1].")
    response, html = get(client, "sources:source-detail", source.pk)
    assert response.status_code == 200
    assert '<h1 dir="auto">Lending report</h1>' in html
    assert '<dd dir="auto">Estmark Review</dd>' in html
    for claim in Claim.objects.filter(section__briefing=briefing):
        assert f'href="/briefings/{briefing.slug}/#{claim.anchor}"' in html
    assert "Arden lends " in html
    assert "Uncited opening" not in html


def test_source_details_edited_after_publication_stay_unpublished_until_republished(client):
    source = make_source("Published title", publisher="Published outlet")
    briefing = published_with(source)
    Source.objects.filter(pk=source.pk).update(title="Secret retitle", publisher="Secret outlet")
    for name, args in (("sources:source-detail", [source.pk]), ("sources:source-list", [])):
        _, html = get(client, name, *args)
        assert "Published title" in html
        assert "Secret" not in html
    _, html = get(client, "briefings:claim-list")
    assert "Secret" not in html
    publish(briefing, note="Source details corrected.", kind="correction")
    _, html = get(client, "sources:source-detail", source.pk)
    assert "Secret retitle" in html


def test_a_source_no_publication_cites_is_not_public(client):
    cited_by_draft = make_source("Draft-only source")
    make_briefing(sections=[("Executive summary", "Draft [1].")], references={1: cited_by_draft})
    response, _ = get(client, "sources:source-detail", cited_by_draft.pk)
    assert response.status_code == 404
    _, html = get(client, "sources:source-list")
    assert "Draft-only source" not in html


def test_a_source_cited_by_two_briefings_is_listed_once_with_its_newest_published_details(client):
    source = make_source("First wording")
    published_with(source)
    Source.objects.filter(pk=source.pk).update(title="Second wording")
    published_with(source)
    assert PublishedReference.objects.filter(source=source).count() == 2
    _, html = get(client, "sources:source-list")
    assert html.count(f'href="/sources/{source.pk}/"') == 1
    assert "Second wording" in html
    assert "First wording" not in html


def test_sources_filter_by_publisher_kind_year_and_pending(client):
    news = make_source(
        "Harbour news", publisher="Estmark Review", kind="news", published_on=datetime.date(2023, 5, 1)
    )
    paper = make_source(
        "Dam paper", publisher="Institute", kind="academic", published_on=datetime.date(2024, 1, 2)
    )
    pending = make_source("Placeholder", details_pending=True)
    publish(
        make_briefing(
            title="Harbour question",
            sections=[("Executive summary", "One [1]. Two [2]. Three [3].")],
            references={1: news, 2: paper, 3: pending},
        )
    )

    def listed(query):
        _, html = get(client, "sources:source-list", query=query)
        return {s.title for s in (news, paper) if s.title in html} | (
            {"pending"} if "Details pending: [3] of Harbour question" in html else set()
        )

    assert listed("") == {"Harbour news", "Dam paper", "pending"}
    assert listed("?publisher=Estmark+Review") == {"Harbour news"}
    assert listed("?kind=academic") == {"Dam paper"}
    assert listed("?year=2023") == {"Harbour news"}
    assert listed("?details_pending=true") == {"pending"}
    assert listed("?details_pending=false&kind=news") == {"Harbour news"}


def test_a_bad_filter_value_is_reported_next_to_its_field(client):
    publish(make_briefing())
    response, html = get(client, "sources:source-list", query="?kind=poetry&year=soon")
    assert response.status_code == 200
    assert "Kind: Select a valid choice. poetry is not one of the available choices." in html
    assert "Year published: Enter a number." in html
    assert "0 sources" in html


def test_markup_in_source_fields_is_escaped_on_list_and_page(client):
    source = make_source(
        "<script>t()</script>", publisher="<script>p()</script>", url="https://example.org/?a=<b>"
    )
    published_with(source)
    for name, args in (("sources:source-detail", [source.pk]), ("sources:source-list", [])):
        _, html = get(client, name, *args)
        assert "<script>" not in html
        assert "&lt;script&gt;t()&lt;/script&gt;" in html


def test_the_source_list_keeps_the_filter_in_its_page_links(client):
    sources = {n: make_source(f"Listed source {n:03}", kind="news") for n in range(1, 53)}
    body = " ".join(f"Claim {n} [{n}]." for n in sources)
    publish(make_briefing(sections=[("Executive summary", body)], references=sources))
    _, html = get(client, "sources:source-list", query="?kind=news")
    assert "52 sources" in html
    assert 'href="?kind=news&amp;page=2" rel="next"' in html
    _, html = get(client, "sources:source-list", query="?kind=news&page=2")
    assert "Listed source 052" in html
    assert "Listed source 001" not in html


@pytest.mark.parametrize("count", [2, 60])
def test_source_list_and_page_make_the_same_few_queries_however_many_rows(
    client, django_assert_num_queries, count
):
    shared = make_source("Shared")
    for _ in range(count):
        published_with(shared)
    others = {n: make_source(publisher=f"Outlet {n}") for n in range(1, count + 1)}
    body = " ".join(f"Claim {n} [{n}]." for n in others)
    publish(make_briefing(sections=[("Executive summary", body)], references=others))
    # count, page: no publisher choices are listed
    with django_assert_num_queries(2):
        assert get(client, "sources:source-list")[0].status_code == 200
    with django_assert_num_queries(2):
        assert (
            get(client, "sources:source-list", query="?kind=other&year=&details_pending=")[0].status_code
            == 200
        )
    # source (with its recall), the publications citing it, claim count, the claims' ids, the claims,
    # their published references
    with django_assert_num_queries(6):
        assert get(client, "sources:source-detail", shared.pk)[0].status_code == 200
