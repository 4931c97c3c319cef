"""Deleting a source in the admin can never change what readers were shown."""

import pytest
from django.urls import reverse

from briefings.models import ClaimCitation, PublishedReference
from sources.models import Reference, Source
from tests.factories import make_briefing, make_source, make_user, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client):
    client.force_login(make_user(group="Reviewers"))
    return client


def test_a_source_a_current_publication_cites_cannot_be_deleted(reviewer):
    cited = make_source("Arden ministry of finance, 2024 budget")
    briefing = make_briefing(
        title="Sample question?",
        sections=[("Executive summary", "Arden lends [1].")],
        references={1: cited},
    )
    publish(briefing)
    # The working copy moves on: reference [1] now points elsewhere, so only
    # the publication still cites the old source.
    Reference.objects.filter(briefing=briefing, number=1).update(source=make_source("A newer source"))
    url = reverse("admin:sources_source_delete", args=[cited.pk])

    page = reviewer.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "would require deleting the following protected related objects" in html
    assert (
        "“Sample question?” as published (version 1) cites “Arden ministry of finance, 2024 budget” as [1]"
        in html
    )
    assert "Claim citation:" not in html

    response = reviewer.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Source.objects.filter(pk=cited.pk).exists()
    assert ClaimCitation.objects.filter(source=cited).count() == 1
    assert PublishedReference.objects.filter(source=cited).count() == 1
    assert "Arden ministry of finance" in reviewer.get(briefing.get_absolute_url()).content.decode()


def test_a_source_nothing_cites_can_still_be_deleted(reviewer):
    unused = make_source("An unused source")
    response = reviewer.post(reverse("admin:sources_source_delete", args=[unused.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Source.objects.filter(pk=unused.pk).exists()
