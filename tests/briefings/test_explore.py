"""Filtering the published briefings and claims with plain GET forms and shareable URLs."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone

from briefings.models import Claim, Publication
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


def test_the_filter_form_is_labelled_and_lists_no_choices(client, two_briefings):
    """Partners and subjects are typed, not listed: the form is the same size however many there are."""
    make_briefing(
        subject="Secret subject",
        sections=[("Executive summary", "S [1]."), ("Zephyr: hidden", "Z [1].", ["Zephyr"])],
    )
    html = get(client, "briefings:briefing-explore")
    assert html.count("<h1") == 1
    for field in ("partner", "subject", "updated_from", "updated_to"):
        assert f'<label for="id_{field}">' in html
        assert f'id="id_{field}"' in html
    assert '<input type="text" name="partner"' in html
    assert 'aria-describedby="id_partner_helptext"' in html and 'id="id_partner_helptext"' in html
    assert "<option" not in html
    assert "Arden" not in html.split("</form>")[0]
    assert "Zephyr" not in html
    assert "Secret subject" not in html


def test_a_typed_partner_subject_briefing_or_source_is_checked_against_published_rows(client, two_briefings):
    make_briefing(
        subject="Secret subject",
        sections=[("Executive summary", "S [1]."), ("Zephyr: hidden", "Z [1].", ["Zephyr"])],
    )
    # A partner by its slug or its name in any case; a subject in any case.
    for query in ("?partner=arden", "?partner=ARDEN", "?subject=estmark"):
        html = get(client, "briefings:briefing-explore", query)
        assert "1 briefing<" in html and "Water question" in html, query
    for query, error in [
        ("?partner=zephyr", "Partner: No published briefing names a partner “zephyr”."),
        ("?subject=Secret+subject", "Subject: No published briefing has the subject “Secret subject”."),
    ]:
        html = get(client, "briefings:briefing-explore", query)
        assert error in html, query
        assert "No published briefing matches these filters." in html
    source = two_briefings[0].references.get(number=1).source
    html = get(client, "briefings:claim-list", f"?source={source.pk}")
    assert "2 claims" in html and "Water question" in html
    # The address of the source's page works too.
    assert "2 claims" in get(client, "briefings:claim-list", f"?source=/sources/{source.pk}/")
    for query, error in [
        ("?source=abc", "Source: No published briefing cites a source numbered “abc”."),
        ("?source=" + "9" * 30, "No published briefing cites a source numbered"),
        ("?briefing=nowhere", "Briefing: No published briefing is at /briefings/nowhere/."),
    ]:
        html = get(client, "briefings:claim-list", query)
        assert error in html, query
        assert "No published claim matches these filters." in html


def test_q_on_the_claim_list_is_its_text_filter(client, two_briefings):
    response = client.get("/claims/?q=acts&partner=arden")
    assert response.status_code == 302
    assert response["Location"] == "/claims/?partner=arden&text=acts"
    html = get(client, "briefings:claim-list", "?partner=arden&text=acts")
    assert "1 claim<" in html and "Arden acts" in html


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
    briefing = published("Water question", "Estmark", "Arden", body="Opening [judgment: low]. Dams rise [1].")
    html = get(client, "briefings:claim-list", "?text=dams")
    anchor = Claim.objects.get(section__briefing=briefing, section__number=0).anchor
    assert f'href="/briefings/{briefing.slug}/#{anchor}"' in html
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
    assert 'href="?text=number&amp;page=last">Last' not in html  # page 2 is the last
    html = get(client, "briefings:claim-list", "?text=number&page=2")
    assert 'href="?text=number&amp;page=1" rel="prev"' in html
    assert "Claim number 59" in html


@pytest.mark.parametrize("count", [2, 40])
def test_lists_make_the_same_few_queries_however_many_rows(client, django_assert_num_queries, count):
    for n in range(count):
        published(f"Question {n}", f"Subject {n}", f"Ally{n}", body="One [1]. Two [2].")
    # count, page, the page's partners: no choices are listed, so nothing grows with the corpus
    with django_assert_num_queries(3) as captured:
        html = get(client, "briefings:briefing-explore")
    assert f"{count} briefings" in html
    assert html.count('href="/partners/ally') == min(count, 25)
    for query in captured.captured_queries:
        assert '."snapshot"' not in query["sql"] and '."rendered_html"' not in query["sql"], query["sql"]
    # validating the partner and subject costs a query each
    with django_assert_num_queries(5):
        html = get(
            client,
            "briefings:briefing-explore",
            "?partner=ally1&subject=Subject+1&updated_from=2020-01-01",
        )
    assert "1 briefing<" in html and "Question 1<" in html
    # count, the page's ids, its claims, published references
    with django_assert_num_queries(4):
        html = get(client, "briefings:claim-list")
    assert f"{2 * count + count} claims" in html
    # and validating the partner
    with django_assert_num_queries(5):
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
    # count, page, partners; validating the partner
    with django_assert_num_queries(4) as captured:
        response = client.get(reverse("briefings:briefing-explore") + "?partner=arden")
    # (Read now: the next request clears the connection's query log.)
    assert not [q["sql"] for q in captured.captured_queries if "DISTINCT" in q["sql"].upper()]
    assert [p.title for p in response.context["publications"]] == ["Water question"]
    assert "1 briefing<" in response.content.decode()
    claims = client.get(reverse("briefings:claim-list") + "?partner=arden").context["claims"]
    assert [c.text for c in claims] == ["Arden lends [1].", "Arden builds [1]."]


@pytest.mark.parametrize("count", [3, 130])
def test_every_claim_page_costs_the_same_few_queries_and_pages_by_id(
    client, django_assert_num_queries, monkeypatch, count
):
    """Deep pages are reached by claim id (?after=, ?before=, ?page=last), the count stops at a limit."""
    from briefings.public import pagination

    monkeypatch.setattr(pagination, "COUNT_LIMIT", 100)
    body = " ".join(f"Claim number {n} [1]." for n in range(count))
    published("Water question", "Estmark", "Arden", body=body)
    # count (bounded), the page's ids, its claims, published references
    for query in ("", "?page=last", "?text=number", "?text=number&page=last", "?page=2"):
        if query == "?page=2" and count < 60:
            continue
        with django_assert_num_queries(4):
            html = get(client, "briefings:claim-list", query)
    html = get(client, "briefings:claim-list")
    if count < 100:
        assert f"{count + 1} claims" in html
        assert 'rel="next"' not in html
        return
    assert "More than 100 claims" in html
    # Page 2 is the last numbered one (100 / 50); its next page is by id.
    html = get(client, "briefings:claim-list", "?page=2")
    assert "Claim number 50 " in html and "Claim number 99 " in html
    last_on_page_2 = response_claims(client, "?page=2")[-1]
    assert f'href="?after={last_on_page_2.pk}" rel="next"' in html
    html = get(client, "briefings:claim-list", f"?after={last_on_page_2.pk}")
    assert "Claim number 100 " in html and "Claim number 99 " not in html
    first = response_claims(client, f"?after={last_on_page_2.pk}")[0]
    assert f'href="?before={first.pk}" rel="prev"' in html
    html = get(client, "briefings:claim-list", f"?before={first.pk}")
    assert "Claim number 99 " in html and "Claim number 100 " not in html
    # The last page ends with the last claim (the partner section's), and offers Previous.
    html = get(client, "briefings:claim-list", "?page=last")
    assert "Arden acts" in html and 'rel="prev"' in html and 'rel="next"' not in html
    for bad in ("?page=3", "?after=abc", "?before=" + "9" * 30, "?after=1&before=2", f"?after={10**9}"):
        assert client.get("/claims/" + bad).status_code == 404, bad


def response_claims(client, query):
    from django.core.cache import caches

    caches["pages"].clear()
    return client.get("/claims/" + query).context["claims"]


def test_day_filters_take_the_whole_day_in_the_sites_time_zone(client, settings):
    """A briefing published at 23:30 in New York (04:30 next day UTC) is on that New York day."""
    settings.TIME_ZONE = "America/New_York"
    zone = ZoneInfo("America/New_York")
    published("Late question", "Estmark", "Arden", when=datetime.datetime(2025, 3, 1, 23, 30, tzinfo=zone))
    published("Early question", "Vellum", "Borea", when=datetime.datetime(2025, 3, 2, 0, 0, tzinfo=zone))

    def titles(query):
        html = get(client, "briefings:briefing-explore", query)
        return {t for t in ("Late question", "Early question") if t in html}

    def claims(query):
        return {c.section.publication.title for c in response_claims(client, query)}

    assert titles("?updated_to=2025-03-01") == {"Late question"}
    assert titles("?updated_from=2025-03-02") == {"Early question"}
    assert titles("?updated_from=2025-03-01&updated_to=2025-03-01") == {"Late question"}
    assert claims("?published_to=2025-03-01") == {"Late question"}
    assert claims("?published_from=2025-03-02") == {"Early question"}
    # The last day there is: everything is on or before it, nothing after it (no overflow, no error).
    assert titles("?updated_to=9999-12-31") == {"Late question", "Early question"}
    assert claims("?published_to=9999-12-31") == {"Late question", "Early question"}
    assert claims("?published_from=9999-12-31") == set()


def test_text_contains_needs_three_characters(client, two_briefings):
    """One or two letters match almost every claim: the form says so and lists nothing."""
    response = client.get("/claims/?text=ab")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Type at least 3 characters (this has 2)." in html
    assert list(response.context["claims"]) == []
    assert {c.text for c in response_claims(client, "?text=cla")} == {"A claim [1]."}


def slow_claims():
    """Claims whose every row takes the database 2 ms to check: a filter no index answers, magnified."""
    from django.db.models.expressions import RawSQL

    return Claim.objects.alias(slow=RawSQL("pg_sleep(0.002)::text", [])).filter(slow="")


@pytest.mark.django_db(transaction=True)
def test_a_count_that_takes_too_long_is_given_up_and_the_list_still_shows(on_postgres, settings, rf):
    """On PostgreSQL the count stops at ASSAY_COUNT_TIMEOUT_MS; the page says "More than 50 claims"."""
    from django.db import connection
    from django.template.loader import render_to_string

    from briefings.public import pagination

    settings.ASSAY_COUNT_TIMEOUT_MS = 20
    body = " ".join(f"Claim number {n} [1]." for n in range(60))
    published("Water question", "Estmark", "Arden", body=body)
    assert pagination.bounded_count(Claim.objects.all()) == 61
    assert pagination.bounded_count(slow_claims()) is None
    # The timeout was the count's alone: the connection is usable and back to no timeout.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
    assert Claim.objects.count() == 61

    # Counting 61 slow rows takes 120 ms: given up; the page's own read (51 rows) is not cut short.
    page = pagination.keyset_page_or_404(rf.get("/claims/"), slow_claims(), 50)
    assert page.paginator.count is None
    assert len(page.object_list) == 50
    assert page.has_next()
    assert page.next_query() == {"page": 2, "after": None, "before": None}
    assert render_to_string("briefings/includes/claim_count.html", {"page_obj": page}) == (
        "More than 50 claims"
    )
    # Past the end of a list that was not counted: 404, never an empty page.
    with pytest.raises(Http404):
        pagination.keyset_page_or_404(rf.get("/claims/?page=3"), slow_claims(), 50)
    # The last page of an uncounted list, where nothing comes before it: counted after all.
    few = slow_claims().filter(pk__in=Claim.objects.order_by("pk").values("pk")[:5])
    settings.ASSAY_COUNT_TIMEOUT_MS = 5  # 5 slow rows: 10 ms
    for query in ("", "?page=last"):
        page = pagination.keyset_page_or_404(rf.get("/claims/" + query), few, 50)
        assert (page.paginator.count, page.number, page.has_previous(), page.has_next()) == (
            5,
            1,
            False,
            False,
        )
    # Page 2 of the 61, reached by number: it is the last, so the count is known too.
    settings.ASSAY_COUNT_TIMEOUT_MS = 20
    page = pagination.keyset_page_or_404(rf.get("/claims/?page=2"), slow_claims(), 50)
    assert (page.paginator.count, page.paginator.num_pages) == (61, 2)
    # The last page reached by id after a given-up count: "More than" what this page shows.
    page = pagination.keyset_page_or_404(rf.get("/claims/?page=last"), slow_claims(), 50)
    assert page.paginator.count is None and page.has_previous() and len(page.object_list) == 50
    assert render_to_string("briefings/includes/claim_count.html", {"page_obj": page}) == (
        "More than 50 claims"
    )
    # Such a page is kept a minute, by the page cache and a CDN, not until the next publish.
    response = pagination.cache_uncounted_briefly(HttpResponse(), page)
    assert response["Cache-Control"] == "max-age=60"
    assert response.page_cache_seconds == 60


@pytest.mark.django_db(transaction=True)
def test_a_claim_list_request_outside_a_transaction_times_its_count(
    on_postgres, client, django_assert_num_queries
):
    """As requests run in production: the count in a transaction of its own, under its timeout."""
    published("Water question", "Estmark", "Arden")
    # BEGIN, the timeout, count, COMMIT; the page's ids, its claims, published references
    with django_assert_num_queries(7) as captured:
        html = get(client, "briefings:claim-list")
    assert "2 claims" in html
    timeouts = [q["sql"] for q in captured.captured_queries if "statement_timeout" in q["sql"]]
    assert timeouts == ["SELECT set_config('statement_timeout', '25ms', true)"]


def test_a_day_at_the_calendars_ends_filters_without_error(client, settings, two_briefings):
    """1 January of year 1 east of UTC is still year 0 there, and 31 December 9999 has no next day."""
    settings.TIME_ZONE = "Asia/Tokyo"
    for name, query in (
        ("briefings:briefing-explore", "?updated_from=0001-01-01"),
        ("briefings:briefing-explore", "?updated_to=9999-12-31"),
        ("briefings:claim-list", "?published_from=0001-01-01"),
        ("briefings:search", "?q=claim&published_from=0001-01-01"),
    ):
        html = get(client, name, query)
        assert "Water question" in html, query
