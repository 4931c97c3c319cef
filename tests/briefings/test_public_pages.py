"""The public reading pages: only publications, escaped, cheap and cacheable."""

import datetime
import re
from email.utils import parsedate_to_datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing, Publication, Section
from briefings.public.release import released_at
from sources.models import Source
from tests.factories import make_briefing, make_source, make_user, publish

pytestmark = pytest.mark.django_db


def detail_url(briefing):
    return reverse("briefings:briefing-detail", args=[briefing.slug])


@pytest.fixture
def published():
    briefing = make_briefing(
        title="Sample question: who shapes Estmark's water?",
        subject="Estmark",
        sections=[
            ("Executive summary", "Three partners shape the supply [1] [2]."),
            ("Arden: the lender", "Arden refinanced the debt [2].", ["Arden"]),
            ("Belmont: the builder", "Belmont built the plants [1].", ["Belmont"]),
        ],
        references={
            1: make_source("Water ministry statement (sample)", publisher="Estmark ministry"),
            2: make_source("Placeholder source", details_pending=True),
        },
    )
    publish(briefing, note="First publication.")
    return briefing


def set_published_at(briefing, number, when):
    Publication.objects.filter(briefing=briefing, number=number).update(published_at=when)


def test_home_lists_published_briefings_only(client, published):
    make_briefing(title="A never published draft")
    set_published_at(published, 1, datetime.datetime(2025, 3, 4, 12, tzinfo=datetime.UTC))
    html = client.get("/").content.decode()
    assert "Sample question: who shapes Estmark&#x27;s water?" in html
    assert "Estmark" in html
    assert 'href="/partners/arden/"><bdi>Arden</bdi></a>' in html
    assert 'href="/partners/belmont/"><bdi>Belmont</bdi></a>' in html
    assert "Updated <time" in html and "4 March 2025" in html
    assert f'href="{detail_url(published)}"' in html
    assert "never published draft" not in html


def test_the_briefing_page_has_anchors_citations_and_references(client, published):
    response = client.get(detail_url(published))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 dir="auto">Sample question: who shapes Estmark&#x27;s water?</h1>' in html
    assert 'id="summary"' in html
    assert 'id="section-1"' in html and 'id="section-2"' in html
    assert 'id="ref-1"' in html and 'id="ref-2"' in html
    sups = re.findall(r'<sup class="citation"[^>]*><a href="(#ref-\d+)"', html)
    assert sups == ["#ref-1", "#ref-2", "#ref-2", "#ref-1"]
    assert "<bdi>Water ministry statement (sample)</bdi>, <bdi>Estmark ministry</bdi>" in html
    assert "Placeholder source" not in html
    assert "Details pending: [2] of" in html
    assert 'href="/partners/arden/"' in html
    assert "Published <time" in html


def test_an_updated_briefing_says_published_and_updated(client, published):
    Section.objects.filter(briefing=published, position=1).update(body="Arden lends again [2].")
    publish(published, note="Arden section updated.")
    set_published_at(published, 1, datetime.datetime(2025, 1, 2, 9, tzinfo=datetime.UTC))
    set_published_at(published, 2, datetime.datetime(2025, 2, 3, 9, tzinfo=datetime.UTC))
    html = client.get(detail_url(published)).content.decode()
    assert re.search(
        r"Published <time[^>]*>2 January 2025</time> · Updated <time[^>]*>3 February 2025</time>", html
    )
    assert "Arden lends again [2]." not in html  # markers are rendered as links
    assert "Arden lends again" in html
    assert "Arden section updated." in html  # change log


def test_each_publication_has_a_permalink(client, published):
    Section.objects.filter(briefing=published, position=1).update(body="Arden lends again [2].")
    publish(published, note="Update.")
    v1 = client.get(reverse("briefings:publication-detail", args=[published.slug, 1])).content.decode()
    v2 = client.get(reverse("briefings:publication-detail", args=[published.slug, 2])).content.decode()
    assert "Arden refinanced the debt" in v1 and "Arden lends again" not in v1
    assert "You are reading version 1" in v1
    assert "Arden lends again" in v2 and "You are reading version" not in v2
    missing = client.get(reverse("briefings:publication-detail", args=[published.slug, 3]))
    assert missing.status_code == 404


