"""The page cache: published pages answered from Django's cache, without the database.

Public pages change only when something is published (or a deploy changes the
templates and code), so a page rendered once can be served again until then.
``PageCacheMiddleware`` sits before the session, authentication and CSRF
middleware: on a hit it answers from the cache alone — no database query, no
session — honouring ``If-None-Match``/``If-Modified-Since`` with a 304.

What is cached, and under which key:

- only the public routes listed in ``ROUTES`` (never the admin, previews or
  ``/healthz``), for GET and HEAD, and only a 200 whose ``Cache-Control`` is
  public and that sets no cookie;
- the key names the release (``release.release_token``), the cache's
  generation, the path and the query string *reduced to the parameters the
  route reads*, in a fixed order. The view itself is given that reduced query,
  so a junk parameter neither bypasses the cache nor changes the page.

Publishing advances the published generation (briefings/publishing/generation.py),
which every key names: every page cached before is never read again (and
expires with ``ASSAY_PAGE_CACHE_SECONDS``). It does so again once its
transaction has committed, so a reader never sees a page older than a publish
that has completed.

The cache is the ``pages`` alias in ``settings.CACHES``: local memory by
default, which is per process; with several worker processes set ``CACHE_URL``
to Redis so that one publish empties the cache for all of them.
"""

import functools
import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from briefings.public.release import release_token
from briefings.public.replicas import public_reads
from briefings.publishing import generation

logger = logging.getLogger(__name__)


# Route name → the query parameters its view reads. Filtered lists read their
# FilterSet's fields (added from the view class) and ``page``: search's filters
# (partner, source, briefing, kind, published_from, published_to) come from
# ``SectionSearchFilter`` that way.
ROUTES = {
    "briefings:briefing-list": ("page",),
    "briefings:briefing-explore": ("page",),
    "briefings:claim-list": ("page", "after", "before", "q"),
    "briefings:search": ("q", "page"),
    "briefings:briefing-detail": (),
    "briefings:publication-detail": (),
    "briefings:briefing-json": (),
    "briefings:publication-json": (),
    "briefings:briefing-feed": (),
    "briefings:feed": (),
    "briefings:publication-compare": ("view",),
    "briefings:partner-detail": ("page",),
    "sources:source-list": ("page",),
    "sources:source-detail": ("page", "after", "before"),
    "sitemap": (),
    "sitemap-section": (),
    "robots-txt": (),
}

# Headers replayed from the cache; the rest are the outer middleware's to add.
SKIPPED_HEADERS = {"set-cookie", "date", "content-length"}


def page_cache():
    return caches[generation.ALIAS]


def _parameters(match):
    return _route_parameters(match.view_name, match.func)


@functools.cache
def _route_parameters(view_name, func):
    """The query parameters a route reads: worked out once per route, not on every request."""
    names = set(ROUTES[view_name])
    view_class = getattr(func, "view_class", None)
    filterset = getattr(view_class, "filterset_class", None)
    if filterset is not None:
        names.update(filterset.base_filters)
    return frozenset(names)


def reduced_query(request, names):
    """The request's query string with only ``names``, in the order the request gave them."""
    query = QueryDict(mutable=True)
    for name in dict.fromkeys(request.GET):
        if name in names:
            query.setlist(name, request.GET.getlist(name))
    return query


def _key(path, query, current):
    canonical = "&".join(f"{name}={query.getlist(name)!r}" for name in sorted(query))
    digest = hashlib.sha256(f"{path}?{canonical}".encode()).hexdigest()
    return f"page:{release_token()}:{current}:{digest}"


def _cacheable(response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = response.get("Cache-Control", "")
    return "public" in control and "no-store" not in control and "private" not in control


def _replay(request, stored):
    status, headers, content = stored
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    conditional = get_conditional_response(
        request, etag=response.get("ETag"), last_modified=last_modified, response=response
    )
    response["X-Page-Cache"] = "hit"
    return conditional if conditional is not None else response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.view_name not in ROUTES:
            return self.get_response(request)
        if not settings.ASSAY_PAGE_CACHE:
            with public_reads(None):
                return self.get_response(request)

        cache = page_cache()
        query = reduced_query(request, _parameters(match))
        try:
            current = generation.current()
            key = _key(request.path_info, query, current)
            stored = cache.get(key)
        except Exception:
            logger.exception("The page cache is unreachable; rendering %s", request.path_info)
            with public_reads(None):
                return self.get_response(request)
        if stored is not None:
            return _replay(request, stored)

        # The view sees only what the key names, so the page is the same for every request with that key.
        request.GET = query.copy()
        request.GET._mutable = False
        request.META["QUERY_STRING"] = query.urlencode()
        with public_reads(current):
            response = self.get_response(request)
        if _cacheable(response) and request.method == "GET":
            headers = [(k, v) for k, v in response.items() if k.lower() not in SKIPPED_HEADERS]
            try:
                # A view may keep its page for less than the cache's TIMEOUT (pagination.py: a list
                # whose count was given up is kept a minute).
                timeout = getattr(response, "page_cache_seconds", None)
                extra = {} if timeout is None else {"timeout": timeout}
                cache.set(key, (response.status_code, headers, response.content), **extra)
            except Exception:
                logger.exception("The page cache is unreachable; %s was not stored", request.path_info)
            response["X-Page-Cache"] = "miss"
        return response
