"""The admin pages an editor and a reviewer use have no axe-core violations and no Nu HTML errors.

Each page is loaded in Chromium with a briefing that exercises it: several
sections with partners, a reference list, a live publication, later edits
and a pending review, so the change form has filled-in autocomplete fields,
the history has rows, and the compare and review pages have a diff.
"""

import pytest
from django.urls import reverse

from briefings.editing.draft import Draft, SectionDraft
from briefings.editing.working_copy import write
from briefings.publishing.review import submit_for_review
from tests.factories import make_briefing, make_source, make_user, publish


@pytest.fixture
def briefing_under_review():
    editor = make_user(username="eda", group="Editors")
    briefing = make_briefing(
        sections=[
            ("Executive summary", "Arden and Bexley both lend to Estmark [1]. Their terms differ [2] [3]."),
            ("Arden: the lender", "Arden lends money [1] [2].", ["Arden"]),
            ("Bexley: the builder", "Bexley builds the dams [3].", ["Bexley", "Arden"]),
        ],
        references={
            1: make_source(
                title="Arden's annual report", publisher="Arden Treasury", url="https://arden.example/r"
            ),
            2: make_source(title="Loan terms compared", url="https://terms.example/2"),
            3: make_source(title="Bexley dam works", url="https://bexley.example/dams"),
        },
        user=editor,
    )
    publish(briefing, note="First publication of the sample.")
    sections = list(briefing.sections.order_by("position"))
    draft = Draft(
        title=briefing.title,
        slug=briefing.slug,
        subject=briefing.subject,
        sections=tuple(
            SectionDraft(
                id=s.pk,
                heading=s.heading,
                body=s.body.replace("lends money", "lends money at 4%") + (" Not cited." if i else ""),
                partners=frozenset(s.partners.values_list("pk", flat=True)),
            )
            for i, s in enumerate(sections)
        ),
        references=tuple(briefing.references.values_list("number", "source_id")),
    )
    write(draft=draft, briefing=briefing, user=editor, comment="Rates added")
    submit_for_review(briefing=briefing, user=editor, message="Rates added; please check [2].")
    return briefing


def admin_pages(briefing):
    source = briefing.references.get(number=1).source
    partner = briefing.sections.get(position=1).partners.get()
    pk = briefing.pk
    return {
        "index": reverse("admin:index"),
        "briefing list": reverse("admin:briefings_briefing_changelist"),
        "briefing change form": reverse("admin:briefings_briefing_change", args=[pk]),
        "new briefing form": reverse("admin:briefings_briefing_add"),
        "history": reverse("admin:briefings_briefing_history", args=[pk]),
        "compare": reverse("admin:briefings_briefing_compare", args=[pk]) + "?from=live&to=working",
        "review page": reverse("admin:briefings_briefing_review", args=[pk]),
        "review queue": reverse("admin:briefings_briefing_review_queue"),
        "source change form": reverse("admin:sources_source_change", args=[source.pk]),
        "source list": reverse("admin:sources_source_changelist"),
        "partner change form": reverse("admin:briefings_partner_change", args=[partner.pk]),
        "submit page": reverse("admin:briefings_briefing_submit", args=[pk]),
        "preview links": reverse("admin:briefings_briefing_previews", args=[pk]),
        "restore page": reverse("admin:briefings_briefing_revert", args=[pk, 1]),
    }


PAGES = [
    "index",
    "briefing list",
    "briefing change form",
    "new briefing form",
    "history",
    "compare",
    "review page",
    "review queue",
    "source change form",
    "source list",
    "partner change form",
    "submit page",
    "preview links",
    "restore page",
]


@pytest.mark.parametrize("name", PAGES)
def test_admin_page_has_no_axe_violations_and_no_nu_errors(
    name, briefing_under_review, page, log_in, check_axe, check_nu
):
    reviewer = make_user(username="rhea", group="Reviewers")
    log_in(reviewer)
    url = admin_pages(briefing_under_review)[name]
    response = page.goto(url)
    assert response.status == 200, f"{name}: {url} answered {response.status}"
    assert "login" not in page.url
    html = response.text()
    problems = [check_axe(page), check_nu(html, f"{name} ({url})")]
    problems = [p for p in problems if p]
    assert not problems, "\n\n".join(problems)
