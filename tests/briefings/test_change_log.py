"""The public change log and feed say each publication's kind once, then its note if it adds anything."""

import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest

from briefings.models import Publication
from tests.factories import make_briefing, publish

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def change_log_lines(client, briefing):
    html = client.get(f"/briefings/{briefing.slug}/").content.decode()
    section = re.search(r'<section id="changes".*?</section>', html, flags=re.S).group(0)
    items = re.findall(r"<li[^>]*>(.*?)</li>", section, flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


def feed_summaries(client, briefing):
    response = client.get(f"/briefings/{briefing.slug}/feed.atom")
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    return [
        unescape(re.sub(r"<[^>]+>", "", e.findtext(f"{ATOM}summary"))) for e in root.findall(f"{ATOM}entry")
    ]


@pytest.mark.parametrize("note", ["First publication", "First publication.", "first publication"])
def test_a_note_that_only_names_the_kind_is_not_printed_twice(client, note):
    briefing = make_briefing()
    publish(briefing, note=note)
    (line,) = change_log_lines(client, briefing)
    assert line.lower().count("first publication") == 1, line
    assert line.startswith("Version 1,") and line.endswith("— First publication"), line
    assert feed_summaries(client, briefing) == ["First publication"]


def test_a_note_that_says_more_follows_its_kind(client):
    briefing = make_briefing()
    publish(briefing, note="First publication of the dam survey.")
    publish(briefing, note="Added the 2025 figures.", kind=Publication.Kind.UPDATE)
    newest, first = change_log_lines(client, briefing)
    assert "— Update: Added the 2025 figures." in newest
    assert "— First publication: First publication of the dam survey." in first
    assert feed_summaries(client, briefing) == [
        "Update: Added the 2025 figures.",
        "First publication: First publication of the dam survey.",
    ]
