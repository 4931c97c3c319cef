"""Point 3 of issue 9: hostile input answers 400/404 or a bounded result, quickly, never a 500."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from briefings.admin.guards import MAX_SEARCH_TERMS
from briefings.text.parsing import FormatError, parse_document
from config.converters import INT64_MAX, bounded_int
from tests.factories import make_briefing, make_source, make_user, publish

pytestmark = pytest.mark.django_db

HUGE = "9" * 5000  # beyond int()'s 4,300-digit limit
TIME_LIMIT = 3.0  # seconds; each of these answered in milliseconds once fixed


@pytest.fixture
def published():
    briefing = make_briefing()
    publish(briefing)
    publish(briefing, note="A second version.")
    return briefing


@pytest.fixture
def reviewer_client():
    client = Client(raise_request_exception=False)
    client.force_login(make_user(group="Reviewers"))
    return client


def timed(call):
    started = time.monotonic()
    response = call()
    elapsed = time.monotonic() - started
    assert elapsed < TIME_LIMIT, f"took {elapsed:.1f}s"
    return response


def test_bounded_int_refuses_numbers_int_cannot_parse():
    assert bounded_int(HUGE) is None
    assert bounded_int(HUGE, INT64_MAX) is None
    assert bounded_int("12") == 12
    assert bounded_int(str(INT64_MAX), INT64_MAX) == INT64_MAX


def test_a_5000_digit_revision_in_the_compare_query_is_not_found(reviewer_client, published):
    url = reverse("admin:briefings_briefing_compare", args=[published.pk])
    for params in ({"from": HUGE}, {"to": HUGE}, {"from": "#" + HUGE}):
        response = timed(lambda params=params: reviewer_client.get(url, params))
        assert response.status_code == 404, params


def test_a_5000_digit_preview_link_in_the_revoke_post_is_not_found(reviewer_client, published):
    url = reverse("admin:briefings_briefing_previews", args=[published.pk])
    reviewer_client.post(url, {"action": "create", "label": "For a partner desk", "days": 3})
    response = timed(lambda: reviewer_client.post(url, {"action": "revoke", "link": HUGE}))
    assert response.status_code == 404
    assert published.preview_links.get().revoked_at is None


@pytest.mark.parametrize(
    "path",
    [
        "/sources/{n}/",
        "/briefings/{slug}/v{n}/",
        "/briefings/{slug}/v{n}.json",
        "/briefings/{slug}/compare/v{n}...v1/",
        "/admin/briefings/briefing/{pk}/revert/{n}/",
        "/admin/briefings/briefing/{pk}/history/{n}/",
        "/admin/briefings/briefing/recover/{n}/",
        "/admin/briefings/briefing/{n}/compare/",
    ],
)
def test_5000_digit_numbers_in_urls_are_not_found(reviewer_client, published, path):
    url = path.format(n=HUGE, slug=published.slug, pk=published.pk)
    assert timed(lambda: reviewer_client.get(url)).status_code == 404


@pytest.mark.parametrize(
    "url", ["/?page={n}", "/claims/?page={n}", "/sources/?page={n}", "/briefings/?page={n}"]
)
def test_5000_digit_page_numbers_are_not_found(client, published, url):
    client.raise_request_exception = False
    assert timed(lambda: client.get(url.format(n=HUGE))).status_code == 404


def test_admin_history_page_with_5000_digits_is_not_found(reviewer_client, published):
    url = reverse("admin:briefings_briefing_history", args=[published.pk])
    assert timed(lambda: reviewer_client.get(url, {"p": HUGE})).status_code == 404


def test_huge_citation_and_section_numbers_in_text_are_format_errors_not_crashes():
    with pytest.raises(FormatError):
        parse_document(f"A question?\n\nExecutive summary\n\nA claim [{HUGE}].\n")
    # A line that starts with a long number is prose, not a heading.
    document = parse_document(f"A question?\n\nExecutive summary\n\n{HUGE}. A claim [1].\n")
    assert len(document.sections) == 1


WORDS = " ".join(f"word{n}" for n in range(1700))


@pytest.mark.parametrize(
    "changelist",
    ["briefings_briefing", "sources_source", "briefings_partner", "briefings_publication"],
)
def test_a_1700_word_admin_search_is_capped_with_a_message(reviewer_client, published, changelist):
    make_source(title="word0 word1 word2")
    url = reverse(f"admin:{changelist}_changelist")
    response = timed(lambda: reviewer_client.get(url, {"q": WORDS}))
    assert response.status_code == 200
    assert f"Search uses at most {MAX_SEARCH_TERMS} words" in response.content.decode()
    assert "of the 1700 words given" in response.content.decode()


def test_a_capped_search_still_finds_by_its_first_words(reviewer_client):
    make_source(title="Reservoir levels in the north")
    url = reverse("admin:sources_source_changelist")
    response = timed(lambda: reviewer_client.get(url, {"q": "reservoir " + WORDS}))
    assert response.status_code == 200
    # word0…word8 are not in the title, so nothing matches all ten terms; the page still answers.
    response = timed(lambda: reviewer_client.get(url, {"q": "reservoir north"}))
    assert "Reservoir levels in the north" in response.content.decode()


def test_a_huge_autocomplete_search_answers(reviewer_client):
    url = reverse("admin:autocomplete")
    params = {"term": WORDS, "app_label": "sources", "model_name": "reference", "field_name": "source"}
    response = timed(lambda: reviewer_client.get(url, params))
    assert response.status_code == 200


CATASTROPHIC = "(a+)+$"


@pytest.mark.parametrize(
    ("changelist", "query"),
    [
        ("briefings_briefing", {"title__regex": CATASTROPHIC}),
        ("briefings_briefing", {"title__iregex": CATASTROPHIC}),
        ("briefings_briefing", {"sections__body__regex": CATASTROPHIC}),
        ("sources_source", {"title__regex": CATASTROPHIC}),
        ("sources_source", {"notes__contains": "internal"}),
        ("sources_source", {"url__startswith": "https://"}),
        ("briefings_partner", {"description__regex": CATASTROPHIC}),
        ("briefings_publication", {"note__regex": CATASTROPHIC}),
        ("briefings_publication", {"published_by__password__startswith": "pbkdf2"}),
        ("auth_user", {"password__regex": "^pbkdf2"}),
    ],
)
def test_lookups_outside_the_list_filters_are_refused(changelist, query, published):
    client = Client(raise_request_exception=False)
    client.force_login(make_user(superuser=True))
    for n in range(3):
        make_source(title="a" * 40 + f"!{n}")
    url = reverse(f"admin:{changelist}_changelist")
    response = timed(lambda: client.get(url, query))
    assert response.status_code == 400, (changelist, query)


@pytest.mark.parametrize(
    ("changelist", "query"),
    [
        ("sources_source", {"details_pending__exact": "1"}),
        ("sources_source", {"kind__exact": "news"}),
        ("sources_source", {"grade__exact": "B"}),
        ("briefings_publication", {"kind__exact": "update"}),
    ],
)
def test_the_list_filters_own_lookups_still_work(reviewer_client, published, changelist, query):
    url = reverse(f"admin:{changelist}_changelist")
    response = timed(lambda: reviewer_client.get(url, query))
    assert response.status_code == 200, (changelist, query)
