"""Restoring a source or partner from its own history restores that one object, nothing else.

An import records the briefing, its sections and references together with
the partners and placeholder sources it creates, in one revision.
"""

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

from briefings.editing.working_copy import import_briefing
from briefings.models import Briefing, Partner
from briefings.text.parsing import parse_document
from sources.models import Source
from tests.briefings.history_helpers import revise
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SAMPLE = """Sample question: who shapes Estmark's water?
Executive summary
Arden lends [1]. Belmont builds [2].
1. Arden: the lender
Arden refinanced the debt [1].
"""


def imported():
    """An imported briefing, then edited: a new title and a third section, in later revisions."""
    briefing = import_briefing(document=parse_document(SAMPLE)).briefing
    placeholder = Source.objects.get(references__briefing=briefing, references__number=1)
    arden = Partner.objects.get(name="Arden")
    source_version = Version.objects.get_for_object(placeholder).get()
    partner_version = Version.objects.get_for_object(arden).get()
    assert source_version.revision_id == partner_version.revision_id
    assert Version.objects.filter(revision_id=source_version.revision_id, object_id=str(briefing.pk)).exists()

    def edit(b):
        b.title = "A later title"
        b.save()
        b.sections.create(position=2, heading="A later section", body="Added later [2].")

    revise(briefing, edit, comment="Later edit")
    Briefing.objects.filter(pk=briefing.pk).update(edit_version=7)
    with reversion.create_revision():
        placeholder.title = "Arden ministry of finance, 2024 budget"
        placeholder.details_pending = False
        placeholder.save()
    with reversion.create_revision():
        arden.name = "Arden Development Bank"
        arden.save()
    return briefing, placeholder, source_version, arden, partner_version


def assert_briefing_untouched(briefing):
    briefing.refresh_from_db()
    assert briefing.title == "A later title"
    assert list(briefing.sections.order_by("position").values_list("heading", flat=True)) == [
        "Executive summary",
        "Arden: the lender",
        "A later section",
    ]
    assert briefing.edit_version == 7


@pytest.mark.parametrize("who", ["Reviewers", "superuser"])
def test_restoring_a_placeholder_source_restores_only_the_source(client, who):
    briefing, placeholder, version, _, _ = imported()
    user = make_user(superuser=True) if who == "superuser" else make_user(group="Reviewers")
    client.force_login(user)
    url = reverse("admin:sources_source_revision", args=[placeholder.pk, version.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "details needed" in page.content.decode()
    assert_briefing_untouched(briefing)

    data = {
        "title": version.field_dict["title"],
        "publisher": "",
        "url": "",
        "published_on": "",
        "kind": placeholder.kind,
        "grade": placeholder.grade,
        "details_pending": "on",
        "notes": "",
        # The restore form carries the source's edit lock, like any change form.
        "base_edit_version": Source.objects.get(pk=placeholder.pk).edit_version,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    placeholder.refresh_from_db()
    assert placeholder.title == version.field_dict["title"]
    assert placeholder.details_pending
    assert_briefing_untouched(briefing)
    latest = Version.objects.get_for_object(placeholder).order_by("-pk").first().revision
    assert latest.user == user
    assert latest.comment.startswith("Restored")
    assert list(latest.version_set.values_list("content_type__model", flat=True)) == ["source"]


def test_restoring_an_imported_partner_restores_only_the_partner(client):
    briefing, _, _, arden, version = imported()
    client.force_login(make_user(group="Reviewers"))  # reverting is the reviewers'
    url = reverse("admin:briefings_partner_revision", args=[arden.pk, version.pk])
    base = Partner.objects.get(pk=arden.pk).edit_version
    response = client.post(
        url, {"name": "Arden", "slug": arden.slug, "description": "", "base_edit_version": base}
    )
    assert response.status_code == 302
    arden.refresh_from_db()
    assert arden.name == "Arden"
    assert_briefing_untouched(briefing)
