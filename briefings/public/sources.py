"""Public source pages: sources as published, and every published claim that cites one.

Source rows are shared and editable at any time; these pages read the copy
of a source's details that publishing took (briefings.PublishedReference).
"""

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from briefings.models import ClaimCitation, PublishedReference
from briefings.public.explore import PublicFilterView, attach_claim_segments
from briefings.public.filters import ClaimFilter
from briefings.public.pagination import cache_uncounted_briefly, keyset_page_or_404
from briefings.public.source_filters import SourceFilter


class SourceListView(PublicFilterView):
    filterset_class = SourceFilter
    template_name = "sources/source_filter.html"
    context_object_name = "sources"
    paginate_by = 50


# A source cited by thousands of briefings lists the first ones; its claims below are paged.
CITING_SHOWN = 100


def source_detail(request, pk):
    source = (
        PublishedReference.objects.latest_per_source()
        .filter(source_id=pk)
        .select_related("source", "publication")
        .defer("source__notes", "publication__snapshot", "publication__rendered_html")
        .first()
    )
    if source is None:
        # A source no current publication cites is not public.
        raise Http404("No published briefing cites this source.")
    # EXISTS rather than a join and DISTINCT; paged by claim id.
    cites = ClaimCitation.objects.filter(claim=OuterRef("pk"), source_id=pk)
    claims = ClaimFilter.published().filter(Exists(cites))
    page = keyset_page_or_404(request, claims, 50)
    # Every current publication citing it, with the entry number it has there.
    citing = (
        PublishedReference.objects.filter(source_id=pk)
        .select_related("publication__briefing")
        .only("number", "publication__title", "publication__number", "publication__briefing__slug")
        .order_by("publication__title", "publication_id")[: CITING_SHOWN + 1]
    )
    context = {
        "source": source,
        # The recall is the source's own state: readers learn of it at once, without a publication.
        "recall": source.source if source.source.recall else None,
        "citing": list(citing)[:CITING_SHOWN],
        "citing_more": len(citing) > CITING_SHOWN,
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
        "claims": attach_claim_segments(page.object_list),
    }
    response = render(request, "sources/source_detail.html", context)
    patch_cache_control(response, public=True, max_age=settings.ASSAY_PUBLIC_CACHE_SECONDS)
    return cache_uncounted_briefly(response, page)