def test_a_never_published_briefing_is_hidden_except_from_staff(client):
    briefing = make_briefing(title="A draft question?")
    assert client.get(detail_url(briefing)).status_code == 404
    assert client.get(reverse("briefings:publication-detail", args=[briefing.slug, 1])).status_code == 404

    not_staff = make_user(group="Editors")
    not_staff.is_staff = False
    not_staff.save()
    client.force_login(not_staff)
    assert client.get(detail_url(briefing)).status_code == 404

    client.force_login(make_user(group="Editors"))
    response = client.get(detail_url(briefing))
    assert response.status_code == 200
    html = response.content.decode()
    assert "not published" in html
    assert '<meta name="robots" content="noindex">' in html
    assert response["X-Robots-Tag"] == "noindex"
    assert "private" in response["Cache-Control"]
    assert "A draft question?" in html


def test_working_copy_changes_stay_private_until_published(client, published):
    Briefing.objects.filter(pk=published.pk).update(title="An unpublished new title?")
    Section.objects.filter(briefing=published, position=1).update(
        body="An unpublished claim [2].", heading="Corvia: unpublished"
    )
    Source.objects.filter(references__briefing=published, references__number=1).update(
        title="Unpublished source title"
    )
    pages = [
        "/",
        detail_url(published),
        reverse("briefings:publication-detail", args=[published.slug, 1]),
        reverse("briefings:partner-detail", args=["arden"]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "unpublished" not in html.lower(), url
    publish(published, note="Now public.")
    html = client.get(detail_url(published)).content.decode()
    assert "An unpublished new title?" in html
    assert "An unpublished claim" in html


def test_markup_typed_by_editors_is_shown_escaped(client):
    briefing = make_briefing(
        title="Is <script>alert('t')</script> safe?",
        subject="<b>Estmark</b>",
        sections=[
            ("Executive summary", "Body <script>alert('b')</script> and {{ x }} {% now 'Y' %} [1]."),
            ("Arden: <script>alert('h')</script>", "Arden [1].", ["Arden"]),
        ],
        references={1: make_source("Source <script>alert('s')</script>")},
    )
    publish(briefing)
    for url in ("/", detail_url(briefing)):
        html = client.get(url).content.decode()
        assert "<script>" not in html, url
        assert "&lt;script&gt;" in html, url
    html = client.get(detail_url(briefing)).content.decode()
    assert "&lt;script&gt;alert(&#x27;b&#x27;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#x27;h&#x27;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#x27;s&#x27;)&lt;/script&gt;" in html
    assert "{{ x }} {% now &#x27;Y&#x27; %}" in html
    assert "&lt;b&gt;Estmark&lt;/b&gt;" in html


def test_pages_support_conditional_get_and_public_caching(client, published):
    response = client.get(detail_url(published))
    assert response.status_code == 200
    etag = response["ETag"]
    assert etag and response["Last-Modified"]
    assert "public" in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]

    again = client.get(detail_url(published), headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    since = client.get(detail_url(published), headers={"if-modified-since": response["Last-Modified"]})
    assert since.status_code == 304

    # A new publication changes the validator.
    publish(published, note="Update.")
    Publication.objects.filter(briefing=published, number=2).update(
        published_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    fresh = client.get(detail_url(published), headers={"if-none-match": etag})
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag


def test_a_304_carries_the_same_validators_as_the_page(client, published):
    response = client.get(detail_url(published))
    again = client.get(detail_url(published), headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == response["ETag"]
    assert again["Last-Modified"] == response["Last-Modified"]
    assert "public" in again["Cache-Control"]


def test_a_new_release_makes_cached_pages_stale(client, published, settings):
    """After a deploy, a revalidating browser gets the new HTML (new CSS), not a 304."""
    settings.ASSAY_RELEASE = "2026.11.1"
    response = client.get(detail_url(published))
    assert "2026.11.1" in response["ETag"]
    settings.ASSAY_RELEASE = "2026.11.2"
    fresh = client.get(detail_url(published), headers={"if-none-match": response["ETag"]})
    assert fresh.status_code == 200
    assert "2026.11.2" in fresh["ETag"]
    assert client.get(detail_url(published), headers={"if-none-match": fresh["ETag"]}).status_code == 304


def test_the_release_in_an_etag_cannot_break_the_header(client, published, settings):
    settings.ASSAY_RELEASE = 'v1 "quoted", with spaces'
    etag = client.get(detail_url(published))["ETag"]
    assert re.fullmatch(r'"[A-Za-z0-9._-]+"', etag), etag


def test_without_a_configured_release_the_files_name_it(client, published, settings):
    settings.ASSAY_RELEASE = ""
    etag = client.get(detail_url(published))["ETag"]
    assert re.fullmatch(r'"pub-\d+-of-1-r[0-9a-f]{12}"', etag), etag


def test_last_modified_is_never_older_than_the_release(client, published):
    set_published_at(published, 1, datetime.datetime(2001, 1, 1, tzinfo=datetime.UTC))
    response = client.get(detail_url(published))
    assert parsedate_to_datetime(response["Last-Modified"]) == released_at()
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(detail_url(published), headers={"if-modified-since": old}).status_code == 200


def make_big_briefing(n_sections):
    sections = [("Executive summary", "The summary [1].")]
    sections += [
        (f"Partner{i}: section {i}", f"Claim {i} [{i}] [1].", [f"Partner{i}"]) for i in range(1, n_sections)
    ]
    briefing = make_briefing(sections=sections)
    publish(briefing)
    return briefing


QUERIES_PER_BRIEFING_PAGE = 2


@pytest.mark.parametrize("n_sections", [2, 40])
def test_the_briefing_page_makes_a_constant_number_of_queries(client, django_assert_num_queries, n_sections):
    briefing = make_big_briefing(n_sections)
    with django_assert_num_queries(QUERIES_PER_BRIEFING_PAGE):
        response = client.get(detail_url(briefing))
    assert response.status_code == 200
    assert response.content.decode().count('<sup class="citation"') == 1 + 2 * (n_sections - 1)


@pytest.mark.parametrize("n_briefings", [1, 12])
def test_the_home_page_makes_a_constant_number_of_queries(client, django_assert_num_queries, n_briefings):
    for _ in range(n_briefings):
        make_big_briefing(3)
    # count, page, the page's partners (as each publication published them)
    with django_assert_num_queries(3) as captured:
        response = client.get("/")
    assert response.status_code == 200
    assert response.content.decode().count('href="/partners/') == 2 * n_briefings
    # A list needs titles and partners, never whole snapshots or article bodies.
    for query in captured.captured_queries:
        assert '."snapshot"' not in query["sql"] and '."rendered_html"' not in query["sql"], query["sql"]


def home_meta(client, briefing):
    html = client.get("/").content.decode()
    start = html.index(f'href="{detail_url(briefing)}"')
    meta = html[html.index('<p class="meta">', start) : html.index("</p>", start)]
    return " ".join(re.sub(r"<[^>]+>", "", meta).split())


def test_the_home_page_names_each_partner_once_in_section_order(client):
    briefing = make_briefing(
        title="Sample question?",
        subject="Estmark",
        sections=[
            ("Executive summary", "Three partners shape the supply [1]."),
            ("Corvia: the guard", "Corvia polices the plants [1].", ["Corvia"]),
            ("Arden and Corvia: lenders", "Both lend [1].", ["Arden", "Corvia"]),
            ("The limits of support: a theme", "Nobody controls the rain [1]."),
        ],
    )
    publish(briefing)
    set_published_at(briefing, 1, datetime.datetime(2025, 3, 4, 12, tzinfo=datetime.UTC))
    assert home_meta(client, briefing) == "Estmark · Corvia, Arden · Updated 4 March 2025"


def test_the_home_page_meta_line_without_partners_or_subject_has_no_stray_separators(client):
    briefing = make_briefing(
        title="Sample question?", subject="", sections=[("Executive summary", "Rain [1].")]
    )
    publish(briefing)
    set_published_at(briefing, 1, datetime.datetime(2025, 3, 4, 12, tzinfo=datetime.UTC))
    assert home_meta(client, briefing) == "Updated 4 March 2025"
