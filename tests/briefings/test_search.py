"""Searching the published text: the same page and tests on SQLite and PostgreSQL."""

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
    # count, page
    with django_assert_num_queries(2):
        html = search(client, "aqueducts")
    assert f"{2 * count} sections match" in html
    assert html.count('<h2><a href="/briefings/') == min(2 * count, 20)


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
