"""Reading the evidence in Chromium: citation previews on a phone and a desktop, by mouse, keyboard and touch.

static/js/citations.js places each preview inside the viewport, closes it on
Escape and makes the first tap on a citation open it; without JavaScript the
previews are CSS only (shown on hover and focus).
"""

import pytest
from django.urls import reverse

from tests.factories import make_briefing, make_source, publish

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# Words of varied length, so that citations fall at different places on a line, some at its end.
WORDS = [
    "Arden",
    "lends",
    "to",
    "Estmark",
    "for",
    "dams",
    "and",
    "long",
    "pipelines",
    "across",
    "the",
    "dry",
    "southern",
    "plain",
]


@pytest.fixture
def briefing():
    long_title = "A deliberately long source title, so that its preview is as wide as previews get"
    sources = {
        1: make_source(long_title, publisher="Arden Development Bank"),
        2: make_source("Reservoir levels", publisher="Estmark Ministry of Water"),
        3: make_source("Placeholder to-do", details_pending=True),
    }
    sentences = [
        f"{' '.join(WORDS[: 3 + n % 9])} [{1 + n % 3}]." for n in range(60)
    ]  # many citations, on every part of a line
    briefing = make_briefing(
        title="Where the water goes",
        sections=[
            ("Executive summary", " ".join(sentences[:30])),
            ("Arden: the lender", " ".join(sentences[30:]), ["Arden"]),
        ],
        references=sources,
    )
    publish(briefing)
    return briefing


def url(briefing):
    return reverse("briefings:briefing-detail", args=[briefing.slug])


def tip_of(citation):
    return citation.locator(".cite-tip")


def inside(box, viewport):
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


def rightmost_citation(page):
    """The index (among sup.citation) of the citation whose link ends closest to the viewport's right edge."""
    return page.evaluate(
        """() => {
            const links = [...document.querySelectorAll('sup.citation > a')];
            const view = document.documentElement.clientHeight;
            let best = -1, right = -1;
            links.forEach((a, i) => {
                const r = a.getBoundingClientRect();
                if (r.top > 0 && r.bottom < view && r.right > right) { best = i; right = r.right; }
            });
            return best;
        }"""
    )


@pytest.fixture
def csp_errors(page):
    """Console messages about the Content-Security-Policy (an inline style or script refused)."""
    messages = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    return messages


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_preview_at_the_right_edge_stays_inside_the_viewport(page, briefing, csp_errors, viewport):
    page.set_viewport_size(viewport)
    page.goto(url(briefing))
    page.locator("#section-1").scroll_into_view_if_needed()
    citations = page.locator("sup.citation")
    index = rightmost_citation(page)
    citation = citations.nth(index)
    link_box = citation.locator("a").bounding_box()
    citation.locator("a").hover()
    tip = tip_of(citation)
    assert tip.is_visible()
    box = tip.bounding_box()
    # The case is a real one: left-aligned at its citation, as the CSS alone puts it, it would overflow.
    assert link_box["x"] + box["width"] > viewport["width"], (link_box, box)
    assert inside(box, viewport), (box, viewport)
    assert box["width"] > 100  # a readable preview, not squeezed to nothing
    assert not csp_errors, csp_errors


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_preview_near_the_bottom_opens_upwards(page, briefing, viewport):
    page.set_viewport_size(viewport)
    page.goto(url(briefing))
    link = page.locator("#section-1-cite-5 > a")
    # Put the citation on the last line of the viewport.
    link.evaluate("a => window.scrollBy(0, a.getBoundingClientRect().bottom - window.innerHeight + 4)")
    link_box = link.bounding_box()
    assert link_box["y"] + link_box["height"] > viewport["height"] - 30
    link.focus()
    tip = page.locator("#section-1-cite-5-tip")
    assert tip.is_visible()
    box = tip.bounding_box()
    assert inside(box, viewport), (box, viewport)
    assert box["y"] + box["height"] <= link_box["y"] + 1  # above its citation


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_preview_on_the_page_stays_inside_the_viewport(page, briefing, viewport):
    page.set_viewport_size(viewport)
    page.goto(url(briefing))
    citations = page.locator("sup.citation")
    for i in range(0, citations.count(), 3):
        citation = citations.nth(i)
        citation.locator("a").focus()
        tip = tip_of(citation)
        assert tip.is_visible(), i
        assert inside(tip.bounding_box(), viewport), (i, tip.bounding_box())


