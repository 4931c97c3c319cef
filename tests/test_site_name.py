"""ASSAY_SITE_NAME names the site wherever a page names it: titles, header, footer, feed link."""

import re

import pytest
from django.urls import reverse

from briefings.models import PublishedReference
from tests.factories import make_briefing, publish

pytestmark = pytest.mark.django_db

NAME = "Field <Notes> & Co"
ESCAPED = "Field &lt;Notes&gt; &amp; Co"


def public_urls():
    briefing = make_briefing(
        sections=[
            ("Executive summary", "Rain falls [1]."),
            ("Arden: the lender", "Arden lends [1].", ["Arden"]),
        ]
    )
    publish(briefing)
    publish(briefing, note="Second look.")
    source_id = PublishedReference.objects.values_list("source_id", flat=True).first()
    return [
        "/",
        "/briefings/",
        "/claims/",
        "/sources/",
        "/search/?q=rain",
        f"/briefings/{briefing.slug}/",
        f"/briefings/{briefing.slug}/v1/",
        reverse("briefings:publication-compare", args=[briefing.slug, 1, 2]),
        "/partners/arden/",
        f"/sources/{source_id}/",
        "/no-such-page/",
    ]


def test_every_public_page_names_the_configured_site(client, settings):
    settings.ASSAY_SITE_NAME = NAME
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == (404 if url == "/no-such-page/" else 200), url
        html = response.content.decode()
        title = re.search(r"<title>(.*?)</title>", html, flags=re.S).group(1)
        assert title.strip().endswith(ESCAPED), (url, title)
        assert f'class="site-name" href="/">{ESCAPED}</a>' in html, url
        assert f'title="{ESCAPED}: every publication"' in html, url
        assert f"<p>{ESCAPED} publishes" in html, url
        assert "Assay" not in html, url
