"""Nothing unpublished reaches a reader, at any public address.

A briefing is published, then its working copy is edited with a marker in
every field a reader could see (title, subject, a heading, a body, a new
partner, a published partner's name, slug and description, a source's title,
publisher and URL, a new reference), and a second
briefing is created and never published. The test then requests every public
URL pattern the resolver knows, filled in with every slug, number and id in
the database (published or not), with search and filter query strings, and
follows every link and GET form it finds. The marker must appear nowhere.

A URL pattern this test does not know how to fill makes it fail: add new
public routes to PUBLIC_URLS (or, if readers must never reach them, to
PRIVATE_URL_NAMES) so that they are walked too.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from briefings.editing.draft import SectionDraft, current_draft
from briefings.editing.working_copy import write
from briefings.models import Briefing, Partner, Publication
from briefings.publishing.snapshot import build_snapshot
from sources.models import Reference, Source
from tests.factories import make_briefing, make_source, publish

# Two words put side by side in every unpublished edit. Searches and filters
# use the first (a page may echo the query back), so pages that answer them
# are checked for the second; every other page is checked for both.
MARKER = "quokkaquill"
ECHO_SAFE_MARKER = "zebrafinch"
MARKED = f"{MARKER.capitalize()} {ECHO_SAFE_MARKER}"

MAX_REQUESTS = 2000

MARKED_URL = f"https://example.org/{MARKER}/{ECHO_SAFE_MARKER}"
# Marker-free, like the new partner's, so that a page echoing its own address is no false alarm.
RENAMED_PARTNER_SLUG = "arden-renamed"


def briefing_slugs(data):
    return [{"slug": slug} for slug in data["briefing_slugs"]]


def publication_numbers(data):
    # Also a number one past the last, which must not leak the working copy.
    return [{"slug": slug, "number": number} for slug, number in data["publication_numbers"]]


# Route name -> how to fill its parameters from the data the test built.
PUBLIC_URLS = {
    "healthz": lambda data: [{}],
    "sitemap": lambda data: [{}],
    "sitemap-section": lambda data: [
        {"section": section, "page": 1} for section in ("home", "briefings", "publications")
    ],
    "robots-txt": lambda data: [{}],
    "briefings:briefing-list": lambda data: [{}],
    "briefings:feed": lambda data: [{}],
    "briefings:briefing-detail": briefing_slugs,
    "briefings:briefing-json": briefing_slugs,
    "briefings:briefing-feed": briefing_slugs,
    "briefings:publication-detail": publication_numbers,
    "briefings:publication-json": publication_numbers,
    "briefings:partner-detail": lambda data: [{"slug": slug} for slug in data["partner_slugs"]],
    "sources:source-detail": lambda data: [{"pk": pk} for pk in data["source_ids"]],
    "briefings:briefing-explore": lambda data: [{}],
    "briefings:claim-list": lambda data: [{}],
    "briefings:search": lambda data: [{}],
    "sources:source-list": lambda data: [{}],
    "briefings:publication-compare": lambda data: [
        {"slug": slug, "a": a, "b": b}
        for slug, number in data["publication_numbers"]
        for a, b in ((1, number), (number, 1))
    ],
}

# Routes readers must never reach; they are not walked. Anything under the
# "admin" namespace is excluded as a whole.
PRIVATE_NAMESPACES = {"admin"}
PRIVATE_URL_NAMES = {"briefings:preview"}

# Query strings tried on every page that takes no parameters.
LIST_QUERIES = [
    {"q": MARKER},
    {"search": MARKER},
    {"text": MARKER},
    {"title": MARKER},
    {"page": "2"},
]


def public_patterns(patterns=None, namespaces=()):
    """(name, route) for every URL pattern outside the private namespaces."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in PRIVATE_NAMESPACES:
                continue
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from public_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            yield name, entry


