"""The sitemap index, its paged sitemaps, and robots.txt. Only published pages are listed; drafts never are.

``/sitemap.xml`` is a sitemap index (sitemaps.org protocol): it names one
sitemap per page of each section,

- ``/sitemaps/home-1.xml``: the home page;
- ``/sitemaps/briefings-N.xml``: each briefing's address, which always shows
  its current publication, by briefing id;
- ``/sitemaps/publications-N.xml``: every live publication's permanent page,
  by publication id;

each page at most ``URLS_PER_SITEMAP`` addresses (the protocol allows
50,000). Pages are in id order, so a page is an indexed range read of only
the columns it prints (slug, number, date), and the XML is written directly
rather than through a template per address: a page of 2,000 addresses
(about 300 KB) is a few tens of milliseconds however many publications
there are. The index
costs one aggregate query. Both carry an ETag naming the live publications'
count and highest id, so a publish or a withdrawal changes them.
"""

from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from briefings.models import Publication
from briefings.public.views import published_response

URLS_PER_SITEMAP = 2_000
XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SECTIONS = ("home", "briefings", "publications")


def live_stats():
    """One query: the live publications' count, highest id and latest date; briefings with one."""
    return Publication.objects.live().aggregate(
        count=Count("pk"), briefings=Count("briefing", distinct=True), last=Max("pk"), at=Max("published_at")
    )


def page_count(section, stats):
    if section == "home":
        return 1
    total = stats["briefings"] if section == "briefings" else stats["count"]
    return -(-total // URLS_PER_SITEMAP)  # ceiling


def sitemap_pages(stats=None):
    """The address of every sitemap page the index lists, in order."""
    stats = stats if stats is not None else live_stats()
    return [
        reverse("sitemap-section", args=[section, page])
        for section in SECTIONS
        for page in range(1, page_count(section, stats) + 1)
    ]


def _respond(request, stats, tag, render):
    if not stats["count"]:
        response = HttpResponse(render(), content_type="application/xml; charset=utf-8")
        patch_cache_control(response, public=True, max_age=settings.ASSAY_PUBLIC_CACHE_SECONDS)
        return response
    return published_response(
        request,
        lambda: HttpResponse(render(), content_type="application/xml; charset=utf-8"),
        etag=f"sitemap-{tag}-{stats['count']}-{stats['last']}",
        last_modified=stats["at"],
    )


def sitemap(request):
    """The sitemap index: one ``<sitemap>`` per page of each section."""
    stats = live_stats()

    def render():
        origin = request.build_absolute_uri("/").rstrip("/")
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<sitemapindex xmlns="{XMLNS}">\n']
        for url in sitemap_pages(stats):
            out.append(f"<sitemap><loc>{escape(origin + url)}</loc></sitemap>\n")
        out.append("</sitemapindex>\n")
        return "".join(out)

    return _respond(request, stats, "index", render)


def _day(moment):
    return timezone.localtime(moment).date().isoformat()


def _rows(section, page):
    start = (page - 1) * URLS_PER_SITEMAP
    end = start + URLS_PER_SITEMAP
    if section == "home":
        return [(reverse("briefings:briefing-list"), None)]
    # Addresses are built from the route's prefix, not reversed per row; tests compare them with reverse().
    prefix = reverse("briefings:briefing-detail", args=["x"]).removesuffix("x/")
    if section == "briefings":
        rows = (
            Publication.objects.current()
            .order_by("briefing_id")
            .values_list("briefing__slug", "published_at")[start:end]
        )
        return [(f"{prefix}{slug}/", at) for slug, at in rows]
    rows = Publication.objects.live().order_by("pk").values_list("briefing__slug", "number", "published_at")
    return [(f"{prefix}{slug}/v{number}/", at) for slug, number, at in rows[start:end]]


FREQUENCY = {"home": ("daily", "1.0"), "briefings": ("weekly", "0.8"), "publications": ("never", "0.4")}


def sitemap_section(request, section, page):
    """One page of one section: a ``<urlset>`` of at most ``URLS_PER_SITEMAP`` addresses."""
    if section not in SECTIONS:
        raise Http404("No such sitemap.")
    stats = live_stats()
    if page < 1 or page > max(1, page_count(section, stats)):
        raise Http404("No such sitemap page.")

    def render():
        origin = request.build_absolute_uri("/").rstrip("/")
        changefreq, priority = FREQUENCY[section]
        latest = stats["at"]
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<urlset xmlns="{XMLNS}">\n']
        for path, at in _rows(section, page):
            at = at if section != "home" else latest
            lastmod = f"<lastmod>{_day(at)}</lastmod>" if at else ""
            out.append(
                f"<url><loc>{escape(origin + path)}</loc>{lastmod}"
                f"<changefreq>{changefreq}</changefreq><priority>{priority}</priority></url>\n"
            )
        out.append("</urlset>\n")
        return "".join(out)

    return _respond(request, stats, f"{section}-{page}", render)


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
