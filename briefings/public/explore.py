"""Public lists readers filter: briefings by partner, subject and date, and claims.

The FilterSets in ``filters.py`` fix every list to published rows; these
views only paginate and attach each citation's source as published.
"""

from django.conf import settings
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django_filters.views import FilterView

from briefings.models import PublishedReference
from briefings.public.filters import BriefingFilter, ClaimFilter
from briefings.public.pagination import TailPaginator, cache_uncounted_briefly, keyset_page_or_404
from briefings.publishing.snapshot import body_segments, citation_tip


def references_by_publication(publication_ids):
    """``{publication id: {number: PublishedReference}}`` for those publications, in one query."""
    table = {}
    # With the publication's title (and nothing heavy): a placeholder is named by entry and briefing.
    refs = (
        PublishedReference.objects.filter(publication_id__in=set(publication_ids))
        .select_related("publication")
        .defer("publication__snapshot", "publication__rendered_html")
    )
    for ref in refs:
        table.setdefault(ref.publication_id, {})[ref.number] = ref
    return table


def cited_segments(text, *, references, prefix):
    """``text`` as segments for ``article_tags.cited_text_html``, each citation with its published source.

    ``prefix`` makes the tooltip ids unique on a page that shows many texts.
    """
    segments = body_segments(text)
    count = 0
    for segment in segments:
        if "cite" in segment:
            count += 1
            segment["tip_id"] = f"{prefix}-cite-{count}-tip"
            segment["source"] = references.get(segment["cite"])
            segment["grading"] = citation_tip(segment["source"], segment["credibility"])
    return segments


def attach_claim_segments(claims):
    """Give each claim (with ``section`` loaded) its text as cited segments."""
    claims = list(claims)
    table = references_by_publication(claim.section.publication_id for claim in claims)
    for claim in claims:
        claim.segments = cited_segments(
            claim.text, references=table.get(claim.section.publication_id, {}), prefix=f"claim-{claim.pk}"
        )
    return claims


class PublicFilterView(FilterView):
    """A filtered, paginated public list; the filter's query string is the list's address."""

    paginate_by = 25
    paginator_class = TailPaginator  # ?page=last reads from the end

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=settings.ASSAY_PUBLIC_CACHE_SECONDS)
        return response


class BriefingExploreView(PublicFilterView):
    filterset_class = BriefingFilter
    template_name = "briefings/briefing_filter.html"
    context_object_name = "publications"


class ClaimListView(PublicFilterView):
    """Every claim, filtered, paged by claim id (pagination.keyset_page_or_404): every page is cheap."""

    filterset_class = ClaimFilter
    template_name = "briefings/claim_filter.html"
    context_object_name = "claims"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        # "q" is what the search page calls its words: here it means "Text contains".
        if "q" in request.GET and "text" not in request.GET:
            query = request.GET.copy()
            query["text"] = query.pop("q")[-1]
            return redirect(f"{request.path}?{query.urlencode()}")
        response = super().get(request, *args, **kwargs)
        return cache_uncounted_briefly(response, response.context_data["page_obj"])

    def paginate_queryset(self, queryset, page_size):
        page = keyset_page_or_404(self.request, queryset, page_size)
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["claims"] = attach_claim_segments(context["object_list"])
        return context
