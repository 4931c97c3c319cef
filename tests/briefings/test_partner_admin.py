"""Deleting a partner in the admin can never change what readers were shown."""

import pytest
from django.urls import reverse

from briefings.models import Partner
from tests.factories import make_briefing, make_partner, make_user, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client):
    client.force_login(make_user(group="Reviewers"))
    return client


def test_a_partner_a_current_publication_names_cannot_be_deleted(reviewer, client):
    briefing = make_briefing(
        sections=[("Executive summary", "Summary [1]."), ("Arden: the lender", "Arden lends [1].", ["Arden"])]
    )
    publish(briefing)
    arden = Partner.objects.get(slug="arden")
    url = reverse("admin:briefings_partner_delete", args=[arden.pk])

    assert "protected related objects" in reviewer.get(url).content.decode()
    assert reviewer.post(url, {"post": "yes"}).status_code == 200
    assert Partner.objects.filter(pk=arden.pk).exists()
    assert '<h1 dir="auto">Arden</h1>' in reviewer.get("/partners/arden/").content.decode()


def test_a_partner_no_publication_names_can_be_deleted(reviewer):
    unused = make_partner("Belmont")
    response = reviewer.post(reverse("admin:briefings_partner_delete", args=[unused.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Partner.objects.filter(pk=unused.pk).exists()
