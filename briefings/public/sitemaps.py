"""The sitemap index, its sitemaps, and robots.txt. Only published pages are listed; drafts never are.

``/sitemap.xml`` is a sitemap index (sitemaps.org): it names one sitemap
page per ``ASSAY_SITEMAP_PAGE_SIZE`` addresses of each kind, at
``/sitemaps/<kind>-<page>.xml``. The page is in the path, not a query string,
so ``bake`` can write every page as a file. However many briefings there
are, each page stays small (the protocol's own limit is 50,000 addresses)
and every publication is reachable from the index.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sites.requests import RequestSite
from django.core.paginator import EmptyPage
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control

from briefings.models import Publication
from briefings.public.views import published_response


class PagedSitemap(Sitemap):
    @property
    def limit(self):
        return settings.ASSAY_SITEMAP_PAGE_SIZE


class HomeSitemap(PagedSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["briefings:briefing-list"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Publication.objects.live().aggregate(at=Max("published_at"))["at"]


class BriefingSitemap(PagedSitemap):
    """Each briefing's address, which always shows its current publication."""

    changefreq = "weekly"
    priority = 0.8

    def items(self):
        # By id: a page is an index range, and a new briefing lands on the last page.
        return Publication.objects.current().select_related("briefing").only("published_at", "briefing__slug")

    def location(self, item):
        return item.briefing.get_absolute_url()

    def lastmod(self, item):
        return item.published_at


class PublicationSitemap(PagedSitemap):
    """Every publication's permanent page; these never change once published."""

    changefreq = "never"
    priority = 0.4

    def items(self):
        return (
            Publication.objects.live()
            .select_related("briefing")
            .only("number", "published_at", "briefing__slug")
            .order_by("pk")
        )

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.published_at


SITEMAPS = {"home": HomeSitemap, "briefings": BriefingSitemap, "publications": PublicationSitemap}


@dataclass(frozen=True)
class IndexEntry:
    """One sitemap page as the index names it (Django's sitemap_index.xml reads these)."""

    location: str
    last_mod: datetime | None


def live_stats():
    """One query: how many live and current publications there are, the newest's id and time."""
    live = Publication.objects.live()
    stats = live.aggregate(count=Count("pk"), last=Max("pk"), at=Max("published_at"))
    stats["current"] = Publication.objects.current().count() if stats["count"] else 0
    return stats


def page_counts(stats):
    """{kind: number of sitemap pages} (at least one each, so an empty site still has valid pages)."""
    size = settings.ASSAY_SITEMAP_PAGE_SIZE
    return {
        "home": 1,
        "briefings": max(1, math.ceil(stats["current"] / size)),
        "publications": max(1, math.ceil(stats["count"] / size)),
    }


def sitemap_page_urls(stats=None):
    """The path of every sitemap page, in index order (``bake`` writes each)."""
    counts = page_counts(stats or live_stats())
    return [
        reverse("sitemap-page", kwargs={"kind": kind, "page": page})
        for kind, pages in counts.items()
        for page in range(1, pages + 1)
    ]


def _cacheable(response):
    patch_cache_control(response, public=True, max_age=settings.ASSAY_PUBLIC_CACHE_SECONDS)
    return response


def sitemap_index(request):
    stats = live_stats()

    def render():
        entries = [
            IndexEntry(request.build_absolute_uri(url), stats["at"]) for url in sitemap_page_urls(stats)
        ]
        return TemplateResponse(
            request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
        ).render()

    if not stats["count"]:
        return _cacheable(render())
    return published_response(
        request, render, etag=f"sitemap-index-{stats['count']}-{stats['last']}", last_modified=stats["at"]
    )


def sitemap_page(request, kind, page):
    if kind not in SITEMAPS:
        raise Http404("No such sitemap.")
    site = SITEMAPS[kind]()
    stats = Publication.objects.live().aggregate(count=Count("pk"), last=Max("pk"), at=Max("published_at"))

    def render():
        try:
            urls = site.get_urls(page=page, site=RequestSite(request), protocol=request.scheme)
        except EmptyPage as empty:
            raise Http404(f"Sitemap {kind} has no page {page}.") from empty
        return TemplateResponse(
            request, "sitemap.xml", {"urlset": urls}, content_type="application/xml"
        ).render()

    if not stats["count"]:
        return _cacheable(render())
    return published_response(
        request,
        render,
        etag=f"sitemap-{kind}-{page}-{stats['count']}-{stats['last']}",
        last_modified=stats["at"],
    )


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    return _cacheable(response)
