"""Feeds, sitemap, robots.txt, JSON export and JSON-LD: what readers' tools see."""

import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.urls import reverse

from briefings.models import Publication
from briefings.public import feeds, sitemaps
from tests.factories import make_briefing, make_source, make_user, publish
from tests.sitemap_helpers import sitemap_index, sitemap_urls

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = "Bad </script><script>alert(1)</script> <!-- & title"


def atom_entries(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    return root, root.findall(f"{ATOM}entry")


def json_ld(response):
    """Every JSON-LD block of a page, parsed; the block ends at the first </script>."""
    html = response.content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    return [json.loads(block) for block in blocks]


@pytest.fixture
def corrected(db):
    """A briefing published, updated, then corrected."""
    briefing = make_briefing(title="Sample question: who maintains the dams?")
    first = publish(briefing, note="First publication.")
    update = publish(briefing, note="Added the 2025 figures.", kind=Publication.Kind.UPDATE)
    correction = publish(briefing, note="The dam opened in 1998, not 1989.", kind=Publication.Kind.CORRECTION)
    return briefing, [first, update, correction]


# Feeds


@pytest.mark.django_db
def test_site_feed_lists_each_publication_with_its_kind_note_and_permalink(client, corrected):
    briefing, publications = corrected
    other = make_briefing(title="Sample question: who buys the grain?")
    publish(other, note="First look at the grain trade.")
    make_briefing(title="Sample question: never published")

    root, entries = atom_entries(client.get("/feeds/publications.atom"))

    assert len(entries) == 4
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert "Sample question: never published" not in " ".join(titles)
    correction = next(e for e in entries if e.find(f"{ATOM}category").get("term") == "correction")
    assert correction.find(f"{ATOM}link").get("href") == (f"http://testserver/briefings/{briefing.slug}/v3/")
    assert "The dam opened in 1998, not 1989." in correction.findtext(f"{ATOM}summary")
    assert "Correction" in correction.findtext(f"{ATOM}title")
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/feeds/publications.atom"


@pytest.mark.django_db
def test_briefing_feed_holds_only_that_briefings_publications(client, corrected):
    briefing, publications = corrected
    publish(make_briefing(), note="Another briefing.")

    _, entries = atom_entries(client.get(f"/briefings/{briefing.slug}/feed.atom"))

    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert links == [f"http://testserver/briefings/{briefing.slug}/v{n}/" for n in (3, 2, 1)]


@pytest.mark.django_db
def test_the_site_feed_is_capped_but_a_briefings_feed_has_every_publication(client, corrected, monkeypatch):
    briefing, _ = corrected
    monkeypatch.setattr(feeds, "FEED_LENGTH", 2)
    assert len(atom_entries(client.get("/feeds/publications.atom"))[1]) == 2
    assert len(atom_entries(client.get(f"/briefings/{briefing.slug}/feed.atom"))[1]) == 3


@pytest.mark.django_db
def test_briefing_feed_of_an_unpublished_briefing_is_not_found(client):
    briefing = make_briefing()
    assert client.get(f"/briefings/{briefing.slug}/feed.atom").status_code == 404


@pytest.mark.django_db
def test_feed_escapes_hostile_titles_and_notes(client):
    briefing = make_briefing(title=HOSTILE)
    publish(briefing, note="<img src=x onerror=alert(1)> note")

    _, entries = atom_entries(client.get("/feeds/publications.atom"))

    # The XML parses, the title is the text as typed, and the summary (typed
    # "html") carries the note as escaped text, never as markup.
    assert entries[0].findtext(f"{ATOM}title").startswith(HOSTILE)
    summary = entries[0].findtext(f"{ATOM}summary")
    assert "<img" not in summary
    assert "&lt;img src=x onerror=alert(1)&gt; note" in summary


@pytest.mark.django_db
def test_feeds_answer_conditional_requests(client, corrected):
    briefing, _ = corrected
    for url in ("/feeds/publications.atom", f"/briefings/{briefing.slug}/feed.atom"):
        response = client.get(url)
        assert "public" in response["Cache-Control"]
        assert client.get(url, headers={"if-none-match": response["ETag"]}).status_code == 304
    etag = client.get("/feeds/publications.atom")["ETag"]
    publish(briefing, note="A new update.", kind=Publication.Kind.UPDATE)
    assert client.get("/feeds/publications.atom", headers={"if-none-match": etag}).status_code == 200


@pytest.mark.django_db
def test_every_feed_and_sitemap_answer_is_publicly_cacheable_even_before_anything_is_published(client):
    for url in ("/feeds/publications.atom", "/sitemap.xml", "/sitemaps/home-1.xml", "/robots.txt"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "public" in response["Cache-Control"], url


@pytest.mark.django_db
def test_feed_queries_do_not_grow_with_publications(client, django_assert_max_num_queries):
    for _ in range(2):
        publish(make_briefing(), note="A publication.")
    with django_assert_max_num_queries(3) as small:
        response = client.get("/feeds/publications.atom")
    assert response.status_code == 200
    assert len(atom_entries(response)[1]) == 2
    for _ in range(10):
        publish(make_briefing(), note="A publication.")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/feeds/publications.atom")
    assert response.status_code == 200
    assert len(atom_entries(response)[1]) == 12


# Sitemap and robots.txt


@pytest.mark.django_db
def test_sitemap_lists_home_current_briefings_and_every_permalink_but_no_draft(client, corrected):
    briefing, publications = corrected
    draft = make_briefing(title="Sample question: a draft")

    urls = sitemap_urls(client)

    base = f"http://testserver/briefings/{briefing.slug}/"
    assert set(urls) == {"http://testserver/", base, base + "v1/", base + "v2/", base + "v3/"}
    assert urls[base] == publications[-1].published_at.date().isoformat()
    assert urls["http://testserver/"] == publications[-1].published_at.date().isoformat()
    assert not any(draft.slug in url for url in urls)


@pytest.mark.django_db
def test_sitemap_index_pages_its_sections_and_reaches_every_publication(client, monkeypatch):
    monkeypatch.setattr(sitemaps, "URLS_PER_SITEMAP", 3)
    briefings = [make_briefing(title=f"Sample question {n}?") for n in range(5)]
    for briefing in briefings:
        publish(briefing, note="First publication.")
    publish(briefings[0], note="An update.", kind=Publication.Kind.UPDATE)

    index = sitemap_index(client)

    # 5 briefing addresses in pages of 3, and 6 permanent pages in pages of 3.
    assert index == [
        "/sitemaps/home-1.xml",
        "/sitemaps/briefings-1.xml",
        "/sitemaps/briefings-2.xml",
        "/sitemaps/publications-1.xml",
        "/sitemaps/publications-2.xml",
    ]
    urls = sitemap_urls(client)
    expected = {"http://testserver/"}
    for publication in Publication.objects.select_related("briefing"):
        expected.add(f"http://testserver{publication.briefing.get_absolute_url()}")
        expected.add(f"http://testserver{publication.get_absolute_url()}")
    assert set(urls) == expected
    second = client.get("/sitemaps/publications-2.xml").content.decode()
    assert f"/briefings/{briefings[0].slug}/v2/" in second  # the latest publication is on the last page
    assert client.get("/sitemaps/publications-3.xml").status_code == 404
    assert client.get("/sitemaps/publications-0.xml").status_code == 404
    assert client.get("/sitemaps/drafts-1.xml").status_code == 404


@pytest.mark.django_db
def test_sitemap_pages_answer_conditional_requests_and_change_with_a_publish(client):
    briefing = make_briefing()
    publish(briefing, note="First publication.")
    for url in ("/sitemap.xml", "/sitemaps/publications-1.xml"):
        etag = client.get(url)["ETag"]
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304
        publish(make_briefing(), note="Another briefing.")
        assert client.get(url, headers={"if-none-match": etag}).status_code == 200


@pytest.mark.django_db
def test_sitemap_queries_do_not_grow_with_briefings(client, django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(sitemaps, "URLS_PER_SITEMAP", 4)
    publish(make_briefing(), note="A publication.")
    urls = [
        "/sitemap.xml",
        "/sitemaps/home-1.xml",
        "/sitemaps/briefings-1.xml",
        "/sitemaps/publications-1.xml",
    ]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(2) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries.captured_queries)
    assert len(sitemap_urls(client)) == 1 + 2
    for _ in range(8):
        publish(make_briefing(), note="A publication.")
    for url in urls + ["/sitemaps/briefings-3.xml", "/sitemaps/publications-3.xml"]:
        with django_assert_max_num_queries(counts.get(url, counts[url.replace("-3", "-1")])):
            assert client.get(url).status_code == 200
    assert len(sitemap_urls(client)) == 1 + 2 * 9


@pytest.mark.django_db
def test_robots_txt_points_at_the_sitemap_and_keeps_out_of_admin_and_previews(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Disallow: /preview/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


# JSON export


@pytest.mark.django_db
def test_json_export_of_the_current_and_of_each_publication(client, corrected):
    briefing, publications = corrected

    current = client.get(f"/briefings/{briefing.slug}.json")
    first = client.get(f"/briefings/{briefing.slug}/v1.json")

    assert current["Content-Type"] == "application/json"
    data = current.json()
    assert data["publication"]["number"] == 3
    assert data["publication"]["kind"] == "correction"
    assert data["publication"]["note"] == "The dam opened in 1998, not 1989."
    assert data["publication"]["published_at"] == publications[2].published_at.isoformat()
    assert data["snapshot"] == publications[2].snapshot
    assert data["snapshot"]["schema_version"] == Publication.SCHEMA_VERSION
    assert first.json()["publication"]["number"] == 1
    assert first.json()["snapshot"] == publications[0].snapshot


@pytest.mark.django_db
def test_json_export_is_not_found_for_unpublished_briefings_and_unknown_numbers(client, corrected):
    briefing, _ = corrected
    draft = make_briefing()
    assert client.get(f"/briefings/{draft.slug}.json").status_code == 404
    assert client.get(f"/briefings/{briefing.slug}/v4.json").status_code == 404


@pytest.mark.django_db
def test_json_export_is_cacheable_like_the_page(client, corrected):
    briefing, _ = corrected
    response = client.get(f"/briefings/{briefing.slug}/v1.json")
    assert "public" in response["Cache-Control"]
    assert response["Last-Modified"]
    again = client.get(f"/briefings/{briefing.slug}/v1.json", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


@pytest.mark.django_db
def test_json_export_keeps_markup_as_text(client):
    briefing = make_briefing(title=HOSTILE)
    publish(briefing, note="<b>note</b>")
    data = client.get(f"/briefings/{briefing.slug}.json").json()
    assert data["snapshot"]["briefing"]["title"] == HOSTILE
    assert data["publication"]["note"] == "<b>note</b>"


# JSON-LD and page metadata


@pytest.mark.django_db
def test_briefing_page_describes_itself_as_a_report_with_dates_citations_and_corrections(client, corrected):
    briefing, publications = corrected

    [data] = json_ld(client.get(briefing.get_absolute_url()))

    assert data["@type"] == "Report"
    assert data["headline"] == "Sample question: who maintains the dams?"
    assert data["datePublished"] == publications[0].published_at.isoformat()
    assert data["dateModified"] == publications[2].published_at.isoformat()
    assert len(data["citation"]) == len(publications[2].snapshot["references"])
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "The dam opened in 1998, not 1989.",
            "datePublished": publications[2].published_at.isoformat(),
            "url": f"http://testserver/briefings/{briefing.slug}/v3/",
        }
    ]


@pytest.mark.django_db
def test_an_earlier_version_is_dated_and_corrected_as_it_stood(client, corrected):
    briefing, publications = corrected
    [data] = json_ld(client.get(f"/briefings/{briefing.slug}/v2/"))
    assert data["dateModified"] == publications[1].published_at.isoformat()
    assert "correction" not in data
    assert data["url"] == f"http://testserver/briefings/{briefing.slug}/v2/"


@pytest.mark.django_db
def test_citations_name_their_sources(client):
    source = make_source("The dam report", publisher="River Authority", url="https://example.org/dam")
    briefing = make_briefing(sections=[("Executive summary", "The dam leaks [1].")], references={1: source})
    publish(briefing)
    [data] = json_ld(client.get(briefing.get_absolute_url()))
    assert data["citation"] == [
        {
            "@type": "CreativeWork",
            "name": "The dam report",
            "publisher": {"@type": "Organization", "name": "River Authority"},
            "url": "https://example.org/dam",
        }
    ]


@pytest.mark.django_db
def test_a_script_tag_in_a_title_cannot_end_the_json_ld_block(client):
    source = make_source(HOSTILE, publisher="</script><!--")
    briefing = make_briefing(
        title=HOSTILE, sections=[("Executive summary", f"{HOSTILE} [1].")], references={1: source}
    )
    publish(briefing, note="</script>", kind=None)

    html = client.get(briefing.get_absolute_url()).content.decode()
    [data] = json_ld(client.get(briefing.get_absolute_url()))

    # The block parsed whole: the text survives as typed, and nothing of it is markup.
    assert data["headline"] == HOSTILE
    assert data["citation"][0]["name"] == HOSTILE
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block and "&" not in block
    assert "<script>alert(1)</script>" not in html


@pytest.mark.django_db
def test_briefing_page_has_title_description_and_canonical_link(client, corrected):
    briefing, publications = corrected
    html = client.get(briefing.get_absolute_url()).content.decode()
    assert "<title>Sample question: who maintains the dams? · Assay</title>" in html
    assert f'<link rel="canonical" href="http://testserver/briefings/{briefing.slug}/">' in html
    description = unescape(re.search(r'<meta name="description" content="([^"]*)"', html).group(1))
    assert description == "The sample summary is cited. It has a second claim."

    older = client.get(f"/briefings/{briefing.slug}/v1/").content.decode()
    assert "(version 1)" in older.split("</title>")[0]
    assert f'<link rel="canonical" href="http://testserver/briefings/{briefing.slug}/v1/">' in older


@pytest.mark.django_db
def test_long_summaries_are_cut_at_a_word_for_the_description(client):
    body = "Word " * 100 + "[1]."
    briefing = make_briefing(sections=[("Executive summary", body)])
    publish(briefing)
    html = client.get(briefing.get_absolute_url()).content.decode()
    description = unescape(re.search(r'<meta name="description" content="([^"]*)"', html).group(1))
    assert len(description) <= 160
    assert description.endswith("Word…")


@pytest.mark.django_db
def test_briefing_page_stays_cheap_with_many_versions(client, django_assert_max_num_queries):
    briefing = make_briefing()
    publish(briefing, note="First.")
    with django_assert_max_num_queries(4) as small:
        client.get(briefing.get_absolute_url())
    for n in range(6):
        publish(briefing, note=f"Fix {n}.", kind=Publication.Kind.CORRECTION)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(briefing.get_absolute_url())
    assert len(json_ld(response)[0]["correction"]) == 6


@pytest.mark.django_db
def test_pages_advertise_the_feeds_and_the_export(client, corrected):
    briefing, _ = corrected
    html = client.get(briefing.get_absolute_url()).content.decode()
    assert (
        'type="application/atom+xml" title="Assay: every publication" href="/feeds/publications.atom"' in html
    )
    assert f'href="/briefings/{briefing.slug}/feed.atom"' in html
    assert f'href="/briefings/{briefing.slug}/v3.json"' in html
    assert reverse("briefings:feed") in client.get("/").content.decode()


@pytest.mark.django_db
def test_staff_draft_preview_is_not_described_for_search_engines(client):
    briefing = make_briefing(title="Sample question: still a draft")
    client.force_login(make_user(group="Editors"))
    response = client.get(briefing.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in html
    assert json_ld(response) == []
    assert 'rel="canonical"' not in html
    assert not any(briefing.slug in url for url in sitemap_urls(client))
