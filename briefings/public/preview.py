"""The outside reader's preview: the working copy behind a signed, revocable link.

The one public page that reads the working copy, and only for a holder of a
live link. It is never cached by shared caches, never indexed, and sends no
Referer, so the token does not leak to the sources the draft links to.
"""

from django.shortcuts import render
from django.utils.cache import patch_cache_control

from briefings.publishing.previews import PreviewUnavailable, open_preview
from briefings.publishing.snapshot import build_snapshot, render_snapshot


def _private(response):
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response["Referrer-Policy"] = "no-referrer"
    patch_cache_control(response, private=True, no_store=True, max_age=0)
    return response


def preview(request, token):
    try:
        link = open_preview(token)
    except PreviewUnavailable as unavailable:
        response = render(
            request,
            "briefings/preview_unavailable.html",
            {"reason": str(unavailable)},
            status=410 if unavailable.gone else 404,
        )
        return _private(response)
    snapshot = build_snapshot(link.briefing)
    context = {
        "briefing": link.briefing,
        "snapshot": snapshot,
        "article": render_snapshot(snapshot),
        "link": link,
    }
    return _private(render(request, "briefings/preview.html", context))
