"""Admin layout that only a browser can check: nothing covers the title, nothing overflows a phone."""

import pytest
from django.urls import reverse

from briefings.editing.draft import Draft, SectionDraft
from briefings.editing.working_copy import write
from tests.factories import make_briefing, make_user, publish

LONG_TITLE = (
    "Sample briefing: how do Arden, Belmont and Corvia shape Estmark's water security, "
    "and what would change their minds?"
)


def boxes_overlap(a, b):
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.fixture
def long_briefing_with_history():
    editor = make_user(username="eda", group="Editors")
    briefing = make_briefing(title=LONG_TITLE, user=editor)
    publish(briefing, note="First publication of the sample.")
    for n in range(3):
        sections = tuple(
            SectionDraft(
                id=s.pk,
                heading=s.heading,
                body=s.body + f" Revision {n} adds a sentence [1].",
                partners=frozenset(s.partners.values_list("pk", flat=True)),
            )
            for s in briefing.sections.order_by("position")
        )
        draft = Draft(
            title=briefing.title,
            slug=briefing.slug,
            subject=briefing.subject,
            sections=sections,
            references=tuple(briefing.references.values_list("number", "source_id")),
        )
        write(draft=draft, briefing=briefing, user=editor, comment=f"A longer change note for revision {n}")
    return briefing


@pytest.mark.parametrize("width", [1280, 1024])
def test_the_header_buttons_do_not_cover_the_briefings_title(long_briefing_with_history, page, log_in, width):
    log_in(make_user(username="rhea", group="Reviewers"))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("admin:briefings_briefing_change", args=[long_briefing_with_history.pk]))
    titles = [page.locator("#content > h1"), page.locator("#content > h2").first]
    tools = page.locator("#content .object-tools li")
    assert tools.count() >= 4  # review, previews, compare, history, view on site
    for title in titles:
        title_box = title.bounding_box()
        assert title_box["x"] + title_box["width"] <= width
        for i in range(tools.count()):
            tool = tools.nth(i)
            assert not boxes_overlap(title_box, tool.bounding_box()), (
                f"“{tool.inner_text()}” covers the title “{title.inner_text()[:40]}…” at {width} px"
            )


def test_the_history_table_fits_a_phone(long_briefing_with_history, page, log_in):
    log_in(make_user(username="rhea", group="Reviewers"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("admin:briefings_briefing_history", args=[long_briefing_with_history.pk]))
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= 390, f"the page is {scroll_width} px wide on a 390 px phone"
    rows = page.locator("#change-history tbody tr")
    assert rows.count() == 4
    # Each revision's comment and links get most of the width, not a letter a line.
    for cell in ("td[data-label=Comment]", "td[data-label=Actions]"):
        box = rows.first.locator(cell).bounding_box()
        assert box["width"] >= 250, f"{cell} is {box['width']} px wide"
    # The choice of revisions to compare still works.
    rows.nth(3).locator("input[name=from]").check()
    page.get_by_role("button", name="Compare selected revisions").click()
    assert "from=1" in page.url and "to=4" in page.url
