"""Public pages show partners as published: a live rename, description or slug waits for publishing."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from briefings.models import Partner, PublishedPartner, PublishedReference
from briefings.publishing.takedown import withdraw_publication
from sources.models import Source
from tests.briefings.history_helpers import revise, set_body
from tests.factories import make_briefing, make_source, make_user, publish

pytestmark = pytest.mark.django_db


def arden_briefing(title="Who funds the dams?", partner="Arden"):
    return make_briefing(
        title=title,
        sections=[
            ("Executive summary", "Summary [1]."),
            (f"{partner}: the lender", f"{partner} lends [1].", [partner]),
        ],
    )


def page(client, name, query=""):
    response = client.get(reverse(name) + query)
    assert response.status_code == 200
    return response.content.decode()


CANDIDATES = ("arden", "Arden", "ardenia", "Ardenia", "borea", "Borea", "corvia", "Corvia")


def partner_choices(client, name):
    """What the list's partner filter accepts among the names and slugs these tests use."""
    accepted = []
    for value in CANDIDATES:
        response = client.get(reverse(name), {"partner": value})
        errors = response.context["filter"].form.errors
        if not errors:
            accepted.append(value)
        else:
            assert f"No published briefing names a partner “{value}”." in response.content.decode()
    caches["pages"].clear()  # so that the test's own requests below are rendered, with a context
    return sorted(accepted)


def accepts(slug, name):
    """A partner published as ``slug`` and ``name`` is found by either (the name in any case)."""
    return sorted({slug, name, name.lower()})


def edit_partner(current="arden", **fields):
    partner = Partner.objects.get(slug=current)
    for key, value in fields.items():
        setattr(partner, key, value)
    partner.save()
    return partner


def test_a_renamed_partner_keeps_its_published_name_and_description_until_republished(client):
    briefing = arden_briefing()
    edit_partner(description="Lends to Estmark.")
    publish(briefing)
    edit_partner(name="Ardenia", description="An unpublished description.")

    html = client.get("/partners/arden/").content.decode()
    assert '<h1 dir="auto">Arden</h1>' in html and "Lends to Estmark." in html
    assert "Ardenia" not in html and "unpublished description" not in html
    for name in ("briefings:briefing-explore", "briefings:claim-list"):
        assert partner_choices(client, name) == accepts("arden", "Arden")
        assert "Ardenia" not in page(client, name)
    assert "Ardenia" not in page(client, "briefings:briefing-list")

    publish(briefing, note="Partner renamed.")
    html = client.get("/partners/arden/").content.decode()
    assert '<h1 dir="auto">Ardenia</h1>' in html and "An unpublished description." in html
    assert partner_choices(client, "briefings:claim-list") == accepts("arden", "Ardenia")


def test_a_new_slug_is_public_only_once_published_and_old_links_then_redirect(client):
    first, second = arden_briefing(), arden_briefing(title="Who trains the engineers?")
    publish(first)
    publish(second)
    edit_partner(slug="ardenia", name="Ardenia")
    assert client.get("/partners/ardenia/").status_code == 404
    assert client.get("/partners/arden/").status_code == 200
    assert client.get("/claims/?partner=ardenia").context["claims"] == []

    # The latest publication wins; the first briefing's article still links to the old slug.
    publish(second, note="Partner renamed.")
    html = client.get("/partners/ardenia/").content.decode()
    assert '<h1 dir="auto">Ardenia</h1>' in html
    assert "Who funds the dams?" in html and "Who trains the engineers?" in html
    response = client.get("/partners/arden/")
    # Not permanent: the latest publication wins, so the old slug can come back (below).
    assert response.status_code == 302 and response["Location"] == "/partners/ardenia/"
    assert partner_choices(client, "briefings:briefing-explore") == accepts("ardenia", "Ardenia")
    assert len(client.get("/claims/?partner=ardenia").context["claims"]) == 2
    assert {p.title for p in client.get("/briefings/?partner=ardenia").context["publications"]} == {
        "Who funds the dams?",
        "Who trains the engineers?",
    }

    edit_partner("ardenia", slug="arden", name="Arden")
    publish(first, note="Partner renamed back.")
    assert client.get("/partners/arden/").status_code == 200
    response = client.get("/partners/ardenia/")
    assert response.status_code == 302 and response["Location"] == "/partners/arden/"


