"""Searching the published text: the same page and tests on SQLite and PostgreSQL."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from briefings.models import PublishedSection
from briefings.public import search as search_module
from briefings.public.search import search_sections
from tests.factories import make_briefing, publish

pytestmark = pytest.mark.django_db


def search(client, q, extra=""):
    response = client.get(reverse("briefings:search") + f"?q={q}{extra}")
    assert response.status_code == 200
    return response.content.decode()


def published(title, sections):
    briefing = make_briefing(title=title, sections=sections)
    publish(briefing)
    return briefing


def test_finds_published_sections_by_words_in_heading_or_body(client):
    water = published(
        "Water question",
        [
            ("Executive summary", "Reservoirs are low [1]."),
            ("Arden: the lender", "Arden finances pipelines [1]."),
        ],
    )
    published("Grain question", [("Executive summary", "Harvests failed [1].")])
    html = search(client, "pipelines")
    assert "1 section matches" in html
    assert f'href="/briefings/{water.slug}/#section-1" dir="auto">Arden: the lender</a>' in html
    assert "Water question" in html
    assert "Harvests" not in html
    assert "<p>Arden finances <mark>pipelines</mark>.</p>" in html
    assert "1 section matches" in search(client, "harvests")


def test_every_word_must_match(client):
    published("Q", [("Executive summary", "Reservoirs are low [1]."), ("Arden: lender", "Arden pays [1].")])
    assert "0 sections match" in search(client, "reservoirs+arden")
    assert "1 section matches" in search(client, "arden+pays")


def test_a_heading_match_ranks_above_a_passing_mention(client):
    published("Passing", [("Executive summary", "Elsewhere, hydropower is mentioned once [1].")])
    published("Central", [("Hydropower in Estmark", "Turbines and dams [1].")])
    results = list(search_sections("hydropower"))
    assert [s.heading for s in results] == ["Hydropower in Estmark", "Executive summary"]


def test_unpublished_text_is_never_found(client):
    briefing = published("Q", [("Executive summary", "Published words [1].")])
    section = briefing.sections.get()
    section.body = "Zanzibarian unpublished words [1]."
    section.save()
    make_briefing(sections=[("Executive summary", "Zanzibarian draft [1].")])
    html = search(client, "zanzibarian")
    assert "0 sections match" in html
    assert "Zanzibarian" not in html.split("</form>")[1]


def test_an_empty_query_shows_only_the_labelled_form(client):
    published("Q", [("Executive summary", "Words [1].")])
    html = search(client, "")
    assert '<label for="search-q">' in html
    assert 'name="q"' in html
    assert "match" not in html
    assert html.count("<h1") == 1


def test_markup_in_query_heading_and_body_is_escaped(client):
    published(
        "<script>t()</script>",
        [("<script>h()</script> ruins", "<script>b()</script> ruins [1].")],
    )
    html = search(client, "ruins")
    assert "<script>" not in html
    for name in ("t", "h"):
        assert f"&lt;script&gt;{name}()&lt;/script&gt;" in html
    assert "<mark>ruins</mark>" in html
    html = search(client, "%3Cscript%3Eq()%3C/script%3E")
    assert "<script>" not in html
    assert 'value="&lt;script&gt;q()&lt;/script&gt;"' in html


def test_page_links_keep_the_query(client):
    for n in range(25):
        published(f"Question {n}", [("Executive summary", f"Aqueducts number {n} [1].")])
    html = search(client, "aqueducts")
    assert "25 sections match" in html
    assert 'href="?q=aqueducts&amp;page=2" rel="next"' in html
    assert 'start="21"' in search(client, "aqueducts", "&page=2")


@pytest.mark.parametrize("count", [2, 40])
def test_search_makes_the_same_few_queries_however_many_results(client, django_assert_num_queries, count):
    for n in range(count):
        published(
            f"Question {n}", [("Executive summary", f"Aqueducts {n} [1]."), ("Aqueducts again", "More [1].")]
        )
    # count, page, title matches
    with django_assert_num_queries(3):
        html = search(client, "aqueducts")
    assert f"{2 * count} sections match" in html
    assert html.count('<h2><a href="/briefings/') == min(2 * count, 20)
    # "question" is in every title and no section: count, title matches (at most five listed)
    with django_assert_num_queries(2):
        html = search(client, "question")
    assert html.count("(title match") == min(count, 5)
    assert ("More titles match" in html) == (count > 5)
    # every filter: a lookup each for partner, source and briefing, then count, page and titles
    arden = published(
        "Arden question",
        [("Executive summary", "Aqueducts [1]."), ("Arden: lender", "Aqueducts [1].", ["Arden"])],
    )
    source = arden.references.get(number=1).source
    with django_assert_num_queries(6):
        html = search(
            client,
            "aqueducts",
            f"&partner=arden&source={source.pk}&briefing={arden.slug}&kind=other"
            "&published_from=2000-01-01&published_to=2999-12-31",
        )
    assert "1 section matches" in html and "with these filters" in html


def test_postgres_search_uses_the_gin_index_on_the_stored_vector(on_postgres):
    published("Q", [("Executive summary", "Aqueducts [1].")])
    query = search_sections("aqueducts")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Else a full scan of another index (the primary key's) can look as cheap for one row.
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "published_section_vector_idx" in plan


def test_the_index_exists_only_on_postgres():
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, PublishedSection._meta.db_table)
    assert ("published_section_vector_idx" in indexes) == (connection.vendor == "postgresql")


@pytest.mark.parametrize("q", ["pipelines%00", "%00pipelines", "%01pipelines%1F", "pipelines%7F"])
def test_control_characters_in_the_query_are_ignored_on_both_databases(client, q):
    published("Water question", [("Executive summary", "Arden finances pipelines [1].")])
    html = search(client, q)
    assert "<mark>pipelines</mark>" in html
    assert "\x00" not in html


def test_a_common_word_ranks_only_the_most_recent_matches_and_says_so(client, monkeypatch):
    monkeypatch.setattr(search_module, "MAX_RESULTS", 3)
    old = published("Oldest", [("Turbines in the old plant", "Turbines everywhere [1].")])
    for n in range(4):
        published(f"Newer {n}", [("Executive summary", f"Turbines number {n} are mentioned [1].")])
    html = search(client, "turbines")
    assert "More than 3 sections match “turbines”" in html
    assert html.count('<h2><a href="/briefings/') == 3
    # The oldest section would rank first (its heading matches) but is past the bound.
    assert f"/briefings/{old.slug}/" not in html
    monkeypatch.setattr(search_module, "MAX_RESULTS", 5)
    html = search(client, "turbines", "&page=1")  # another address: the first is in the page cache
    assert "5 sections match" in html and "More than" not in html
    assert html.index(f"/briefings/{old.slug}/") < html.index("Newer")


# Briefing titles


def test_a_briefing_whose_title_matches_is_listed_first_as_a_title_match(client):
    published("Grain prices", [("Executive summary", "Harvests failed, and desalination stalled [1].")])
    water = published("Desalination in <Estmark>", [("Executive summary", "Reservoirs are low [1].")])
    html = search(client, "desalination")
    titles, sections = html.split('id="title-matches-heading"')[1].split('class="result-count"')
    assert (
        f'<a href="/briefings/{water.slug}/" dir="auto"><mark>Desalination</mark> in &lt;Estmark&gt;</a>'
        in titles
    )
    assert "(title match" in titles and "Grain prices" not in titles
    # Its sections do not mention the word: the title alone found it. The other briefing's section did.
    assert "1 section matches" in sections and "Grain prices" in sections


def test_titles_match_by_every_word_and_only_as_published(client):
    briefing = published("Water question", [("Executive summary", "Words [1].")])
    briefing.title = "Zanzibarian draft title"
    briefing.save()
    assert "title match" not in search(client, "zanzibarian")
    assert "title match" in search(client, "water+question")
    assert "title match" not in search(client, "water+grain")


def test_a_title_match_appears_on_the_first_page_only(client):
    for n in range(25):
        published(f"Aqueducts {n}", [("Executive summary", f"Aqueducts number {n} [1].")])
    assert "title match" in search(client, "aqueducts")
    assert "title match" not in search(client, "aqueducts", "&page=2")


# The claim list's filters


@pytest.fixture
def corpus():
    from sources.models import Source
    from tests.factories import make_source

    report = make_source("Ministry report", kind=Source.Kind.GOVERNMENT)
    paper = make_source("Dam paper", kind=Source.Kind.ACADEMIC)
    water = make_briefing(
        title="Water and dams",
        sections=[
            ("Executive summary", "Dams rise across Estmark [1]."),
            ("Arden: the lender", "Arden funds dams [2].", ["Arden"]),
        ],
        references={1: report, 2: paper},
    )
    publish(water)
    grain = make_briefing(
        title="Grain and dams",
        sections=[("Executive summary", "Dams feed the fields [1].")],
        references={1: paper},
    )
    publish(grain)
    return {"water": water, "grain": grain, "report": report, "paper": paper}


def found(html):
    """(title matches, section results) on a search page, as text."""
    if 'id="title-matches-heading"' not in html:
        return set(), results(html)
    titles = html.split('id="title-matches-heading"')[1].split('class="result-count"')[0]
    titles = re.sub(r"</?mark>", "", titles)
    return {t for t in ("Water and dams", "Grain and dams") if t in titles}, results(html)


def results(html):
    return set(re.findall(r'<p class="meta">From <a href="/briefings/([^/]+)/"', html))


def test_search_offers_the_claim_lists_filters_as_typed_fields(client, corpus):
    html = search(client, "dams")
    form = html.split("</form>")[0]
    for name in ("partner", "source", "briefing", "kind", "published_from", "published_to"):
        assert f'name="{name}"' in form, name
    assert 'name="source" inputmode="numeric"' in form
    assert 'type="date" name="published_from"' in form
    # No list of partners, sources or briefings: only the six kinds of source.
    assert form.count("<option") == 7
    claim_form = client.get(reverse("briefings:claim-list")).content.decode().split("</form>")[0]
    for name in ("partner", "source", "briefing", "kind", "published_from", "published_to"):
        assert f'name="{name}"' in claim_form, name


def test_filters_narrow_both_sections_and_title_matches(client, corpus):
    water, grain = corpus["water"].slug, corpus["grain"].slug
    both = {"Water and dams", "Grain and dams"}
    assert found(search(client, "dams")) == (both, {water, grain})
    assert found(search(client, "dams", "&partner=arden")) == ({"Water and dams"}, {water})
    assert found(search(client, "dams", f"&briefing={grain}")) == ({"Grain and dams"}, {grain})
    assert found(search(client, "dams", f"&source={corpus['report'].pk}")) == ({"Water and dams"}, {water})
    assert found(search(client, "dams", f"&source=/sources/{corpus['paper'].pk}/")) == (both, {water, grain})
    assert found(search(client, "dams", "&kind=government")) == ({"Water and dams"}, {water})
    assert found(search(client, "dams", "&kind=academic")) == (both, {water, grain})
    assert found(search(client, "dams", "&kind=news")) == (set(), set())
    assert found(search(client, "dams", "&published_from=2999-01-01")) == (set(), set())
    assert found(search(client, "dams", "&published_to=2999-01-01")) == (both, {water, grain})
    html = search(client, "dams", "&partner=arden")
    assert 'href="?q=dams">Clear filters</a>' in html
    assert "with these filters" in html


def test_the_kind_filter_reads_the_kind_as_published(client, corpus):
    report = corpus["report"]
    report.kind = "news"
    report.save()
    assert found(search(client, "dams", "&kind=news")) == (set(), set())
    assert results(search(client, "dams", "&kind=government")) == {corpus["water"].slug}
    claims = client.get(reverse("briefings:claim-list") + "?kind=government").content.decode()
    assert "1 claim<" in claims and "Dams rise across Estmark" in claims


def test_claims_filter_by_source_kind_and_publication_date(client, corpus):
    def claims(query):
        html = client.get(reverse("briefings:claim-list") + query).content.decode()
        return {t for t in ("Dams rise", "Arden funds", "Dams feed") if t in html}

    assert claims("?kind=academic") == {"Arden funds", "Dams feed"}
    assert claims("?kind=academic&briefing=" + corpus["grain"].slug) == {"Dams feed"}
    assert claims("?published_from=2999-01-01") == set()
    assert claims("?published_to=2999-01-01") == {"Dams rise", "Arden funds", "Dams feed"}


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("&partner=zephyr", "Partner: No published briefing names a partner “zephyr”."),
        ("&source=abc", "Source: No published briefing cites a source numbered “abc”."),
        ("&source=" + "9" * 30, "Source: No published briefing cites a source numbered"),
        ("&briefing=nowhere", "Briefing: No published briefing is at /briefings/nowhere/."),
        ("&kind=poetry", "Cites a source of kind: Select a valid choice. poetry is not one of the available"),
        ("&published_from=soon", "Published on or after: Enter a valid date."),
    ],
)
def test_a_bad_filter_value_gets_the_claim_lists_error_and_no_results(client, corpus, query, error):
    html = search(client, "dams", query)
    assert error in html
    assert "Nothing was searched: correct the filters above." in html
    assert found(html) == (set(), set())
    claims = client.get(reverse("briefings:claim-list") + "?" + query[1:]).content.decode()
    assert error in claims


def test_markup_in_a_filter_value_is_escaped(client, corpus):
    html = search(client, "dams", "&partner=%3Cscript%3Ex()%3C/script%3E")
    assert "<script>x()" not in html
    assert "“&lt;script&gt;x()&lt;/script&gt;”" in html


def test_the_page_cache_keeps_the_filters_apart(client, corpus):
    everything = search(client, "dams")
    assert results(everything) == {corpus["water"].slug, corpus["grain"].slug}
    narrowed = client.get(reverse("briefings:search") + "?q=dams&partner=arden")
    assert narrowed["X-Page-Cache"] == "miss"
    assert results(narrowed.content.decode()) == {corpus["water"].slug}
    again = client.get(reverse("briefings:search") + "?partner=arden&q=dams&utm_source=x")
    assert again["X-Page-Cache"] == "hit"
    assert again.content == narrowed.content


def test_postgres_title_search_uses_the_title_index(on_postgres):
    from briefings.public.search import search_titles

    published("Aqueducts", [("Executive summary", "Words [1].")])
    query = search_titles("aqueducts")
    assert [p.title for p in query] == ["Aqueducts"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "publication_title_search_idx" in plan
