"""manage.py check_sources against a local HTTP server the test starts: no outside network."""

import io
import time

import pytest
from django.core.management import CommandError, call_command

from sources.models import LinkCheck
from tests.factories import make_source

pytestmark = pytest.mark.django_db


def check(*args):
    out = io.StringIO()
    call_command("check_sources", "--allow-private", *args, stdout=out)
    return out.getvalue()


def test_a_working_link_records_status_final_url_hash_and_time(site):
    source = make_source("Lending report", url=site.url("/ok"))
    output = check("--concurrency", "2", "--timeout", "5")
    row = LinkCheck.objects.get(source=source)
    assert row.state == LinkCheck.State.OK
    assert row.status_code == 200
    assert row.final_url == site.url("/ok")
    assert row.redirects == []
    assert len(row.content_hash) == 64
    assert row.checked_at is not None
    assert f"[1/1] ok        200 · {site.url('/ok')} · source {source.pk} “Lending report”" in output
    assert "Checked 1 source: 1 link works." in output


def test_a_404_and_a_410_are_dead_links(site):
    missing = make_source(url=site.url("/missing"))
    gone = make_source(url=site.url("/gone"))
    output = check()
    for source, status in ((missing, 404), (gone, 410)):
        row = LinkCheck.objects.get(source=source)
        assert row.state == LinkCheck.State.DEAD
        assert row.status_code == status
        assert row.error == f"the server answered HTTP {status}"
        assert row.dead_since == row.checked_at
    assert "2 dead link" in output


def test_redirects_are_followed_and_each_step_recorded(site):
    source = make_source(url=site.url("/hop"))
    output = check()
    row = LinkCheck.objects.get(source=source)
    assert row.state == LinkCheck.State.OK
    assert row.final_url == site.url("/ok")
    assert row.redirects == [
        [302, site.url("/hop"), site.url("/moved")],
        [301, site.url("/moved"), site.url("/ok")],
    ]
    assert f"after 2 redirects to {site.url('/ok')}" in output


def test_changed_content_is_flagged_until_an_editor_marks_it_reviewed(site):
    source = make_source(url=site.url("/changing"))
    check()
    first = LinkCheck.objects.get(source=source)
    assert first.state == LinkCheck.State.OK
    site.pages["/changing"] = (200, {}, b"second wording, edited by the publisher")
    output = check()
    row = LinkCheck.objects.get(source=source)
    assert row.state == LinkCheck.State.CHANGED
    assert row.content_hash != first.content_hash
    assert row.changed_at == row.checked_at
    assert "CHANGED" in output
    # Unchanged since: still flagged, nobody has looked yet.
    check()
    assert LinkCheck.objects.get(source=source).state == LinkCheck.State.CHANGED
    from sources.linkcheck import mark_reviewed

    mark_reviewed([source])
    check()
    row = LinkCheck.objects.get(source=source)
    assert row.state == LinkCheck.State.OK
    assert row.changed_at is None


def test_robots_txt_disallow_is_respected_also_after_a_redirect(site):
    private = make_source(url=site.url("/private/page"))
    via_redirect = make_source(url=site.url("/to-private"))
    output = check()
    for source in (private, via_redirect):
        row = LinkCheck.objects.get(source=source)
        assert row.state == LinkCheck.State.BLOCKED
        assert row.status_code is None
        assert "robots.txt disallows it" in row.error
    assert "/private/page" not in site.requests
    assert site.requests.count("/robots.txt") == 1
    assert "2 not checked: robots.txt disallows it" in output


def test_a_url_on_a_private_address_is_not_fetched_unless_allowed(site):
    source = make_source(url=site.url("/ok"))
    redirected = make_source(url=site.url("/moved"))
    out = io.StringIO()
    call_command("check_sources", stdout=out)
    for each in (source, redirected):
        row = LinkCheck.objects.get(source=each)
        assert row.state == LinkCheck.State.BLOCKED
        assert row.error.startswith("not fetched: 127.0.0.1 is not a public address")
    assert site.requests == []
    check()
    assert LinkCheck.objects.get(source=source).state == LinkCheck.State.OK


def test_a_server_that_does_not_answer_in_time_is_dead_with_the_reason(site):
    source = make_source(url=site.url("/slow"))
    started = time.monotonic()
    check("--timeout", "0.5")
    assert time.monotonic() - started < 2
    row = LinkCheck.objects.get(source=source)
    assert row.state == LinkCheck.State.DEAD
    assert row.status_code is None
    assert row.error == "no answer within 0.5 s"


def test_a_refused_connection_is_dead(site):
    port = site.server.server_port
    site.server.shutdown()
    site.server.server_close()
    source = make_source(url=f"http://127.0.0.1:{port}/ok")
    check("--timeout", "2")
    row = LinkCheck.objects.get(source=source)
    assert row.state == LinkCheck.State.DEAD
    assert row.error.startswith("could not fetch")


def test_only_due_skips_sources_checked_recently(site, settings):
    settings.ASSAY_LINK_CHECK_DAYS = 7
    checked = make_source(url=site.url("/ok"))
    check()
    fresh = make_source(url=site.url("/gone"))
    make_source(title="No address")
    output = check("--only-due")
    assert "[1/1]" in output
    assert f"source {fresh.pk} " in output
    assert f"source {checked.pk} " not in output


def test_the_checker_refuses_bad_options_naming_them():
    with pytest.raises(CommandError, match="--concurrency must be from 1 to 32, not 0"):
        check("--concurrency", "0")
    with pytest.raises(CommandError, match="--timeout must be more than 0"):
        check("--timeout", "-1")


def test_control_characters_in_a_title_are_printed_escaped(site):
    make_source("Title\x1b[31m red", url=site.url("/ok"))
    output = check()
    assert "\x1b" not in output
    assert "Title\\x1b[31m red" in output
