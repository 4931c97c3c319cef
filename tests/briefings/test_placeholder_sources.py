"""Placeholder sources ("details pending") are told apart: each names its entry and the briefing citing it.

A placeholder's stored title is the editor's to-do ("Source [3] of … — details
needed"); readers never see it. Everywhere a placeholder is listed they read
"Details pending: [3] of <briefing title>", escaped.
"""

import json
import re

import pytest
from django.urls import reverse

from tests.factories import make_briefing, make_source, publish

pytestmark = pytest.mark.django_db

STORED = "Desk to-do: find this one"


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def two_placeholders():
    """Two briefings, each citing its own placeholder, as entry [3] and [1]."""
    first = make_source(STORED, details_pending=True)
    second = make_source(STORED, details_pending=True)
    water = make_briefing(
        title="Water & <i>dams</i>",
        sections=[
            ("Executive summary", "Reservoirs are low [3]."),
            ("Arden: lender", "Arden pays [3].", ["Arden"]),
        ],
        references={3: first},
    )
    grain = make_briefing(
        title="Grain question",
        sections=[("Executive summary", "Harvests failed [1].")],
        references={1: second},
    )
    publish(water)
    publish(grain)
    return {"water": (water, first), "grain": (grain, second)}


WATER_LABEL = "Details pending: [3] of <bdi>Water &amp; &lt;i&gt;dams&lt;/i&gt;</bdi>"
WATER_TEXT = "Details pending: [3] of Water &amp; &lt;i&gt;dams&lt;/i&gt;"
GRAIN_TEXT = "Details pending: [1] of Grain question"


def test_the_source_list_tells_two_placeholders_apart(client, two_placeholders):
    html = get(client, reverse("sources:source-list") + "?details_pending=true")
    assert "2 sources" in html
    assert WATER_TEXT in html and GRAIN_TEXT in html
    assert STORED not in html
    assert "<i>dams" not in html


def test_the_source_page_title_and_heading_name_the_entry_and_briefing(client, two_placeholders):
    _, source = two_placeholders["water"]
    html = get(client, reverse("sources:source-detail", args=[source.pk]))
    assert f"<title>{WATER_TEXT} · Sources" in html
    assert f'<h1 dir="auto">{WATER_TEXT}</h1>' in html
    # The claims listed below carry the same label in their citation previews.
    assert re.search(
        r'class="cite-tip" role="tooltip" id="claim-\d+-cite-1-tip">' + re.escape(WATER_LABEL), html
    )
    assert STORED not in html


def test_claims_and_partner_pages_label_placeholder_citations(client, two_placeholders):
    html = get(client, reverse("briefings:claim-list"))
    assert html.count(WATER_LABEL) == 2
    assert "Details pending: [1] of <bdi>Grain question</bdi>" in html
    assert STORED not in html
    source = two_placeholders["grain"][1]
    html = get(client, reverse("briefings:claim-list") + f"?source={source.pk}")
    assert "1 claim<" in html and "Details pending: [1] of <bdi>Grain question</bdi>" in html
    html = get(client, reverse("briefings:partner-detail", args=["arden"]))
    assert WATER_LABEL in html and STORED not in html


def test_the_briefing_page_and_its_structured_data_name_the_entry(client, two_placeholders):
    water, _ = two_placeholders["water"]
    html = get(client, water.get_absolute_url())
    assert f'<span id="ref-3-label">{WATER_LABEL}</span>' in html
    assert STORED not in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert [c["name"] for c in data["citation"]] == ["Details pending: [3] of Water & <i>dams</i>"]


def test_a_recall_notice_names_a_placeholder_by_its_entry(client, two_placeholders):
    from briefings.publishing.recall import recall_source
    from tests.factories import make_user

    water, source = two_placeholders["water"]
    recall_source(
        source=source, recall="retracted", reason="Withdrawn by its author", user=make_user(superuser=True)
    )
    html = get(client, water.get_absolute_url())
    notice = html.split('id="recall-notice"')[1].split("</div>")[0]
    assert WATER_TEXT in notice and STORED not in notice


@pytest.mark.parametrize("count", [2, 30])
def test_labelling_placeholders_costs_no_query_per_row(client, django_assert_num_queries, count):
    for n in range(count):
        publish(
            make_briefing(
                title=f"Question {n}",
                sections=[("Executive summary", f"Claim {n} [1].")],
                references={1: make_source(details_pending=True)},
            )
        )
    # count, page
    with django_assert_num_queries(2):
        html = get(client, reverse("sources:source-list"))
    assert html.count("Details pending: [1] of Question") == min(count, 50)
    # count, the page's ids, its claims, published references
    with django_assert_num_queries(4):
        html = get(client, reverse("briefings:claim-list"))
    assert html.count("Details pending: [1] of <bdi>Question") == count
