"""Login throttling's two hooks into django-axes: who the client is, and what a locked-out login sees.

The client's address:

By default the socket's address (REMOTE_ADDR). Behind reverse proxies that
each append the address they saw to X-Forwarded-For, set
ASSAY_TRUSTED_PROXY_COUNT to their number: the client is then that many
entries from the right. Entries further left are the client's own word and
are never trusted, so a client cannot pick an address to dodge a lockout.
"""

from django.conf import settings
from django.shortcuts import render


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.ASSAY_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]


def lockout_response(request, original_response=None, credentials=None):
    """429 Too Many Requests with a plain explanation and Retry-After (AXES_LOCKOUT_CALLABLE)."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "cooloff": cooloff,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "site_header": "Assay administration",
        "title": "Login refused",
    }
    response = render(request, "admin/locked_out.html", context, status=429)
    if cooloff:
        response["Retry-After"] = str(int(cooloff.total_seconds()))
    response["Cache-Control"] = "no-store"
    return response