class LinksAndForms(HTMLParser):
    """Collects hrefs and GET forms (with their field names and select options)."""

    def __init__(self):
        super().__init__()
        self.links = []
        self.forms = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.forms.append({"action": attrs.get("action") or "", "text": [], "choices": {}})
        elif not self.forms:
            return
        elif tag in ("input", "textarea") and attrs.get("name"):
            if attrs.get("type", "text") in ("hidden", "checkbox", "radio"):
                self.forms[-1]["choices"].setdefault(attrs["name"], []).append(attrs.get("value", "on"))
            elif attrs.get("type", "text") not in ("submit", "button", "reset", "image"):
                self.forms[-1]["text"].append(attrs["name"])
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self.forms[-1]["choices"].setdefault(self._select, [])
        elif tag == "option" and self._select:
            self.forms[-1]["choices"][self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form_queries(form):
    """Each text field with the marker, and each choice on its own."""
    queries = []
    if form["text"]:
        queries.append(dict.fromkeys(form["text"], MARKER))
    for name, values in form["choices"].items():
        queries += [{name: value} for value in values[:25] if value]
    return queries


def filterset_queries(pattern):
    """django-filter views: every declared filter with the marker as its value."""
    view_class = getattr(pattern.callback, "view_class", None)
    filterset_class = getattr(view_class, "filterset_class", None)
    if filterset_class is None:
        return []
    return [{name: MARKER} for name in filterset_class.base_filters]


def local_path(url):
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != "testserver":
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith(("/admin/", "/static/")):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def edit_without_publishing(briefing, new_partner_name):
    """Marker everywhere a reader could see it, saved as a revision but not published."""
    # The slug is kept marker-free so that a page echoing its own address is no false alarm.
    partner = Partner.objects.create(name=f"{new_partner_name} {MARKED}", slug="new-partner")
    new_source = make_source(f"{MARKED} report", publisher=MARKED, url="https://example.org/marked")
    draft = current_draft(briefing)
    summary, section, *rest = draft.sections
    extra = SectionDraft(
        id=None,
        heading=f"{new_partner_name}: {MARKED}",
        body=f"{MARKED} [1].",
        partners=frozenset([partner.pk]),
    )
    draft = draft.replace(
        title=f"{draft.title} {MARKED}",
        subject=MARKED,
        sections=(
            summary.__class__(
                summary.id, summary.heading, f"{summary.body} {MARKED} is now cited [3].", summary.partners
            ),
            section.__class__(section.id, f"Arden: {MARKED}", section.body, section.partners),
            *rest,
            extra,
        ),
        references=(*draft.references, (3, new_source.pk)),
    )
    write(draft=draft, briefing=briefing, user=None, comment="An unpublished edit")
    # A source the published text cites, corrected in place: shared, not yet republished.
    cited = Reference.objects.get(briefing=briefing, number=1).source
    cited.title = f"{MARKED} corrected title"
    cited.publisher = MARKED
    cited.url = MARKED_URL
    cited.save()
    # A published partner, renamed and moved in the admin (shared, not yet republished).
    arden = Partner.objects.get(slug="arden")
    arden.name = f"Arden {MARKED}"
    arden.slug = RENAMED_PARTNER_SLUG
    arden.description = f"{MARKED} description."
    arden.save()


def walk_data():
    return {
        "briefing_slugs": sorted(Briefing.objects.values_list("slug", flat=True)) + ["no-such-briefing"],
        "publication_numbers": [
            (slug, number)
            for slug in Briefing.objects.values_list("slug", flat=True)
            for number in range(1, Publication.objects.filter(briefing__slug=slug).count() + 2)
        ],
        "partner_slugs": sorted(Partner.objects.values_list("slug", flat=True)) + ["no-such-partner"],
        "source_ids": sorted(Source.objects.values_list("pk", flat=True)) + [999999],
    }


def walk(client, data):
    """Request every public URL; return {url: body} and the patterns the test could not fill."""
    unknown = []
    queue = []
    for name, pattern in public_patterns():
        if name in PRIVATE_URL_NAMES:
            continue
        if name not in PUBLIC_URLS:
            unknown.append(f"{name or '(unnamed)'}: {pattern.pattern}")
            continue
        for kwargs in PUBLIC_URLS[name](data):
            url = reverse(name, kwargs=kwargs)
            queue.append(url)
            if not kwargs:
                queries = LIST_QUERIES + filterset_queries(pattern)
                queue += [f"{url}?{urlencode(query)}" for query in queries]
    seen = {}
    while queue and len(seen) < MAX_REQUESTS:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.status_code in (301, 302, 303, 307, 308):
            target = local_path(response["Location"])
            seen[url] = ""
            if target:
                queue.append(target)
            continue
        body = response.content.decode("utf-8", errors="replace")
        # Headers (a download's file name, say) are public too.
        seen[url] = f"{dict(response.headers)}\n{body}"
        if "html" in response.get("Content-Type", "") or "xml" in response.get("Content-Type", ""):
            parser = LinksAndForms()
            parser.feed(body)
            links = parser.links + re.findall(r"<loc>([^<]+)</loc>", body)
            queue += [path for path in map(local_path, links) if path]
            for form in parser.forms:
                action = local_path(form["action"] or url.split("?")[0])
                if action:
                    queue += [f"{action.split('?')[0]}?{urlencode(q)}" for q in form_queries(form)]
    return seen, unknown


def leaks(pages):
    found = []
    for url, body in pages.items():
        text = body.lower()
        if ECHO_SAFE_MARKER in text or (MARKER not in url.lower() and MARKER in text):
            found.append(url)
    return found


@pytest.fixture
def edited_briefing(db):
    briefing = make_briefing(
        title="Sample question: who funds the northern canal?",
        sections=[
            ("Executive summary", "The canal is funded by two lenders [1]. Work began last year [2]."),
            ("Arden: the main lender", "Arden lends most of the money [1] [2].", ["Arden"]),
        ],
    )
    publish(briefing, note="First publication.")
    publish(briefing, note="Fixed a date in the summary.", kind=Publication.Kind.CORRECTION)
    edit_without_publishing(briefing, new_partner_name="Newland")
    # A briefing that was never published at all.
    make_briefing(
        title=f"Draft question: {MARKED}?",
        subject=MARKED,
        sections=[("Executive summary", f"{MARKED} draft text [1].", [f"Newland {MARKED}"])],
    )
    return briefing


@pytest.mark.django_db
def test_no_public_url_shows_an_unpublished_edit(client, edited_briefing):
    # The edits are real: the working copy, which staff preview, carries the marker.
    assert MARKED in str(build_snapshot(edited_briefing))
    pages, unknown = walk(client, walk_data())
    assert not unknown, (
        "Public URL patterns this test cannot fill; add them to PUBLIC_URLS in "
        f"{__name__.replace('.', '/')}.py (or PRIVATE_URL_NAMES): {unknown}"
    )
    assert len(pages) < MAX_REQUESTS, "the walk was cut short; raise MAX_REQUESTS"
    assert leaks(pages) == []
    # The walk reached the published pages, not just 404s.
    briefing_url = edited_briefing.get_absolute_url()
    assert "Sample question: who funds the northern canal?" in pages[briefing_url]
    # The partner's published slug and name still serve; the unpublished slug does not.
    assert '<h1 dir="auto">Arden</h1>' in pages["/partners/arden/"]
    assert f"/partners/{RENAMED_PARTNER_SLUG}/" in pages
    assert client.get(f"/partners/{RENAMED_PARTNER_SLUG}/").status_code == 404
    assert {
        "/sitemap.xml",
        "/sitemaps/publications-1.xml",
        "/robots.txt",
        "/feeds/publications.atom",
        f"{briefing_url}v2/",
    } <= set(pages)


@pytest.mark.django_db
def test_the_walk_finds_the_marker_once_it_is_published(client, edited_briefing):
    """The same walk, after publishing the edit, does see it: the check above can fail."""
    publish(edited_briefing, note="Added the new partner.")
    pages, _ = walk(client, walk_data())
    found = leaks(pages)
    slug = edited_briefing.slug
    for url in (
        f"/briefings/{slug}/",
        f"/briefings/{slug}/v3/",
        f"/briefings/{slug}.json",
        f"/briefings/{slug}/feed.atom",
        "/feeds/publications.atom",
        "/",
        "/partners/new-partner/",
        f"/partners/{RENAMED_PARTNER_SLUG}/",
    ):
        assert url in found
    assert f"{MARKED} description." in pages[f"/partners/{RENAMED_PARTNER_SLUG}/"]
    cited = Reference.objects.get(briefing=edited_briefing, number=1).source_id
    assert MARKED_URL in pages[f"/sources/{cited}/"]


def test_every_public_route_is_known_to_the_walk():
    """Fails as soon as a branch adds a route without saying how to walk it."""
    names = {name for name, _ in public_patterns()} - PRIVATE_URL_NAMES
    assert names - set(PUBLIC_URLS) == set()
