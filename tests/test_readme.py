"""README.md promises settings and addresses; these tests hold it to them."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from briefings.models import PublishedReference
from tests.factories import make_briefing, publish

README = (Path(settings.BASE_DIR) / "README.md").read_text()
SETTINGS = (Path(settings.BASE_DIR) / "config" / "settings.py").read_text()


def section(title):
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def table_rows(text):
    return [line for line in text.splitlines() if line.startswith("| `")]


def test_the_configuration_table_lists_exactly_the_variables_settings_read():
    read = set(re.findall(r'(?:os\.environ\.get|env_bool|env_int|env_list)\(\s*"([A-Z_]+)"', SETTINGS))
    documented = set()
    for row in table_rows(section("Configuration")):
        documented |= set(re.findall(r"`([A-Z_]+)`", row.split("|")[1]))
    assert documented == read


@pytest.mark.django_db
def test_every_address_readers_are_promised_answers(client):
    # One slug serves the briefing and its partner, so "<slug>" fills both.
    briefing = make_briefing(
        slug="arden",
        sections=[
            ("Executive summary", "Rain falls [1]."),
            ("Arden: the lender", "Arden lends [1].", ["Arden"]),
        ],
    )
    publish(briefing)
    publish(briefing, note="Second look.")
    source_id = PublishedReference.objects.values_list("source_id", flat=True).first()
    fill = {
        "<slug>": "arden",
        "<N>": "1",
        "<A>": "1",
        "<B>": "2",
        "<id>": str(source_id),
        "<section>": "publications",
    }
    addresses = []
    for row in table_rows(section("What readers get")):
        addresses += re.findall(r"`(/[^`]*)`", row.split("|")[1])
    assert len(addresses) >= 15
    for address in addresses:
        url = re.sub(r"<[^>]+>", lambda m: fill[m.group(0)], address)
        response = client.get(url + ("rain" if url.endswith("?q=") else ""))
        assert response.status_code == 200, (address, url, response.status_code)
