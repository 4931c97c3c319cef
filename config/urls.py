from django.contrib import admin
from django.urls import include, path

from briefings.public.sitemaps import robots_txt, sitemap
from config.health import healthz

handler500 = "config.outage.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("sources/", include("briefings.public.source_urls")),
    path("", include("briefings.public.urls")),
]
