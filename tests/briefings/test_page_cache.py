"""The page cache: published pages answered without the database, and never stale after a publish."""

import os

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from briefings.models import Briefing
from briefings.publishing import generation
from tests.briefings.history_helpers import revise, set_body
from tests.factories import make_briefing, make_user, publish

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("ASSAY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def published():
    briefing = make_briefing(slug="cached-question")
    publish(briefing)
    return Briefing.objects.get(pk=briefing.pk)


def page(briefing):
    return reverse("briefings:briefing-detail", args=[briefing.slug])


def test_a_second_reader_is_served_from_the_cache_without_the_database(
    client, published, django_assert_num_queries
):
    first = client.get(page(published))
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(page(published))
    assert second.status_code == 200
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "public" in second["Cache-Control"]


def test_a_hit_answers_a_conditional_request_with_304(client, published, django_assert_num_queries):
    etag = client.get(page(published))["ETag"]
    with django_assert_num_queries(0):
        response = client.get(page(published), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""


def test_readers_see_a_new_publication_as_soon_as_it_is_published(client, published):
    assert "The sample summary is cited" in client.get(page(published)).content.decode()
    client.get(page(published))  # cached now
    revise(published, set_body(0, "A corrected summary is cited [1]. It has a second claim [2]."))
    # An edit is not public: the cached page is still right.
    assert "The sample summary is cited" in client.get(page(published)).content.decode()

    publish(Briefing.objects.get(pk=published.pk), note="Corrected the summary.")
    html = client.get(page(published)).content.decode()
    assert "A corrected summary is cited" in html
    assert "Corrected the summary." in html


def test_the_home_page_and_lists_are_emptied_by_a_publish(client, published):
    home = reverse("briefings:briefing-list")
    client.get(home)
    assert client.get(home)["X-Page-Cache"] == "hit"
    other = make_briefing(title="A second sample question?", slug="second-question")
    publish(other)
    response = client.get(home)
    assert response["X-Page-Cache"] == "miss"
    assert "A second sample question?" in response.content.decode()


def test_a_junk_query_string_is_served_the_same_cached_page(client, published, django_assert_num_queries):
    explore = reverse("briefings:claim-list")
    first = client.get(explore, {"text": "summary"})
    with django_assert_num_queries(0):
        junk = client.get(explore, {"text": "summary", "utm_source": "x", "nonce": "123"})
        reordered = client.get(f"{explore}?nonce=9&text=summary")
    assert junk["X-Page-Cache"] == reordered["X-Page-Cache"] == "hit"
    assert junk.content == first.content
    # A parameter the page reads is a different page.
    other = client.get(explore, {"text": "second"})
    assert other["X-Page-Cache"] == "miss"
    assert other.content != first.content


def test_junk_parameters_never_reach_the_page(client, published):
    html = client.get(reverse("briefings:claim-list"), {"text": "claim", "tracking": "zz-junk-zz"})
    assert "zz-junk-zz" not in html.content.decode()


def test_the_admin_previews_and_health_are_never_cached(client, published):
    client.force_login(make_user(username="ed", group="Editors"))
    admin = reverse("admin:briefings_briefing_changelist")
    client.get(admin)
    assert "X-Page-Cache" not in client.get(admin)
    assert "X-Page-Cache" not in client.get("/healthz")


def test_a_new_release_is_not_served_the_old_release_pages(client, published):
    with override_settings(ASSAY_RELEASE="release-a"):
        client.get(page(published))
        assert client.get(page(published))["X-Page-Cache"] == "hit"
    with override_settings(ASSAY_RELEASE="release-b"):
        response = client.get(page(published))
    assert response["X-Page-Cache"] == "miss"
    assert "release-b" in response["ETag"]


def test_the_cache_can_be_turned_off(client, published):
    with override_settings(ASSAY_PAGE_CACHE=False):
        client.get(page(published))
        response = client.get(page(published))
    assert "X-Page-Cache" not in response


@pytest.fixture
def redis_pages():
    """The ``pages`` cache on the Redis server this machine (and CI) runs."""
    settings_dict = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "assay-test-pages",
    }
    with override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "pages": settings_dict,
        }
    ):
        cache = caches["pages"]
        cache.clear()  # fails loudly when Redis is not running: these tests are never skipped
        yield cache
        cache.clear()


def test_through_redis_a_publish_empties_the_cache_every_worker_reads(client, published, redis_pages):
    client.get(page(published))
    assert client.get(page(published))["X-Page-Cache"] == "hit"
    # Another worker process: its own connection to the same Redis sees the same generation.
    before = generation.current()
    publish(Briefing.objects.get(pk=published.pk), note="Republished through Redis.")
    assert generation.current() != before
    response = client.get(page(published))
    assert response["X-Page-Cache"] == "miss"
    assert "Republished through Redis." in response.content.decode()
    assert redis_pages.get("generation") == generation.current()


@pytest.mark.django_db(transaction=True)
def test_after_a_committed_publish_no_reader_gets_the_page_from_before(client):
    briefing = make_briefing(slug="committed-question")
    publish(briefing)
    client.get(page(briefing))
    stale_generation = generation.current()
    publish(Briefing.objects.get(pk=briefing.pk), note="A committed republication.")
    # Advanced again once the transaction committed.
    assert generation.current() != stale_generation
    assert "A committed republication." in client.get(page(briefing)).content.decode()


def test_a_withdrawal_empties_the_cache(client, published):
    from briefings.publishing.takedown import withdraw_publication

    client.get(page(published))
    assert client.get(page(published))["X-Page-Cache"] == "hit"
    reviewer = make_user(username="rhea", group="Reviewers")
    withdraw_publication(
        publication=published.publications.get(), user=reviewer, notice="Withdrawn after a court order."
    )
    response = client.get(page(published))
    assert response.status_code == 410
    assert "Withdrawn after a court order." in response.content.decode()


def test_while_the_database_is_down_cached_pages_are_still_served(client, published):
    from tests.security.test_database_outage import database_down

    home = reverse("briefings:briefing-list")
    expected = client.get(page(published)).content
    with database_down():
        cached = client.get(page(published))
        uncached = client.get(home)
    assert cached.status_code == 200
    assert cached.content == expected
    assert uncached.status_code == 503
