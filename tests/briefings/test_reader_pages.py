"""Every reader page this feature adds: one h1, labelled controls, markup always escaped."""

import re

import pytest

from tests.factories import make_briefing, make_source, publish

pytestmark = pytest.mark.django_db

EVIL = "<script>alert(1)</script>"


@pytest.fixture
def hostile_briefing():
    source = make_source(f"Title {EVIL}", publisher=f"Outlet {EVIL}", url="https://example.org/a")
    briefing = make_briefing(
        title=f"Question {EVIL}",
        subject=f"Subject {EVIL}",
        sections=[
            ("Executive summary", f"Aqueducts summary {EVIL} [1]."),
            (f"Arden: heading {EVIL}", f"Aqueducts body {EVIL} [1].", ["Arden"]),
        ],
        references={1: source},
    )
    publish(briefing)
    return briefing, source


def pages(briefing, source):
    return [
        f"/briefings/{briefing.slug}/",
        "/briefings/",
        "/briefings/?partner=arden",
        "/claims/",
        f"/claims/?source={source.pk}&text=aqueducts",
        "/sources/",
        "/sources/?kind=other",
        f"/sources/{source.pk}/",
        "/partners/arden/",
        "/search/?q=aqueducts",
    ]


def test_every_reader_page_escapes_markup_and_is_well_formed(client, hostile_briefing):
    for url in pages(*hostile_briefing):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert html.count("<h1") == 1, url
        labels = set(re.findall(r'<label for="([^"]+)"', html))
        controls = re.findall(r'<(?:input|select)\b[^>]*\bid="([^"]+)"', html)
        assert set(controls) <= labels, url
