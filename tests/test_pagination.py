"""Every paginated public page answers a bad ?page= the same way: "last" and numbers in range
work, anything else is a 404 (Django's ListView behaviour)."""

import pytest

from briefings.models import PublishedReference
from tests.factories import make_briefing, make_source, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    briefing = make_briefing(
        title="Sample question: who shapes Estmark's water?",
        sections=[
            ("Executive summary", "Arden lends to Estmark [1]."),
            ("Arden: the lender", "Arden refinanced the debt [1].", ["Arden"]),
        ],
        references={1: make_source("Arden budget statement")},
    )
    publish(briefing)
    source_id = PublishedReference.objects.get().source_id
    return {
        "home": "/",
        "explore": "/briefings/",
        "claims": "/claims/",
        "search": "/search/?q=Arden&",
        "sources": "/sources/",
        "source": f"/sources/{source_id}/",
        "partner": "/partners/arden/",
    }


def url(base, page):
    return f"{base}{'&' if '?' in base else '?'}page={page}".replace("&&", "&")


@pytest.mark.parametrize("page", ["1", "last"])
@pytest.mark.parametrize("name", ["home", "explore", "claims", "search", "sources", "source", "partner"])
def test_a_valid_page_shows_the_list(client, pages, name, page):
    response = client.get(url(pages[name], page))
    assert response.status_code == 200
    assert "Arden" in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "2", "99999", "9" * 30, "1.5"])
@pytest.mark.parametrize("name", ["home", "explore", "claims", "search", "sources", "source", "partner"])
def test_a_page_that_is_not_a_number_in_range_is_not_found(client, pages, name, page):
    assert client.get(url(pages[name], page)).status_code == 404
