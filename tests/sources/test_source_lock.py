"""Shared records keep their edits: two sessions on one source or partner, and deletes history needs."""

import pytest
from django.test import Client
from django.urls import reverse

from briefings.models import Partner
from sources.models import Source
from tests.briefings.history_helpers import revise
from tests.factories import make_briefing, make_source, make_user

pytestmark = pytest.mark.django_db


def session(user):
    client = Client()
    client.force_login(user)
    return client


def form_data(client, url):
    """The change form as a browser would post it back."""
    form = client.get(url).context["adminform"].form
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = "on" if value is True else value
    return data


@pytest.fixture
def two_sessions():
    return session(make_user(username="amira", group="Editors")), session(
        make_user(username="bruno", group="Editors")
    )


def test_the_second_of_two_sessions_editing_one_source_is_refused_with_the_difference(two_sessions):
    amira, bruno = two_sessions
    source = make_source("Arden water review", publisher="Arden Bank")
    url = reverse("admin:sources_source_change", args=[source.pk])
    first, second = form_data(amira, url), form_data(bruno, url)

    first["title"] = "Arden water portfolio review"
    assert amira.post(url, first).status_code == 302

    second["publisher"] = "Arden Development Bank"
    response = bruno.post(url, second)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: amira, at" in page
    assert "Title: now “Arden water portfolio review”, yours “Arden water review”" in page
    assert Source.objects.get(pk=source.pk).publisher == "Arden Bank"

    # The form came back with Bruno's publisher and Amira's title: saving again keeps both.
    again = response.context["adminform"].form
    assert again["title"].value() == "Arden water portfolio review"
    assert again["publisher"].value() == "Arden Development Bank"
    resubmit = {bound.html_name: bound.value() for bound in again if bound.value() not in (None, False)}
    assert bruno.post(url, resubmit).status_code == 302
    saved = Source.objects.get(pk=source.pk)
    assert (saved.title, saved.publisher) == ("Arden water portfolio review", "Arden Development Bank")


def test_two_sessions_changing_the_same_source_field_keeps_the_seconds_text_in_the_form(two_sessions):
    amira, bruno = two_sessions
    source = make_source("Arden water review")
    url = reverse("admin:sources_source_change", args=[source.pk])
    first, second = form_data(amira, url), form_data(bruno, url)
    first["title"] = "Amira's title"
    assert amira.post(url, first).status_code == 302
    second["title"] = "Bruno's <b>title</b>"
    response = bruno.post(url, second)
    page = response.content.decode()
    assert response.status_code == 200
    assert "yours “Bruno&#x27;s &lt;b&gt;title&lt;/b&gt;”" in page
    assert response.context["adminform"].form["title"].value() == "Bruno's <b>title</b>"
    assert Source.objects.get(pk=source.pk).title == "Amira's title"


def test_partners_have_the_same_lock(two_sessions):
    amira, bruno = two_sessions
    partner = Partner.objects.create(name="Arden", slug="arden")
    url = reverse("admin:briefings_partner_change", args=[partner.pk])
    first, second = form_data(amira, url), form_data(bruno, url)
    first["description"] = "A lender."
    assert amira.post(url, first).status_code == 302
    second["name"] = "Arden Republic"
    assert bruno.post(url, second).status_code == 200
    assert Partner.objects.get(pk=partner.pk).name == "Arden"


def test_a_source_or_partner_any_revision_names_cannot_be_deleted_and_the_page_says_why():
    reviewer = session(make_user(group="Reviewers"))
    briefing = make_briefing(title="Sample question: who lends?")
    source = briefing.references.get(number=1).source
    replacement = make_source("A replacement")
    revise(briefing, lambda b: b.references.filter(number=1).update(source=replacement))
    url = reverse("admin:sources_source_delete", args=[source.pk])
    page = reviewer.get(url).content.decode()
    assert "“Sample question: who lends?” names this source in its revision history" in page
    assert reviewer.post(url, {"post": "yes"}).status_code == 200
    assert Source.objects.filter(pk=source.pk).exists()

    arden = Partner.objects.get(name="Arden")
    page = reviewer.get(reverse("admin:briefings_partner_delete", args=[arden.pk])).content.decode()
    assert "names this partner in its revision history" in page
    assert (
        reviewer.post(reverse("admin:briefings_partner_delete", args=[arden.pk]), {"post": "yes"}).status_code
        == 200
    )
    assert Partner.objects.filter(pk=arden.pk).exists()
