"""Filtering the published briefings and claims with plain GET forms and shareable URLs."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from briefings.models import Publication
from tests.factories import make_briefing, make_source, publish

pytestmark = pytest.mark.django_db


def get(client, name, query=""):
    response = client.get(reverse(name) + query)
    assert response.status_code == 200
    return response.content.decode()


def published(title, subject, partner, *, body="A claim [1].", references=None, when=None):
    briefing = make_briefing(
        title=title,
        subject=subject,
        sections=[("Executive summary", body), (f"{partner}: the role", f"{partner} acts [1].", [partner])],
        references=references,
    )
    publication = publish(briefing)
    if when:
        Publication.objects.filter(pk=publication.pk).update(published_at=when)
    return briefing


@pytest.fixture
def two_briefings():
    return (
        published(
            "Water question", "Estmark", "Arden", when=timezone.make_aware(datetime.datetime(2025, 3, 1))
        ),
        published(
            "Grain question", "Vellum", "Borea", when=timezone.make_aware(datetime.datetime(2025, 6, 1))
        ),
    )


def test_briefings_filter_by_partner_subject_and_update_date(client, two_briefings):
    def titles(query):
        html = get(client, "briefings:briefing-explore", query)
        return {t for t in ("Water question", "Grain question") if t in html}

    assert titles("") == {"Water question", "Grain question"}
    assert titles("?partner=arden") == {"Water question"}
    assert titles("?subject=Vellum") == {"Grain question"}
    assert titles("?updated_from=2025-05-01") == {"Grain question"}
    assert titles("?updated_to=2025-03-01") == {"Water question"}
    assert titles("?partner=arden&subject=Vellum") == set()
    html = get(client, "briefings:briefing-explore", "?updated_from=2025-05-01")
    assert 'type="date" name="updated_from" value="2025-05-01"' in html


def test_the_filter_form_is_labelled_and_offers_only_published_choices(client, two_briefings):
    make_briefing(
        subject="Secret subject",
        sections=[("Executive summary", "S [1]."), ("Zephyr: hidden", "Z [1].", ["Zephyr"])],
    )
    html = get(client, "briefings:briefing-explore")
    assert html.count("<h1") == 1
    for field in ("partner", "subject", "updated_from", "updated_to"):
        assert f'<label for="id_{field}">' in html
        assert f'id="id_{field}"' in html
    assert '<option value="arden">Arden</option>' in html
    assert "Zephyr" not in html
    assert "Secret subject" not in html


def test_home_page_still_lists_every_published_briefing(client, two_briefings):
    html = get(client, "briefings:briefing-list")
    assert "Water question" in html
    assert "Grain question" in html


def test_claims_filter_by_partner_source_briefing_and_text(client):
    harbour = make_source("Harbour report")
    water = published(
        "Water question",
        "Estmark",
        "Arden",
        body="Dams rise [1]. Pipes leak [2].",
        references={1: harbour, 2: make_source("Pipe survey")},
    )
    published("Grain question", "Vellum", "Borea", body="Silos fill [1].")

    def claims(query):
        html = get(client, "briefings:claim-list", query)
        return {t for t in ("Dams rise", "Pipes leak", "Silos fill", "Arden acts", "Borea acts") if t in html}

    assert claims("") == {"Dams rise", "Pipes leak", "Silos fill", "Arden acts", "Borea acts"}
    assert claims("?partner=borea") == {"Borea acts"}
    assert claims(f"?source={harbour.pk}") == {"Dams rise", "Arden acts"}
    assert claims(f"?briefing={water.slug}") == {"Dams rise", "Pipes leak", "Arden acts"}
    assert claims("?text=LEAK") == {"Pipes leak"}
    assert claims(f"?briefing={water.slug}&text=silos") == set()


def test_a_claim_links_to_its_sentence_in_the_briefing(client):
    briefing = published("Water question", "Estmark", "Arden", body="Opening. Dams rise [1].")
    html = get(client, "briefings:claim-list", "?text=dams")
    assert f'href="/briefings/{briefing.slug}/#summary-claim-1"' in html
    assert f'href="/briefings/{briefing.slug}/#ref-1"' in html


def test_claims_never_show_unpublished_edits(client):
    briefing = published("Water question", "Estmark", "Arden", body="Published claim [1].")
    section = briefing.sections.get(position=0)
    section.body = "Unpublished claim [1]."
    section.save()
    html = get(client, "briefings:claim-list")
    assert "Published claim" in html
    assert "Unpublished" not in html
    assert get(client, "briefings:claim-list", "?text=unpublished").count("Unpublished") == 0


def test_markup_in_claims_and_titles_is_escaped(client):
    published("<script>t()</script>", "<script>s()</script>", "Arden", body="<script>c()</script> here [1].")
    for name in ("briefings:claim-list", "briefings:briefing-explore"):
        html = get(client, name)
        assert "<script>" not in html
        assert "&lt;script&gt;t()&lt;/script&gt;" in html


def test_page_links_keep_the_filter(client):
    body = " ".join(f"Claim number {n} [1]." for n in range(60))
    published("Water question", "Estmark", "Arden", body=body)
    html = get(client, "briefings:claim-list", "?text=number")
    assert "60 claims" in html
    assert 'href="?text=number&amp;page=2" rel="next"' in html
    html = get(client, "briefings:claim-list", "?text=number&page=2")
    assert 'href="?text=number&amp;page=1" rel="prev"' in html
    assert "Claim number 59" in html


@pytest.mark.parametrize("count", [2, 40])
def test_lists_make_the_same_few_queries_however_many_rows(client, django_assert_num_queries, count):
    for n in range(count):
        published(f"Question {n}", f"Subject {n}", f"Ally{n}", body="One [1]. Two [2].")
    # count, page, the page's partners; partner and subject choices
    with django_assert_num_queries(5) as captured:
        html = get(client, "briefings:briefing-explore")
    assert f"{count} briefings" in html
    assert html.count('href="/partners/ally') == min(count, 25)
    for query in captured.captured_queries:
        assert '."snapshot"' not in query["sql"] and '."rendered_html"' not in query["sql"], query["sql"]
    # validating the partner and subject costs a query each
    with django_assert_num_queries(7):
        html = get(
            client,
            "briefings:briefing-explore",
            "?partner=ally1&subject=Subject+1&updated_from=2020-01-01",
        )
    assert "1 briefing<" in html and "Question 1<" in html
    # count, page, published references; partner, source and briefing choices
    with django_assert_num_queries(6):
        html = get(client, "briefings:claim-list")
    assert f"{2 * count + count} claims" in html
    with django_assert_num_queries(7):
        html = get(client, "briefings:claim-list", "?partner=ally1&text=acts")
    assert "1 claim<" in html and "Ally1 acts" in html


def test_the_partner_filter_lists_a_briefing_once_without_distinct(client, django_assert_num_queries):
    """A partner named by two sections still lists its briefing once, by subquery, not join + DISTINCT."""
    briefing = make_briefing(
        title="Water question",
        sections=[
            ("Executive summary", "A claim [1]."),
            ("Arden: the lender", "Arden lends [1].", ["Arden"]),
            ("Arden: the builder", "Arden builds [1].", ["Arden"]),
        ],
    )
    publish(briefing)
    published("Grain question", "Vellum", "Borea")
    # count, page, partners; partner and subject choices; validating the partner
    with django_assert_num_queries(6) as captured:
        response = client.get(reverse("briefings:briefing-explore") + "?partner=arden")
    # (Read now: the next request clears the connection's query log.)
    assert not [q["sql"] for q in captured.captured_queries if "DISTINCT" in q["sql"].upper()]
    assert [p.title for p in response.context["publications"]] == ["Water question"]
    assert "1 briefing<" in response.content.decode()
    claims = client.get(reverse("briefings:claim-list") + "?partner=arden").context["claims"]
    assert [c.text for c in claims] == ["Arden lends [1].", "Arden builds [1]."]
