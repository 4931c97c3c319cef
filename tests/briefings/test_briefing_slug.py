"""A published briefing's address cannot move: its slug is read-only in the admin and survives a restore."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from briefings.models import Briefing
from tests.briefings.admin_forms import change_form_data
from tests.briefings.history_helpers import number_of
from tests.factories import make_briefing, make_user, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    client = Client()
    client.force_login(make_user(group="Reviewers"))
    return client


def change_url(briefing):
    return reverse("admin:briefings_briefing_change", args=[briefing.pk])


def test_an_unpublished_briefing_can_change_its_slug(reviewer):
    briefing = make_briefing(slug="first-address")
    data = change_form_data(reviewer, briefing)
    assert data["slug"] == "first-address"
    data["slug"] = "better-address"
    assert reviewer.post(change_url(briefing), data).status_code == 302
    assert Briefing.objects.get(pk=briefing.pk).slug == "better-address"


def test_a_published_briefing_shows_its_slug_read_only_and_says_why(reviewer):
    briefing = make_briefing(slug="kept-address")
    publish(briefing)
    response = reviewer.get(change_url(briefing))
    html = response.content.decode()
    assert 'name="slug"' not in html
    assert "kept-address" in html
    assert "cannot change once the briefing is published" in html

    data = change_form_data(reviewer, briefing, response)
    data.update(slug="moved-address", subject="Edited subject")
    assert reviewer.post(change_url(briefing), data).status_code == 302
    saved = Briefing.objects.get(pk=briefing.pk)
    assert (saved.slug, saved.subject) == ("kept-address", "Edited subject")
    assert reviewer.get("/briefings/kept-address/").status_code == 200
    assert reviewer.get("/briefings/moved-address/").status_code == 404


def test_restoring_a_revision_from_before_publication_keeps_the_published_slug(reviewer):
    briefing = make_briefing(slug="draft-address")
    early = Version.objects.get_for_object(briefing).first()
    data = change_form_data(reviewer, briefing)
    data["slug"] = "published-address"
    assert reviewer.post(change_url(briefing), data).status_code == 302
    publish(Briefing.objects.get(pk=briefing.pk))

    revert_url = reverse("admin:briefings_briefing_revert", args=[briefing.pk, number_of(early.revision_id)])
    assert reviewer.post(revert_url).status_code == 302
    assert Briefing.objects.get(pk=briefing.pk).slug == "published-address"
    assert reviewer.get("/briefings/published-address/").status_code == 200
