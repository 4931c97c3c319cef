"""Dead links and changed content, as editors see them in the source admin."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from briefings.publishing import review
from sources.models import LinkCheck
from tests.factories import make_briefing, make_source, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    client.force_login(make_user(group="Editors"))
    return client


def check():
    call_command("check_sources", "--allow-private", "--timeout", "5", stdout=io.StringIO())


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_source_list_shows_and_filters_dead_and_changed_links(site, editor):
    dead = make_source("Vanished report", url=site.url("/missing"))
    changing = make_source("Rewritten report", url=site.url("/changing"))
    fine = make_source("Steady report", url=site.url("/ok"))
    check()
    site.pages["/changing"] = (200, {}, b"rewritten")
    check()
    unchecked = make_source("Never checked report", url="https://example.invalid/never")
    changelist = reverse("admin:sources_source_changelist")
    page = html(editor, changelist)
    assert "dead (404)" in page
    assert "<strong>content changed</strong>" in page
    assert "works (200)" in page
    page = html(editor, changelist + "?link=dead")
    assert dead.title in page and changing.title not in page and fine.title not in page
    page = html(editor, changelist + "?link=changed")
    assert changing.title in page and dead.title not in page
    page = html(editor, changelist + "?link=never")
    assert unchecked.title in page and fine.title not in page


def test_the_change_form_reports_the_check_and_takes_an_archive_url(site, editor):
    source = make_source("Moved report", url=site.url("/moved"))
    check()
    url = reverse("admin:sources_source_change", args=[source.pk])
    page = html(editor, url)
    assert "Link works" in page
    assert f"301: {site.url('/moved')} → {site.url('/ok')}" in page
    assert f"<strong>Final URL:</strong> {site.url('/ok')}" in page
    assert "Content SHA-256" in page
    assert 'name="archive_url"' in page
    form = {
        "title": "Moved report",
        "publisher": "",
        "url": source.url,
        "archive_url": "https://web.archive.org/web/2025/https://example.org/report",
        "published_on": "",
        "kind": "other",
        "grade": "",
        "notes": "",
        "base_edit_version": source.edit_version,
        "base_values": "",
    }
    response = editor.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    source.refresh_from_db()
    assert source.archive_url == "https://web.archive.org/web/2025/https://example.org/report"
    # An editor's save leaves the latest check alone.
    assert LinkCheck.objects.get(source=source).state == LinkCheck.State.OK


def test_a_bad_archive_url_is_refused_on_its_field(editor):
    source = make_source("Report", url="https://example.org/r")
    url = reverse("admin:sources_source_change", args=[source.pk])
    response = editor.post(
        url,
        {
            "title": "Report",
            "url": source.url,
            "archive_url": "not an address",
            "kind": "other",
            "grade": "",
            "base_edit_version": source.edit_version,
        },
    )
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()


def test_marking_changed_content_reviewed_clears_the_flag(site, editor):
    source = make_source("Rewritten report", url=site.url("/changing"))
    check()
    site.pages["/changing"] = (200, {}, b"rewritten")
    check()
    assert LinkCheck.objects.get(source=source).state == LinkCheck.State.CHANGED
    response = editor.post(
        reverse("admin:sources_source_changelist"),
        {"action": "mark_content_reviewed", "_selected_action": [source.pk]},
    )
    assert response.status_code == 302
    assert LinkCheck.objects.get(source=source).state == LinkCheck.State.OK


def test_a_link_check_does_not_count_as_an_edit_of_the_source(site):
    source = make_source("Report", url=site.url("/gone"))
    briefing = make_briefing(sections=[("Executive summary", "Claim [1].")], references={1: source})
    seen = review.shared_records(briefing)
    before = source.edit_version
    check()
    source.refresh_from_db()
    assert source.edit_version == before
    assert review.shared_records(briefing) == seen