def test_a_partner_named_only_by_drafts_or_dropped_sections_is_nowhere_public(client):
    published = make_briefing(
        sections=[
            ("Executive summary", "Summary [1]."),
            ("Arden: the lender", "Arden lends [1].", ["Arden"]),
            ("Corvia: the builder", "Corvia builds [1].", ["Corvia"]),
        ]
    )
    publish(published)
    published.sections.get(position=2).delete()
    publish(published, note="Dropped Corvia.")
    arden_briefing(title="A draft", partner="Borea")

    for name in ("briefings:briefing-explore", "briefings:claim-list"):
        assert partner_choices(client, name) == accepts("arden", "Arden")
        assert "Borea" not in page(client, name) and "Corvia" not in page(client, name)
    assert client.get("/partners/borea/").status_code == 404
    assert client.get("/partners/corvia/").status_code == 404
    assert client.get("/claims/?partner=borea").context["claims"] == []


def test_the_snapshot_records_each_partner_as_published():
    briefing = arden_briefing()
    edit_partner(description="Lends to Estmark.")
    publication = publish(briefing)
    arden = Partner.objects.get(slug="arden")
    assert publication.snapshot["sections"][1]["partners"] == [
        {"id": arden.pk, "slug": "arden", "name": "Arden", "description": "Lends to Estmark."}
    ]
    row = PublishedPartner.objects.get()
    assert (row.partner, row.publication, row.name, row.description) == (
        arden,
        publication,
        "Arden",
        "Lends to Estmark.",
    )


def test_a_partner_dropped_by_its_latest_briefing_shows_as_its_other_briefing_published_it(client):
    first = arden_briefing("Who funds the dams?")
    publish(first)
    edit_partner(description="Described by the second briefing.")
    second = arden_briefing("Who builds the pipes?")
    publish(second)
    assert "Described by the second briefing." in client.get("/partners/arden/").content.decode()

    # The second briefing stops naming Arden: the first briefing's copy is what readers see again.
    section = second.sections.get(position=1)
    section.partners.clear()
    publish(second, note="Arden no longer concerned.")
    html = client.get("/partners/arden/").content.decode()
    assert '<h1 dir="auto">Arden</h1>' in html
    assert "Described by the second briefing." not in html
    assert PublishedPartner.objects.latest_per_partner().get().publication.briefing == first
    assert partner_choices(client, "briefings:claim-list") == accepts("arden", "Arden")


def test_withdrawing_back_to_an_older_publication_leaves_a_later_briefings_copies_latest(client):
    """A withdrawal rebuilds a briefing from its older publication; that older copy must not win."""
    source = make_source("Dam finance review")
    first = make_briefing(
        title="Who funds the dams?",
        sections=[
            ("Executive summary", "Summary [1]."),
            ("Arden: the lender", "Arden lends [1].", ["Arden"]),
        ],
        references={1: source},
    )
    publish(first)
    edit_partner(description="Described by the second briefing.")
    Source.objects.filter(pk=source.pk).update(title="Dam finance review, revised")
    second = make_briefing(
        title="Who builds the pipes?",
        sections=[
            ("Executive summary", "Summary [1]."),
            ("Arden: the lender", "Arden builds [1].", ["Arden"]),
        ],
        references={1: source},
    )
    publish(second)
    revise(first, set_body(1, "Arden lends more [1]."))
    current = publish(first)  # now the latest copy of Arden and the source
    withdraw_publication(publication=current, user=make_user(superuser=True), notice="Withdrawn for a test.")

    assert PublishedPartner.objects.latest_per_partner().get().publication.briefing == second
    assert PublishedReference.objects.latest_per_source().get().publication.briefing == second
    assert "Described by the second briefing." in client.get("/partners/arden/").content.decode()
    assert "Dam finance review, revised" in client.get(f"/sources/{source.pk}/").content.decode()
