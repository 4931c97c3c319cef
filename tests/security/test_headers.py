"""Point 2 of issue 9: a strict Content-Security-Policy and a Permissions-Policy on every page.

Every public route (the same table tests/test_nothing_unpublished.py walks)
and the admin's pages answer with both headers, and their HTML holds nothing
the policy would block: no inline script, no event-handler attribute, no
``javascript:`` URL, no style attribute or <style> element. Data blocks
(JSON-LD, the admin's json_script) are not script and are allowed.
"""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from briefings.publishing.previews import create_preview_link
from tests.factories import make_briefing, make_partner, make_user, publish
from tests.test_nothing_unpublished import PRIVATE_URL_NAMES, PUBLIC_URLS, public_patterns

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class InlineContent(HTMLParser):
    """Collects what a strict CSP would block in a page."""

    def __init__(self):
        super().__init__()
        self.problems = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.problems.append(f"<{tag} style=…>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            self._script = attrs

    def handle_data(self, data):
        script = self._script
        if (
            script is not None
            and data.strip()
            and "src" not in script
            and script.get("type") not in DATA_SCRIPT_TYPES
        ):
            self.problems.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def assert_strict(response, url):
    directives = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert directives == EXPECTED_CSP, url
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy, (url, policy)
    if response["Content-Type"].startswith("text/html"):
        parser = InlineContent()
        parser.feed(response.content.decode())
        assert parser.problems == [], (url, parser.problems)


@pytest.fixture
def site():
    partner = make_partner("Arden")
    briefing = make_briefing(
        sections=[
            ("Executive summary", "Arden helps [1]."),
            ("1. Arden: water", "Arden builds dams [2].", ["Arden"]),
        ]
    )
    publish(briefing)
    publish(briefing, note="A second version.")
    source = briefing.references.get(number=1).source
    return {
        "briefing": briefing,
        "partner": partner,
        "source": source,
        "data": {
            "briefing_slugs": [briefing.slug],
            "publication_numbers": [(briefing.slug, 2)],
            "partner_slugs": [partner.slug],
            "source_ids": [source.pk],
        },
    }


def public_urls(data):
    urls = []
    for name, _ in public_patterns():
        if name in PRIVATE_URL_NAMES or name is None:
            continue
        for kwargs in PUBLIC_URLS[name](data):
            urls.append(reverse(name, kwargs=kwargs))
    return urls


def test_every_public_route_sends_the_policies(site):
    client = Client()
    urls = public_urls(site["data"])
    assert len(urls) >= 15
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response, url)
    # Query strings and error pages too.
    for url in ("/search/?q=Arden", "/claims/?text=dams", "/briefings/?page=9", "/no-such-page/"):
        assert_strict(client.get(url), url)


def test_every_public_html_page_sends_cache_control_the_home_page_included(site):
    client = Client()
    for url in public_urls(site["data"]):
        response = client.get(url)
        if url == "/healthz":
            assert response["Cache-Control"] == "no-store"
            continue
        cache = response["Cache-Control"]
        assert "public" in cache and f"max-age={settings.ASSAY_PUBLIC_CACHE_SECONDS}" in cache, (url, cache)


def test_the_preview_page_sends_the_policies(site):
    _, token = create_preview_link(
        briefing=site["briefing"], user=make_user(group="Reviewers"), label="legal", days=1
    )
    response = Client().get(reverse("briefings:preview", args=[token]))
    assert response.status_code == 200
    assert_strict(response, "preview")


def admin_urls(site):
    briefing, partner, source = site["briefing"], site["partner"], site["source"]
    urls = ["/admin/", "/admin/password_change/"]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    pk = briefing.pk
    for name in (
        "change",
        "history",
        "compare",
        "submit",
        "review",
        "previews",
        "recover_sections",
        "delete",
    ):
        urls.append(reverse(f"admin:briefings_briefing_{name}", args=[pk]))
    urls += [
        reverse("admin:briefings_briefing_review_queue"),
        reverse("admin:briefings_briefing_recoverlist"),
        reverse("admin:briefings_briefing_revert", args=[pk, 1]),
        reverse("admin:briefings_briefing_compare", args=[pk]) + "?from=1&to=working&view=side",
        reverse("admin:briefings_partner_change", args=[partner.pk]),
        reverse("admin:briefings_partner_history", args=[partner.pk]),
        reverse("admin:sources_source_change", args=[source.pk]),
        reverse("admin:sources_source_history", args=[source.pk]),
        reverse("admin:briefings_publication_change", args=[briefing.publications.first().pk]),
    ]
    return urls


def test_the_admin_sends_the_policies_and_needs_no_inline_script(site):
    anonymous = Client()
    response = anonymous.get("/admin/login/")
    assert response.status_code == 200
    assert_strict(response, "/admin/login/")
    client = Client()
    client.force_login(make_user(superuser=True))
    urls = admin_urls(site)
    assert len(urls) > 25
    for url in urls:
        response = client.get(url)
        # Read-only records (publications, django-axes' logs) refuse their add pages (403).
        read_only = url.startswith("/admin/axes/") or url == "/admin/briefings/publication/add/"
        allowed = (200, 302, 403) if read_only else (200, 302)
        assert response.status_code in allowed, (url, response.status_code)
        assert_strict(response, url)


def test_error_and_health_responses_send_the_policies(site):
    client = Client(raise_request_exception=False)
    for url in ("/healthz", "/briefings/no-such-briefing/", "/sources/99999/"):
        assert_strict(client.get(url), url)
