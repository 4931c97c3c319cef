"""Stable sentence addresses: a claim keeps its #claim-… anchor while its words stay the same."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse

from briefings.models import Claim, Publication
from briefings.publishing.takedown import withdraw_publication
from briefings.text.anchors import claim_anchors, sentence_key
from tests.briefings.history_helpers import revise, set_body
from tests.factories import make_briefing, make_source, make_user, publish

pytestmark = pytest.mark.django_db


def anchors_by_text(briefing):
    claims = Claim.objects.filter(section__briefing=briefing)
    return {re.sub(r"\s*\[\d+\]", "", c.text).strip(" ."): c.anchor for c in claims}


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_unchanged_sentence_keeps_its_anchor_when_sentences_around_it_change(client):
    briefing = make_briefing(
        sections=[
            ("Executive summary", "Arden lends for dams [1]. Belmont builds them [2]."),
            ("Corvia: the police", "Corvia guards the pipes [1]. It trains guards [2]."),
        ]
    )
    publish(briefing)
    first = anchors_by_text(briefing)
    # A sentence added before, one rewritten, one whose citation changed, a section added before.
    revise(
        briefing,
        set_body(0, "A new opening claim [2]. Arden lends for dams [2]. Belmont builds them, slowly [2]."),
    )
    publish(briefing)
    second = anchors_by_text(briefing)
    assert second["Arden lends for dams"] == first["Arden lends for dams"]  # citation [1] → [2]
    assert second["Corvia guards the pipes"] == first["Corvia guards the pipes"]  # now claim 2 of the page
    assert second["It trains guards"] == first["It trains guards"]
    assert second["Belmont builds them, slowly"] != first["Belmont builds them"]
    assert "Belmont builds them" not in second
    html = page(client, briefing.get_absolute_url())
    for anchor in second.values():
        assert html.count(f'id="{anchor}"') == 1


def test_a_sentence_written_twice_gets_two_different_anchors(client):
    briefing = make_briefing(
        sections=[
            ("Executive summary", "Water is scarce [1]. Water is scarce [2]."),
            ("Arden: the lender", "Water is  scarce [1] [2]."),
        ]
    )
    publish(briefing)
    anchors = list(
        Claim.objects.filter(section__briefing=briefing).order_by("pk").values_list("anchor", flat=True)
    )
    assert anchors[1] == anchors[0] + "-2" and anchors[2] == anchors[0] + "-3"
    html = page(client, briefing.get_absolute_url())
    assert all(html.count(f'id="{anchor}"') == 1 for anchor in anchors)


def test_the_source_page_links_each_claim_to_its_anchor_on_the_briefing_page(client):
    source = make_source("Dam finance review")
    briefing = make_briefing(
        sections=[("Executive summary", "Arden lends for dams [1]. Belmont builds them [1].")],
        references={1: source},
    )
    publish(briefing)
    source_page = page(client, reverse("sources:source-detail", args=[source.pk]))
    links = re.findall(rf'href="/briefings/{briefing.slug}/#(claim-[0-9a-f]{{10}})"', source_page)
    assert len(set(links)) == 2
    briefing_page = page(client, briefing.get_absolute_url())
    for anchor in links:
        assert f'<span class="claim" id="{anchor}">' in briefing_page


def test_a_permalink_and_the_current_page_give_a_sentence_the_same_anchor(client):
    briefing = make_briefing(sections=[("Executive summary", "Arden lends for dams [1].")])
    publication = publish(briefing)
    anchor = Claim.objects.get(section__briefing=briefing).anchor
    permalink = page(
        client, reverse("briefings:publication-detail", args=[briefing.slug, publication.number])
    )
    assert f'id="{anchor}"' in permalink


def test_the_anchor_ignores_markers_and_spacing_but_not_words_or_case():
    assert sentence_key("Arden  lends [1] [2].") == sentence_key("Arden lends [3].") == "Arden lends ."
    assert claim_anchors(["Arden lends [1]."]) == claim_anchors(["Arden lends [7]."])
    assert claim_anchors(["Arden lends."]) != claim_anchors(["arden lends."])
    assert claim_anchors(["Arden lends."]) != claim_anchors(["Arden lent."])


def test_claims_published_before_stable_anchors_keep_the_anchor_their_stored_page_has(client):
    """Migration 0012: an old publication's HTML is never re-rendered, so its claims keep the old ids."""
    migration = importlib.import_module("briefings.migrations.0012_claim_anchors")
    briefing = make_briefing(
        sections=[
            ("Executive summary", "Arden lends for dams [1]. Belmont builds them [1]."),
            ("Arden: the lender", "Arden lends [1].", ["Arden"]),
        ]
    )
    publish(briefing)
    Claim.objects.update(anchor="")
    migration.legacy_anchors(apps, None)
    claims = Claim.objects.filter(section__briefing=briefing).order_by("section__number", "ordinal")
    assert [c.anchor for c in claims] == ["summary-claim-1", "summary-claim-2", "section-1-claim-1"]


def test_withdrawing_back_to_a_page_rendered_before_stable_anchors_links_to_the_ids_it_has(client):
    briefing = make_briefing(
        sections=[("Executive summary", "Arden lends for dams [1]. Belmont builds [1].")]
    )
    old = publish(briefing)
    # As a page rendered before migration 0012 stands: section-ordinal claim ids.
    legacy = old.rendered_html
    for number, anchor in enumerate(Claim.objects.order_by("ordinal").values_list("anchor", flat=True), 1):
        legacy = legacy.replace(f'id="{anchor}"', f'id="summary-claim-{number}"')
    Publication.objects.filter(pk=old.pk).update(rendered_html=legacy)
    revise(briefing, set_body(0, "Arden lends for dams [1]. Belmont builds more [1]."))
    current = publish(briefing)
    withdraw_publication(publication=current, user=make_user(superuser=True), notice="Withdrawn for a test.")
    html = page(client, briefing.get_absolute_url())
    claims = Claim.objects.filter(section__briefing=briefing).order_by("ordinal")
    assert [c.anchor for c in claims] == ["summary-claim-1", "summary-claim-2"]
    assert all(f'id="{c.anchor}"' in html for c in claims)
