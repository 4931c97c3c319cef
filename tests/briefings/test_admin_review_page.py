"""The review page shows the difference itself and the warnings; the admin index counts the queue."""

import pytest
from django.test import Client
from django.urls import reverse

from briefings.publishing.review import submit_for_review
from tests.briefings.history_helpers import revise, set_body
from tests.factories import make_briefing, make_user, publish

pytestmark = pytest.mark.django_db

XSS = "<script>alert('x')</script>"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reviewer():
    return logged_in(make_user(username="rhea", group="Reviewers"))


def review_url(briefing):
    return reverse("admin:briefings_briefing_review", args=[briefing.pk])


def test_the_review_page_of_a_first_publication_shows_the_whole_draft_as_added(reviewer):
    briefing = make_briefing(
        sections=[
            ("Executive summary", "A summary claim [1]."),
            ("Arden: the lender", "Arden lends money [1]. Nobody cites this sentence."),
        ]
    )
    content = reviewer.get(review_url(briefing)).content.decode()
    assert "The whole draft: nothing is published yet" in content
    assert content.count("section added") == 2
    assert "<ins>Arden lends money" in content
    # The uncited sentence is a warning, under the section it is in.
    warnings = content.split('id="review-warnings"')[1]
    assert "§1 Arden: the lender" in warnings
    assert "sentence has no citation: &#x27;Nobody cites this sentence.&#x27;" in warnings
    assert "Summary Executive summary" not in warnings


def test_the_review_page_shows_what_changed_since_the_live_publication(reviewer):
    briefing = make_briefing()
    publish(briefing)
    revise(briefing, set_body(1, f"Arden lends less money now [1] [2]. {XSS}"))
    content = reviewer.get(review_url(briefing)).content.decode()
    assert "live publication (v1) to the working copy" in content
    assert "Arden lends <ins>less </ins>money<ins> now</ins>" in content
    assert "section added" not in content
    # An editor's text is shown, never run.
    assert XSS not in content
    assert "&lt;script&gt;" in content


def test_a_review_page_without_warnings_says_so(reviewer):
    briefing = make_briefing()
    content = reviewer.get(review_url(briefing)).content.decode()
    assert "No warnings: every sentence carries a citation or a judgment marker." in content


def test_compare_with_live_for_a_never_published_briefing_shows_the_whole_draft(reviewer):
    briefing = make_briefing()
    response = reviewer.get(
        reverse("admin:briefings_briefing_compare", args=[briefing.pk]) + "?from=live&to=working"
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Live publication (none yet)" in content
    assert "never been published" in content
    assert content.count("section added") == 2


def test_the_queue_links_compare_with_live_for_a_first_publication_and_it_opens(reviewer):
    editor = make_user(group="Editors")
    briefing = make_briefing()
    submit_for_review(briefing=briefing, user=editor, message="Please review")
    queue = reviewer.get(reverse("admin:briefings_briefing_review_queue")).content.decode()
    link = reverse("admin:briefings_briefing_compare", args=[briefing.pk]) + "?from=live&to=working"
    assert link.replace("&", "&amp;") in queue
    assert reviewer.get(link).status_code == 200


def test_the_admin_index_counts_briefings_awaiting_review_and_links_to_the_queue(reviewer):
    editor = make_user(group="Editors")
    for _ in range(2):
        submit_for_review(briefing=make_briefing(), user=editor, message="Please review")
    make_briefing()  # a draft: not counted
    content = reviewer.get(reverse("admin:index")).content.decode()
    queue = reverse("admin:briefings_briefing_review_queue")
    assert f'<a href="{queue}">2 briefings awaiting review</a>' in content
    # An editor sees the count; the queue itself is for reviewers.
    content = logged_in(editor).get(reverse("admin:index")).content.decode()
    assert "2 briefings awaiting review" in content
    assert f'href="{queue}"' not in content


def test_the_review_page_costs_the_same_queries_at_5_and_40_sections(reviewer):
    from tests.briefings.test_admin_scale import big_briefing, counted

    costs = {}
    for n in (5, 40):
        briefing = big_briefing(n)
        publish(briefing)
        revise(briefing, set_body(2, "Zanzibar claims this [1]."))
        response, costs[n] = counted(lambda b=briefing: reviewer.get(review_url(b)))
        assert "<ins>Zanzibar" in response.content.decode()
    assert costs[5] == costs[40], costs
