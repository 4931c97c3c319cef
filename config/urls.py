from django.contrib import admin
from django.urls import include, path

from briefings.public.sitemaps import robots_txt, sitemap, sitemap_section
from config.health import healthz

handler500 = "config.outage.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("sitemaps/<slug:section>-<int32:page>.xml", sitemap_section, name="sitemap-section"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("sources/", include("briefings.public.source_urls")),
    path("", include("briefings.public.urls")),
]
