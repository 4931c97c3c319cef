"""Out-of-range and malformed numbers in URLs and form fields are a 404 or a clear error, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from tests.briefings.history_helpers import number_of
from tests.factories import make_briefing, make_user, publish

pytestmark = pytest.mark.django_db

HUGE = "9" * 25  # beyond any database integer
BIGINT_PLUS_ONE = str(2**63)
INT_PLUS_ONE = str(2**31)


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


@pytest.mark.parametrize("number", [HUGE, BIGINT_PLUS_ONE, INT_PLUS_ONE])
def test_huge_numbers_in_public_urls_are_not_found(client, published, number):
    client.raise_request_exception = False
    slug = published.slug
    urls = [
        f"/sources/{number}/",
        f"/briefings/{slug}/v{number}/",
        f"/briefings/{slug}/v{number}.json",
        f"/briefings/{slug}/compare/v{number}...v1/",
        f"/briefings/{slug}/compare/v1...v{number}/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    # The same pages with numbers in range still work.
    assert client.get(f"/briefings/{slug}/compare/v1...v2/").status_code == 200


@pytest.mark.parametrize("number", [HUGE, BIGINT_PLUS_ONE, INT_PLUS_ONE])
def test_huge_numbers_in_admin_urls_are_not_found(reviewer_client, published, number):
    base = f"/admin/briefings/briefing/{published.pk}"
    urls = [
        f"{base}/revert/{number}/",
        f"{base}/history/{number}/",
        f"/admin/briefings/briefing/recover/{number}/",
        f"/admin/briefings/briefing/{number}/compare/",
        f"/admin/briefings/briefing/{number}/previews/",
    ]
    for url in urls:
        assert reviewer_client.get(url).status_code == 404, url
    revision_id = Version.objects.get_for_object(published).first().revision_id
    assert reviewer_client.get(f"{base}/revert/{number_of(revision_id)}/").status_code == 200


@pytest.mark.parametrize("number", [HUGE, BIGINT_PLUS_ONE, INT_PLUS_ONE, "-1", "1e3"])
def test_huge_revision_ids_in_the_compare_query_are_not_found(reviewer_client, published, number):
    url = reverse("admin:briefings_briefing_compare", args=[published.pk])
    for params in ({"from": number}, {"to": number}):
        response = reviewer_client.get(url, params)
        assert response.status_code == 404, params
    assert reviewer_client.get(url, {"from": "live", "to": "working"}).status_code == 200


@pytest.mark.parametrize("link", ["abc", "", HUGE, "-3", "1.0"])
def test_revoking_a_malformed_preview_link_changes_nothing(reviewer_client, published, link):
    url = reverse("admin:briefings_briefing_previews", args=[published.pk])
    reviewer_client.post(url, {"action": "create", "label": "For a partner desk", "days": 3})
    response = reviewer_client.post(url, {"action": "revoke", "link": link})
    assert response.status_code == 404
    assert published.preview_links.get().revoked_at is None
