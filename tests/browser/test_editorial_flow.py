"""One briefing from an empty admin form to a public page, in Chromium, as two people would do it.

An editor creates the briefing (sections, a partner and a reference chosen
with the autocomplete fields), saves with an error and is refused with the
text kept, saves with a warning, reorders sections, and submits. A
different account, a reviewer, finds it in the queue, approves and
publishes it, and the public page shows the text in the new order.
"""

import re

import pytest
from playwright.sync_api import expect

from briefings.models import Briefing
from tests.factories import make_partner, make_source, make_user

PASSWORD = "a-sample-password-42"
TITLE = "Who keeps the Estmark river flowing?"
SLUG = "who-keeps-the-estmark-river-flowing"  # what the admin makes of the title


@pytest.fixture
def people_and_records():
    editor = make_user(username="eda", group="Editors", password=PASSWORD)
    reviewer = make_user(username="rhea", group="Reviewers", password=PASSWORD)
    make_partner("Arden")
    make_source(
        title="Arden river survey (sample)", publisher="Arden Survey Office", url="https://arden.example/s"
    )
    return editor, reviewer


def log_in_through_the_form(page, username):
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text(username)


def choose_in_autocomplete(page, select_id, typed, option):
    """Open the select2 widget next to ``select_id``, type, and pick the option the server offers."""
    page.locator(f"#{select_id} + .select2-container").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(typed)
    page.locator(".select2-container--open .select2-results__option", has_text=option).click()
    expect(page.locator(f"#{select_id} + .select2-container")).to_contain_text(option)


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()


def section_headings(page):
    return [
        page.input_value(f"#id_sections-{i}-heading")
        for i in range(page.locator(".inline-related.has_original[id^=sections-]").count())
    ]


def test_an_editor_writes_and_a_reviewer_publishes_a_briefing(
    browser, live_server, people_and_records, assert_accessible
):
    editor_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    reviewer_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        page = editor_context.new_page()
        log_in_through_the_form(page, "eda")

        # A new briefing: its executive summary, one partner section, and a reference.
        page.goto("/admin/briefings/briefing/add/")
        page.locator("#id_title").fill(TITLE)
        page.locator("#id_title").press("Tab")
        expect(page.locator("#id_slug")).to_have_value(SLUG)
        page.locator("#id_subject").fill("Estmark")
        expect(page.locator("#id_sections-0-heading")).to_have_value("Executive summary")
        page.locator("#id_sections-0-body").fill("Arden surveys the river every spring [1].")

        page.locator("#sections-group .add-row a").click()
        page.locator("#id_sections-1-heading").fill("Arden: the surveyor")
        choose_in_autocomplete(page, "id_sections-1-partners", "Ard", "Arden")
        page.locator("#id_sections-1-body").fill(
            "Arden publishes its survey [1]. Its divers map the riverbed [7]."
        )

        page.locator("#sections-group .add-row a").click()
        page.locator("#id_sections-2-heading").fill("Dams and weirs")
        page.locator("#id_sections-2-body").fill("Three weirs hold the water back [1].")

        page.locator("#references-group .add-row a").click()
        page.locator("#id_references-0-number").fill("1")
        choose_in_autocomplete(page, "id_references-0-source", "river survey", "Arden river survey (sample)")

        # [7] names no reference: refused, with the reason beside the section and the text kept.
        save_and_continue(page)
        expect(page.locator(".errornote").first).to_be_visible()
        expect(page.locator("#sections-1")).to_contain_text("[7] names no entry in the reference list")
        expect(page.locator("#id_sections-1-body")).to_have_value(
            "Arden publishes its survey [1]. Its divers map the riverbed [7]."
        )
        assert not Briefing.objects.filter(slug=SLUG).exists()
        assert_accessible(page)

        # Without the bad marker it saves; the uncited sentence is a warning, not a refusal.
        page.locator("#id_sections-1-body").fill(
            "Arden publishes its survey [1]. Its divers map the riverbed."
        )
        save_and_continue(page)
        expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
        expect(page.locator(".messagelist .warning")).to_contain_text("Saved with a warning")
        expect(page.locator(".messagelist .warning")).to_contain_text("Arden: the surveyor")
        expect(page.locator(".messagelist .warning")).to_contain_text("sentence has no citation")
        assert section_headings(page) == ["Executive summary", "Arden: the surveyor", "Dams and weirs"]

        # Reorder: "Dams and weirs" moves above the partner section.
        first, second = (
            page.input_value("#id_sections-1-position"),
            page.input_value("#id_sections-2-position"),
        )
        page.locator("#id_sections-1-position").fill(second)
        page.locator("#id_sections-2-position").fill(first)
        # Publishing would refuse the uncited sentence: mark it as the desk's judgment.
        page.locator("#id_sections-1-body").fill(
            "Arden publishes its survey [1:2]. Its divers map the riverbed [judgment: moderate]."
        )
        page.locator("#id_change_note").fill("Weirs first")
        save_and_continue(page)
        expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
        assert section_headings(page) == ["Executive summary", "Dams and weirs", "Arden: the surveyor"]

        # Submit for review.
        page.get_by_role("link", name="Submit for review…").click()
        page.get_by_label("Message").fill("Ready: the weirs section now comes first.")
        page.get_by_role("button", name="Submit for review").click()
        expect(page.locator(".messagelist .success")).to_contain_text("Submitted for review")

        # A different account reviews and publishes.
        page = reviewer_context.new_page()
        log_in_through_the_form(page, "rhea")
        page.goto("/admin/briefings/briefing/")
        page.get_by_role("link", name=re.compile(r"Awaiting review \(1\)")).click()
        row = page.locator("#review-queue tbody tr", has_text=TITLE)
        expect(row).to_contain_text("eda")
        row.get_by_role("link", name="Review…").click()
        expect(page.locator("#content")).to_contain_text("Ready: the weirs section now comes first.")
        page.get_by_label("Note").fill("First publication of the river briefing.")
        page.get_by_role("button", name="Approve and publish").click()
        expect(page.locator(".messagelist .success")).to_contain_text("Approved and published as version 1")

        # Readers see the published text, in the new order.
        page.goto(f"/briefings/{SLUG}/")
        expect(page.locator("h1")).to_have_text(TITLE)
        article = page.locator("article")
        expect(article).to_contain_text("Arden surveys the river every spring")
        expect(article).to_contain_text("Its divers map the riverbed.")
        expect(article.locator(".judgment")).to_contain_text("Judgment · moderate confidence")
        expect(page.locator("#sourcing")).to_contain_text("1 judgment by the desk: 0 low confidence")
        text = article.inner_text()
        assert text.index("Dams and weirs") < text.index("Arden: the surveyor") < text.index("References")
        expect(page.locator("#changes")).to_contain_text("First publication of the river briefing.")
        assert Briefing.objects.get(slug=SLUG).publications.get().published_by.username == "rhea"
    finally:
        editor_context.close()
        reviewer_context.close()
