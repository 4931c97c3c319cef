"""While the database is unreachable, answer 503 Service Unavailable with Retry-After, not 500.

A 500 says the code is broken; a 503 says "try again shortly", which is what
a load balancer, a CDN (which may then serve its stale copy) and a reader
need to hear. Two paths lead here:

- ``DatabaseUnavailableMiddleware.process_exception`` for an error raised by
  a view or while a template renders;
- ``server_error`` (``handler500``) for one raised elsewhere, e.g. while the
  session is saved after the view.

The page is rendered without the request, so rendering it needs no database.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)


def unavailable_response():
    response = HttpResponse(
        loader.render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def is_database_outage(exception):
    return isinstance(exception, DATABASE_ERRORS)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            logger.error("Database unavailable: %s %s: %s", request.method, request.path, exception)
            return unavailable_response()
        return None


def server_error(request, template_name="500.html"):
    """handler500: a 503 when the error is the database's, Django's plain 500 otherwise."""
    exception = sys.exc_info()[1]
    if is_database_outage(exception):
        return unavailable_response()
    try:
        body = loader.render_to_string(template_name)
    except Exception:
        body = "<h1>Server Error (500)</h1>"
    return HttpResponseServerError(body)