def test_escape_closes_the_preview_and_leaves_focus_and_address_alone(page, briefing):
    page.set_viewport_size(DESKTOP)
    page.goto(url(briefing))
    address = page.url
    link = page.locator("#summary-cite-1 > a")
    tip = page.locator("#summary-cite-1-tip")
    link.focus()
    assert tip.is_visible()
    page.keyboard.press("Escape")
    assert tip.is_hidden()
    assert page.evaluate(
        "() => document.activeElement.closest('sup') && document.activeElement.closest('sup').id"
    ) == ("summary-cite-1")
    assert page.url == address
    # A hovered preview closes too, although the pointer is still on its citation.
    other = page.locator("#summary-cite-2 > a")
    other.hover()
    assert page.locator("#summary-cite-2-tip").is_visible()
    page.keyboard.press("Escape")
    assert page.locator("#summary-cite-2-tip").is_hidden()
    # Moving to the next citation with the keyboard opens that one.
    page.keyboard.press("Tab")
    assert page.locator("#summary-cite-2-tip").is_visible()


def test_the_pointer_can_move_onto_the_preview_without_closing_it(page, briefing):
    page.set_viewport_size(DESKTOP)
    page.goto(url(briefing))
    page.locator("#summary-cite-3 > a").hover()
    tip = page.locator("#summary-cite-3-tip")
    box = tip.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    page.wait_for_timeout(500)
    assert tip.is_visible()
    page.mouse.move(5, 5)
    page.wait_for_timeout(500)
    assert tip.is_hidden()


@pytest.fixture
def touch_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_on_touch_the_first_tap_shows_the_preview_and_the_second_follows_the_link(touch_page, briefing):
    page = touch_page
    page.goto(url(briefing))
    address = page.url
    link = page.locator("#summary-cite-2 > a")
    tip = page.locator("#summary-cite-2-tip")
    scroll = page.evaluate("() => window.scrollY")
    link.tap()
    assert tip.is_visible()
    assert page.url == address  # no jump: the hash is unchanged
    assert page.evaluate("() => window.scrollY") == scroll
    assert inside(tip.bounding_box(), PHONE)
    link.tap()
    page.wait_for_url("**#ref-2")
    assert page.url == address + "#ref-2"
    assert page.evaluate("() => window.scrollY") > scroll


def test_on_touch_a_tap_elsewhere_or_on_another_citation_closes_the_preview(touch_page, briefing):
    page = touch_page
    page.goto(url(briefing))
    first, second = page.locator("#summary-cite-1-tip"), page.locator("#summary-cite-2-tip")
    page.locator("#summary-cite-1 > a").tap()
    assert first.is_visible()
    page.locator("#summary-cite-2 > a").tap()
    assert first.is_hidden() and second.is_visible()
    page.locator("h1").tap()
    assert second.is_hidden()
    assert "#" not in page.url


def test_without_javascript_previews_still_show_on_hover_and_focus(browser, live_server, briefing):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url(briefing))
        tip = page.locator("#summary-cite-1-tip")
        assert tip.is_hidden()
        page.locator("#summary-cite-1 > a").hover()
        assert tip.is_visible()
        page.mouse.move(5, 5)
        page.locator("#summary-cite-2 > a").focus()
        assert page.locator("#summary-cite-2-tip").is_visible()
        assert page.evaluate("() => document.documentElement.classList.contains('cites-js')") is False
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_briefing_page_has_no_axe_violations_with_a_preview_open(
    page, briefing, assert_accessible, viewport
):
    page.set_viewport_size(viewport)
    page.goto(url(briefing))
    assert_accessible(page)
    page.locator("#summary-cite-3 > a").focus()
    assert page.locator("#summary-cite-3-tip").is_visible()
    assert_accessible(page)


def test_reference_back_links_lead_to_the_first_citation_in_each_section(page, briefing):
    page.set_viewport_size(DESKTOP)
    page.goto(url(briefing))
    links = page.locator("#ref-1 .backlinks a")
    assert links.count() == 2
    reference = page.locator("#ref-1")
    assert reference.get_by_role("link", name="Summary, 10 citations", exact=True).count() == 1
    section = reference.get_by_role("link", name="§1: Arden: the lender, 10 citations", exact=True)
    assert section.count() == 1
    section.click()
    page.wait_for_url("**#section-1-cite-1")
    assert page.locator("#section-1-cite-1").evaluate("e => e.matches(':target')")


def test_search_page_with_its_filters_has_no_axe_violations(page, briefing, assert_accessible):
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto(reverse("briefings:search") + "?q=water&partner=nobody")
        assert page.locator(".errorlist").first.is_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
        assert_accessible(page)
