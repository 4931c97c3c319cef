"""django-reversion's revert and recover views only open versions of their own admin's model."""

import pytest
import reversion
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from briefings.models import Briefing, Partner
from sources.models import Source
from tests.factories import make_briefing, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_editor():
    """Staff who may add, change, view and revert partners, and nothing else."""
    user = User.objects.create_user(username="partners-only", password="a-sample-password-42", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="briefings",
            # revert_briefing is the one revert permission (partners and sources use it too).
            codename__in=["add_partner", "change_partner", "view_partner", "revert_briefing"],
        )
    )
    client = Client()
    client.force_login(user)
    return client


def own_partner(pk):
    """A partner with exactly this pk, saved in a revision of its own."""
    with reversion.create_revision():
        Partner.objects.create(pk=pk, name=f"Partner {pk}", slug=f"partner-{pk}")
    return Version.objects.get_for_object_reference(Partner, str(pk)).get()


def test_a_partner_editor_cannot_revert_a_briefing_version_through_the_partner_admin(partner_editor):
    briefing = make_briefing(title="The original title", sections=[("Executive summary", "Cited [1].")])
    version = Version.objects.get_for_object(briefing).get()
    Briefing.objects.filter(pk=briefing.pk).update(title="The current title")
    # A partner with the briefing's id, so only the model check stands in the way.
    assert not Partner.objects.filter(pk=briefing.pk).exists()
    with reversion.create_revision():
        Partner.objects.create(pk=briefing.pk, name="Namesake", slug="namesake")

    url = reverse("admin:briefings_partner_revision", args=[briefing.pk, version.pk])
    assert partner_editor.get(url).status_code == 404
    assert partner_editor.post(url, {"name": "x", "slug": "x"}).status_code == 404
    briefing.refresh_from_db()
    assert briefing.title == "The current title"


def test_a_partner_editor_cannot_recover_a_deleted_source_through_the_partner_admin(partner_editor):
    with reversion.create_revision():
        source = make_source("A source that was deleted")
    version = Version.objects.get_for_object(source).get()
    source.delete()

    url = reverse("admin:briefings_partner_recover", args=[version.pk])
    assert partner_editor.get(url).status_code == 404
    assert partner_editor.post(url, {"title": "A source that was deleted"}).status_code == 404
    assert not Source.objects.filter(title="A source that was deleted").exists()


def test_a_partner_editor_can_still_open_a_partner_version(partner_editor):
    version = own_partner(pk=4242)
    url = reverse("admin:briefings_partner_revision", args=[4242, version.pk])
    assert partner_editor.get(url).status_code == 200
    # ...but not with another partner's id in the address.
    other = own_partner(pk=4343)
    assert (
        partner_editor.get(reverse("admin:briefings_partner_revision", args=[4242, other.pk])).status_code
        == 404
    )


def test_the_source_admin_keeps_to_sources_too(admin_client):
    briefing = make_briefing()
    version = Version.objects.get_for_object(briefing).get()
    url = reverse("admin:sources_source_revision", args=[briefing.pk, version.pk])
    assert admin_client.get(url).status_code == 404
    assert admin_client.get(reverse("admin:sources_source_recover", args=[version.pk])).status_code == 404
