"""sitemap.xml and robots.txt. Only published pages are listed; drafts never are."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db.models import Count, Max
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control

from briefings.models import Publication
from briefings.public.views import published_response


class HomeSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["briefings:briefing-list"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Publication.objects.live().aggregate(at=Max("published_at"))["at"]


class BriefingSitemap(Sitemap):
    """Each briefing's address, which always shows its current publication."""

    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return (
            Publication.objects.current()
            .select_related("briefing")
            .only("published_at", "briefing__slug")
            .order_by("briefing__slug")
        )

    def location(self, item):
        return item.briefing.get_absolute_url()

    def lastmod(self, item):
        return item.published_at


class PublicationSitemap(Sitemap):
    """Every publication's permanent page; these never change once published."""

    changefreq = "never"
    priority = 0.4

    def items(self):
        return (
            Publication.objects.live()
            .select_related("briefing")
            .only("number", "published_at", "briefing__slug")
            .order_by("briefing__slug", "number")
        )

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.published_at


SITEMAPS = {"home": HomeSitemap, "briefings": BriefingSitemap, "publications": PublicationSitemap}


def sitemap(request):
    stats = Publication.objects.live().aggregate(count=Count("pk"), last=Max("pk"), at=Max("published_at"))
    if not stats["count"]:
        response = sitemap_view(request, sitemaps=SITEMAPS)
        patch_cache_control(response, public=True, max_age=settings.ASSAY_PUBLIC_CACHE_SECONDS)
        return response
    # The view paginates with ?p=; only a page number may reach the ETag header.
    page = request.GET.get("p", "1")
    page = page if page.isdigit() else "invalid"
    return published_response(
        request,
        lambda: sitemap_view(request, sitemaps=SITEMAPS),
        etag=f"sitemap-{page}-{stats['count']}-{stats['last']}",
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
    patch_cache_control(response, public=True, max_age=settings.ASSAY_PUBLIC_CACHE_SECONDS)
    return response
