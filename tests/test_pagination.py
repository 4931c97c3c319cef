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


def listed(html, pattern):
    import re

    return re.findall(pattern, html)


def test_pages_read_from_the_end_list_the_same_rows_in_the_same_order(client, monkeypatch):
    """Deep pages (TailPaginator) read the list backwards; readers see the forward order all the same."""
    from briefings.public import sources as source_views

    monkeypatch.setattr(source_views.SourceListView, "paginate_by", 2)
    sources = {n: make_source(f"Source {n:02d}, same title" if n % 3 else "Source tie") for n in range(1, 8)}
    for n in range(1, 8):
        briefing = make_briefing(
            title=f"Question {n}",
            sections=[("Arden: the lender", f"Arden lends sum {n} [1].", ["Arden"])],
            references={1: sources[n]},
        )
        publish(briefing)
    expected = list(
        PublishedReference.objects.filter(is_latest=True)
        .order_by("title", "pk")
        .values_list("source_id", flat=True)
    )
    seen = []
    for page in ["1", "2", "3", "last"]:
        html = client.get(f"/sources/?page={page}").content.decode()
        seen.append(list(dict.fromkeys(listed(html, r'href="/sources/(\d+)/"'))))
    assert [int(pk) for pk in seen[0] + seen[1] + seen[2] + seen[3]] == expected
    assert seen[3] == list(
        dict.fromkeys(listed(client.get("/sources/?page=4").content.decode(), r'href="/sources/(\d+)/"'))
    )

    from briefings.public import views

    monkeypatch.setattr(views, "PARTNER_PAGE_SIZE", 3)
    titles = []
    for page in ["1", "2", "3"]:
        html = client.get(f"/partners/arden/?page={page}").content.decode()
        titles += listed(html, r"Arden lends sum (\d)")
    assert titles == [str(n) for n in range(1, 8)]
    assert listed(client.get("/partners/arden/?page=last").content.decode(), r"Arden lends sum (\d)") == ["7"]
