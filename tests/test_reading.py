"""Reading comfortably: structure, contrast, print and the 404 page."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_briefing, make_source, publish

CSS = Path(settings.BASE_DIR) / "static" / "css"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Outline(HTMLParser):
    """Landmarks at the top level of <body>, headings in order, and focusable elements."""

    def __init__(self):
        super().__init__()
        self.stack = []
        self.top_level = []
        self.headings = []
        self.ids = set()
        self.first_link = None
        self.lang = None
        self._heading = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if self.stack == ["html", "body"]:
            self.top_level.append(tag)
        if tag == "a" and self.first_link is None and "body" in self.stack:
            self.first_link = attrs.get("href")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self._heading and tag == f"h{self._heading[0]}":
            self.headings.append(tuple(self._heading))
            self._heading = None
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self._heading:
            self._heading[1] += data


def outline(response):
    parser = Outline()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def public_pages(db, client):
    source = make_source("The dam report", publisher="River Authority", url="https://example.org/dam-report")
    briefing = make_briefing(
        sections=[
            ("Executive summary", "The dam leaks [1]."),
            ("Arden: the builder", "Arden built the dam [1].", ["Arden"]),
        ],
        references={1: source},
    )
    publish(briefing)
    publish(briefing, note="Second version.")
    return {
        "home": "/",
        "briefing": briefing.get_absolute_url(),
        "version": f"{briefing.get_absolute_url()}v1/",
        "partner": "/partners/arden/",
        "source": source.get_absolute_url(),
        "not found": "/no/such/page/",
    }


@pytest.mark.django_db
def test_public_pages_have_one_h1_landmarks_and_a_working_skip_link(client, public_pages):
    for name, url in public_pages.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not found" else 200), url
        page = outline(response)
        assert page.lang == "en", url
        assert [level for level, _ in page.headings].count(1) == 1, url
        assert page.headings[0][0] == 1, f"{url}: the first heading is not the h1"
        levels = [level for level, _ in page.headings]
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), f"{url}: {levels}"
        assert [tag for tag in page.top_level if tag in ("header", "main", "footer")] == [
            "header",
            "main",
            "footer",
        ], url
        assert page.first_link == "#main" and "main" in page.ids, url
        assert "<nav" in response.content.decode(), url


def test_focus_is_visible_on_every_interactive_element():
    css = (CSS / "assay.css").read_text()
    rule = re.search(r"([^{}]*:focus-visible[^{}]*)\{([^}]*)\}", css)
    assert rule, "no :focus-visible rule"
    for selector in (
        "a:focus-visible",
        "button:focus-visible",
        "input:focus-visible",
        "select:focus-visible",
    ):
        assert selector in rule.group(1)
    assert re.search(r"outline:\s*[2-9]px solid", rule.group(2))


def css_colours():
    """The custom properties of :root in assay.css, as hex colours."""
    css = (CSS / "assay.css").read_text()
    root = re.search(r":root\s*\{([^}]*)\}", css).group(1)
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", root))


def luminance(hex_colour):
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    lighter, darker = sorted((luminance(a), luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_ratio_formula_matches_wcag_examples():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("text", ["text", "muted", "link", "correction"])
@pytest.mark.parametrize("background", ["background", "banner"])
def test_text_colours_pass_wcag_aa_on_every_background(text, background):
    colours = css_colours()
    ratio = contrast(colours[text], colours[background])
    assert ratio >= 4.5, f"--{text} on --{background}: {ratio:.2f}:1 is below 4.5:1"


def test_focus_outline_stands_out_from_the_page():
    colours = css_colours()
    # WCAG 2.2 non-text contrast for the focus indicator: 3:1.
    assert contrast(colours["focus"], colours["background"]) >= 3


def test_page_background_comes_from_the_checked_variables():
    css = (CSS / "assay.css").read_text()
    assert re.search(r"body\s*\{[^}]*background:\s*var\(--background\)", css)
    assert re.search(r"body\s*\{[^}]*color:\s*var\(--text\)", css)


@pytest.mark.django_db
def test_print_stylesheet_hides_navigation_and_keeps_full_references(client, public_pages):
    html = client.get(public_pages["briefing"]).content.decode()
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html
    # The reference prints its address in full, as text, not only as a link target.
    reference = html.split('id="ref-1"', 1)[1].split("</li>", 1)[0]
    assert ">https://example.org/dam-report</a>" in reference
    assert "<bdi>The dam report</bdi>, <bdi>River Authority</bdi>" in reference
    css = (CSS / "print.css").read_text()
    hidden = re.search(r"([^{}]*)\{\s*display:\s*none", css).group(1)
    for selector in (".site-header", ".skip-link", "nav"):
        assert selector in hidden


@pytest.mark.django_db
def test_pages_work_without_javascript(client, public_pages):
    for name, url in public_pages.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not found" else 200), url
        html = response.content.decode()
        # The content is in the HTML itself, not fetched by a script.
        assert re.search(r"<h1[^>]*>[^<]*\w", html), url
        if name != "not found":
            assert "Arden" in html, url
        # Data blocks, and the one enhancement (citation previews), deferred: nothing the page needs.
        # tests/browser/test_reading.py reads previews with JavaScript off.
        scripts = re.findall(r"<script([^>]*)>", html)
        assert all(
            'type="application/ld+json"' in attrs or attrs == ' src="/static/js/citations.js" defer'
            for attrs in scripts
        ), url
        assert html.count("js/citations.js") == 1, url


@pytest.mark.django_db
def test_unknown_address_gets_the_sites_404_page(client, settings):
    settings.DEBUG = False
    make_briefing(slug="not-published")
    for url in ("/no/such/page/", "/briefings/not-published/", "/briefings/not-published.json"):
        response = client.get(url)
        assert response.status_code == 404
        assert "404.html" in [t.name for t in response.templates]
        html = response.content.decode()
        assert "<h1>Page not found</h1>" in html
        assert '<a class="skip-link" href="#main">' in html
        assert "/static/css/assay.css" in html
        assert "Traceback" not in html and "URLconf" not in html
