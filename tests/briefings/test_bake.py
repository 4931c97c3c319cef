"""manage.py bake: the public site as static files, rewritten incrementally after a publish."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from briefings.models import Briefing
from briefings.public import sitemaps
from briefings.public.bake import MANIFEST, Baker
from briefings.publishing.takedown import withdraw_publication
from tests.briefings.history_helpers import revise, set_body
from tests.factories import make_briefing, make_user, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    first = make_briefing(title="First sample question?", slug="first-sample")
    publish(first)
    return Briefing.objects.get(pk=first.pk)


def live(url):
    return Client(HTTP_HOST="localhost").get(url).content


def test_a_full_bake_writes_every_public_page_as_the_site_serves_it(tmp_path, site):
    result = Baker(tmp_path, base_url="http://localhost").bake()
    assert result.full and not result.failed
    expected = {
        "index.html": "/",
        "briefings/first-sample/index.html": "/briefings/first-sample/",
        "briefings/first-sample/v1/index.html": "/briefings/first-sample/v1/",
        "briefings/first-sample.json": "/briefings/first-sample.json",
        "briefings/first-sample/v1.json": "/briefings/first-sample/v1.json",
        "briefings/first-sample/feed.atom": "/briefings/first-sample/feed.atom",
        "feeds/publications.atom": "/feeds/publications.atom",
        "sitemap.xml": "/sitemap.xml",
        "sitemaps/home-1.xml": "/sitemaps/home-1.xml",
        "sitemaps/briefings-1.xml": "/sitemaps/briefings-1.xml",
        "sitemaps/publications-1.xml": "/sitemaps/publications-1.xml",
        "robots.txt": "/robots.txt",
        "sources/index.html": "/sources/",
        "partners/arden/index.html": "/partners/arden/",
        "claims/index.html": "/claims/",
    }
    for name, url in expected.items():
        assert (tmp_path / name).read_bytes() == live(url), name
    source = site.references.first().source_id
    assert (tmp_path / f"sources/{source}/index.html").exists()
    assert "First sample question?" in (tmp_path / "index.html").read_text()


def test_after_a_publish_only_what_it_changed_is_rendered_again(tmp_path, site):
    Baker(tmp_path).bake()
    untouched = (tmp_path / "briefings/first-sample/index.html").stat().st_mtime_ns

    second = make_briefing(title="Second sample question?", slug="second-sample")
    publish(second)
    result = Baker(tmp_path).bake()
    assert not result.full
    assert result.briefings == 1
    assert "briefings/second-sample/index.html" in result.written
    assert "index.html" in result.written  # the home page lists it
    assert "briefings/first-sample/index.html" not in result.written
    assert (tmp_path / "briefings/first-sample/index.html").stat().st_mtime_ns == untouched
    assert "Second sample question?" in (tmp_path / "index.html").read_text()

    revise(second, set_body(0, "A revised sample summary is cited [1]. It has a second claim [2]."))
    publish(Briefing.objects.get(pk=second.pk), note="Revised the summary.")
    result = Baker(tmp_path).bake()
    assert "briefings/second-sample/v2/index.html" in result.written
    assert "briefings/second-sample/compare/v1...v2/index.html" in result.written
    assert "A revised sample summary" in (tmp_path / "briefings/second-sample/index.html").read_text()


def test_nothing_published_since_rewrites_nothing(tmp_path, site):
    Baker(tmp_path).bake()
    again = Baker(tmp_path).bake()
    assert again.written == [] and again.briefings == 0


def test_a_full_bake_removes_files_no_page_produces_any_more(tmp_path, site):
    Baker(tmp_path).bake()
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    stray = tmp_path / "briefings/withdrawn-sample/index.html"
    stray.parent.mkdir(parents=True)
    stray.write_text("old page")
    manifest["files"].append("briefings/withdrawn-sample/index.html")
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    result = Baker(tmp_path).bake(full=True)
    assert "briefings/withdrawn-sample/index.html" in result.removed
    assert not stray.exists()


def test_the_command_reports_and_refuses_a_bad_base_url(tmp_path, site, capsys):
    call_command("bake", str(tmp_path))
    assert "Full bake: 1 briefing(s) rendered" in capsys.readouterr().out
    with pytest.raises(CommandError, match="must start with http"):
        call_command("bake", str(tmp_path), "--base-url", "assay.example")


def test_every_sitemap_page_the_index_lists_is_baked_and_a_page_no_longer_listed_is_removed(
    tmp_path, site, monkeypatch
):
    monkeypatch.setattr(sitemaps, "URLS_PER_SITEMAP", 1)
    publish(make_briefing(title="Second sample question?", slug="second-sample"))
    Baker(tmp_path, base_url="http://localhost").bake()
    index = (tmp_path / "sitemap.xml").read_text()
    for name in ("home-1", "briefings-1", "briefings-2", "publications-1", "publications-2"):
        assert f"http://localhost/sitemaps/{name}.xml" in index
        assert (tmp_path / f"sitemaps/{name}.xml").read_bytes() == live(f"/sitemaps/{name}.xml"), name
    assert "/briefings/second-sample/v1/" in (tmp_path / "sitemaps/publications-2.xml").read_text()

    second = Briefing.objects.get(slug="second-sample").publications.get()
    withdraw_publication(publication=second, user=make_user(group="Reviewers"), notice="Withdrawn.")
    result = Baker(tmp_path, base_url="http://localhost").bake()
    assert not result.full
    assert {"sitemaps/briefings-2.xml", "sitemaps/publications-2.xml"} <= set(result.removed)
    assert not (tmp_path / "sitemaps/publications-2.xml").exists()
    assert "sitemaps/publications-2.xml" not in (tmp_path / "sitemap.xml").read_text()
