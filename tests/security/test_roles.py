"""Point 8 of issue 9: roles as README documents them.

Editors edit; reviewers also revert and recover (briefings, partners and
sources alike). Staff without a group may open the admin but no version
page: those answer 403, before looking anything up, so they tell nothing
about which versions exist.
"""

import json

import pytest
import reversion
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from briefings.models import Partner
from sources.models import Source
from tests.factories import make_briefing, make_source, make_user

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def records():
    briefing = make_briefing()
    with reversion.create_revision():
        partner = Partner.objects.create(name="Brell", slug="brell")
    with reversion.create_revision():
        source = make_source("A source to revert")
    with reversion.create_revision():
        partner.description = "Edited once."
        partner.save()
    with reversion.create_revision():
        source.title = "A source, edited"
        source.save()
    with reversion.create_revision():
        gone_partner = Partner.objects.create(name="Gone", slug="gone")
    with reversion.create_revision():
        gone_source = make_source("A deleted source")
    gone = {
        "partner": Version.objects.get_for_object(gone_partner).get(),
        "source": Version.objects.get_for_object(gone_source).get(),
    }
    gone_partner.delete()
    gone_source.delete()
    return {
        "briefing": briefing,
        "partner": partner,
        "source": source,
        "partner_version": Version.objects.get_for_object(partner).last(),
        "source_version": Version.objects.get_for_object(source).last(),
        "briefing_version": Version.objects.get_for_object(briefing).first(),
        "gone": gone,
    }


def revert_and_recover_urls(records):
    partner, source = records["partner"], records["source"]
    return {
        "partner revert": reverse(
            "admin:briefings_partner_revision", args=[partner.pk, records["partner_version"].pk]
        ),
        "source revert": reverse(
            "admin:sources_source_revision", args=[source.pk, records["source_version"].pk]
        ),
        "partner recover list": reverse("admin:briefings_partner_recoverlist"),
        "source recover list": reverse("admin:sources_source_recoverlist"),
        "partner recover": reverse("admin:briefings_partner_recover", args=[records["gone"]["partner"].pk]),
        "source recover": reverse("admin:sources_source_recover", args=[records["gone"]["source"].pk]),
    }


def test_editors_cannot_revert_or_recover_partners_and_sources(records):
    editor = client_for(make_user(group="Editors"))
    for name, url in revert_and_recover_urls(records).items():
        assert editor.get(url).status_code == 403, name
        assert (
            editor.post(url, {"name": "Hijacked", "slug": "hijacked", "title": "Hijacked"}).status_code == 403
        )
    records["partner"].refresh_from_db()
    assert records["partner"].description == "Edited once."
    assert not Partner.objects.filter(slug="gone").exists()
    assert not Source.objects.filter(title="A deleted source").exists()


def test_editors_still_read_the_history_of_partners_and_sources(records):
    editor = client_for(make_user(group="Editors"))
    assert (
        editor.get(reverse("admin:briefings_partner_history", args=[records["partner"].pk])).status_code
        == 200
    )
    assert editor.get(reverse("admin:sources_source_history", args=[records["source"].pk])).status_code == 200


def test_reviewers_revert_and_recover_partners_and_sources(records):
    reviewer = client_for(make_user(group="Reviewers"))
    for name, url in revert_and_recover_urls(records).items():
        assert reviewer.get(url).status_code == 200, name
    url = revert_and_recover_urls(records)["partner recover"]
    fields = {"name": "Gone", "slug": "gone", "description": ""}
    response = reviewer.post(url, {**fields, "base_edit_version": "0", "base_values": json.dumps(fields)})
    assert response.status_code == 302
    assert Partner.objects.filter(slug="gone").exists()


def version_urls(records):
    briefing, partner, source = records["briefing"], records["partner"], records["source"]
    return [
        reverse("admin:briefings_briefing_history", args=[briefing.pk]),
        reverse("admin:briefings_briefing_revision", args=[briefing.pk, records["briefing_version"].pk]),
        reverse("admin:briefings_briefing_revision", args=[briefing.pk, 999_999]),
        reverse("admin:briefings_briefing_revert", args=[briefing.pk, 1]),
        reverse("admin:briefings_briefing_revert", args=[briefing.pk, 999]),
        reverse("admin:briefings_briefing_compare", args=[briefing.pk]),
        reverse("admin:briefings_briefing_compare", args=[999_999]),
        reverse("admin:briefings_briefing_recover_sections", args=[briefing.pk]),
        reverse("admin:briefings_briefing_recoverlist"),
        reverse("admin:briefings_briefing_recover", args=[records["briefing_version"].pk]),
        reverse("admin:briefings_briefing_recover", args=[999_999]),
        reverse("admin:briefings_partner_history", args=[partner.pk]),
        reverse("admin:briefings_partner_history", args=[999_999]),
        reverse("admin:briefings_partner_revision", args=[partner.pk, records["partner_version"].pk]),
        reverse("admin:briefings_partner_revision", args=[partner.pk, 999_999]),
        reverse("admin:briefings_partner_recoverlist"),
        reverse("admin:briefings_partner_recover", args=[records["gone"]["partner"].pk]),
        reverse("admin:briefings_partner_recover", args=[999_999]),
        reverse("admin:sources_source_history", args=[source.pk]),
        reverse("admin:sources_source_revision", args=[source.pk, records["source_version"].pk]),
        reverse("admin:sources_source_revision", args=[999_999, 999_999]),
        reverse("admin:sources_source_recoverlist"),
        reverse("admin:sources_source_recover", args=[records["gone"]["source"].pk]),
        reverse("admin:sources_source_recover", args=[999_999]),
    ]


def test_staff_without_groups_get_403_on_every_version_url(records):
    staff = client_for(User.objects.create_user(username="staff-only", password="x-sample-42", is_staff=True))
    for url in version_urls(records):
        response = staff.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert staff.post(url, {}).status_code == 403, url
