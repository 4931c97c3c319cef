"""What the admin prints: the slug's help names a real address, and history dates are valid HTML."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_briefing, make_user, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    client = Client()
    client.force_login(make_user(group="Reviewers"))
    return client


class _HelpTexts(HTMLParser):
    """The text of each ``<div class="help">``, and the tags inside it."""

    def __init__(self):
        super().__init__()
        self.found, self._depth = [], 0

    def handle_starttag(self, tag, attrs):
        if self._depth:
            self._depth += tag == "div"
            self.found[-1][1].add(tag)
        elif tag == "div" and "help" in (dict(attrs).get("class") or "").split():
            self._depth = 1
            self.found.append(["", set()])

    def handle_endtag(self, tag):
        if self._depth and tag == "div":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.found[-1][0] += data


def slug_help(html):
    """The slug field's help as the editor reads it (text), checked to hold no stray markup."""
    parser = _HelpTexts()
    parser.feed(html)
    helps = [(" ".join(text.split()), tags) for text, tags in parser.found if "address" in text]
    assert len(helps) == 1, helps
    text, tags = helps[0]
    assert tags <= {"div", "code"}, f"unexpected markup in the slug's help: {tags}"
    return text


def test_the_new_briefing_form_shows_an_example_address(reviewer):
    text = slug_help(reviewer.get(reverse("admin:briefings_briefing_add")).content.decode())
    assert "/briefings//" not in text
    assert re.search(r"/briefings/[a-z0-9-]+/", text), text


def test_a_draft_briefing_shows_its_own_address(reviewer):
    briefing = make_briefing(slug="water-and-partners")
    text = slug_help(
        reviewer.get(reverse("admin:briefings_briefing_change", args=[briefing.pk])).content.decode()
    )
    assert "/briefings/water-and-partners/" in text


def test_a_published_briefing_shows_its_fixed_address(reviewer):
    briefing = make_briefing(slug="fixed-address")
    publish(briefing)
    text = slug_help(
        reviewer.get(reverse("admin:briefings_briefing_change", args=[briefing.pk])).content.decode()
    )
    assert "/briefings/fixed-address/" in text
    assert "cannot change" in text
    assert reviewer.get("/briefings/fixed-address/").status_code == 200


def test_history_dates_are_valid_html_datetimes(reviewer):
    # HTML allows at most three digits of a second's fraction; Django's "c" format prints six.
    briefing = make_briefing()
    html = reviewer.get(reverse("admin:briefings_briefing_history", args=[briefing.pk])).content.decode()
    values = re.findall(r'<time datetime="([^"]+)"', html)
    assert values
    for value in values:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", value), value
