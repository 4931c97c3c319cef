from django.contrib import admin
from django.urls import include, path

from briefings.sitemaps import robots_txt, sitemap

from .health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("sources/", include("sources.urls")),
    path("", include("briefings.urls")),
]
