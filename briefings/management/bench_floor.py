"""The WSGI application ``bench_serving`` runs: the project, plus a floor to compare with.

``/__bench__/floor`` returns a fixed HTML string of ``ASSAY_BENCH_FLOOR_BYTES``
bytes through the same middleware as every page: the least a Django view can
cost. Only the benchmark loads this module; the project's URLs do not.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402

settings.ROOT_URLCONF = __name__
application = get_wsgi_application()  # sets Django up; the URLs below need the apps loaded

FLOOR = ("<!doctype html>" + "x" * max(0, int(os.environ.get("ASSAY_BENCH_FLOOR_BYTES", "0")) - 15)).encode()


def floor(request):
    return HttpResponse(FLOOR, content_type="text/html; charset=utf-8")


urlpatterns = [path("__bench__/floor", floor), path("", include("config.urls"))]
