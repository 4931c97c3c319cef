"""Public source pages: a source and every published claim that cites it."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control

from briefings.models import Claim

from .models import Source


def source_detail(request, pk):
    source = get_object_or_404(Source.objects.only("pk"), pk=pk)
    claims = list(
        Claim.objects.filter(citations__source=source)
        .distinct()
        .select_related("section__briefing", "section__publication")
        .defer("section__publication__rendered_html")
        .order_by("section__publication__title", "section__number", "ordinal")
    )
    if not claims:
        # A source no published briefing cites is not public.
        raise Http404("No published briefing cites this source.")
    # The Source row may have been edited since; readers see the details as published.
    latest = max((claim.section.publication for claim in claims), key=lambda p: p.published_at)
    published = next(
        ref["source"] for ref in latest.snapshot["references"] if ref["source"]["id"] == source.pk
    )
    details = {**published, "get_kind_display": Source.Kind(published["kind"]).label}
    response = render(request, "sources/source_detail.html", {"source": details, "claims": claims})
    patch_cache_control(response, public=True, max_age=settings.ASSAY_PUBLIC_CACHE_SECONDS)
    return response
