"""Search the published text: sections of current publications.

On PostgreSQL this is ranked full-text search over the stored
``PublishedSection.search_vector`` and its GIN index (migration 0007), so
ranking reads stored vectors instead of recomputing them; elsewhere (SQLite
in development) every word must appear in the heading or body, and heading
matches rank first. Same page either way.
"""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.generic import ListView

from briefings.models import PublishedSection
from briefings.text.parsing import MARKER_RE

# Bounds the work one query can ask of the fallback.
MAX_WORDS = 10
EXCERPT_CHARS = 240


def clean_query(q):
    """``q`` without control characters: PostgreSQL refuses NUL in a query, SQLite would match it."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", q or "").split())


def query_words(q):
    return re.findall(r"\w+", q or "")[:MAX_WORDS]


def search_sections(q):
    """Published sections matching ``q``, best first."""
    sections = PublishedSection.objects.select_related("publication", "briefing").defer(
        "publication__snapshot", "publication__rendered_html"
    )
    q = clean_query(q)
    words = query_words(q)
    if not words:
        return sections.none()
    if connections[sections.db].vendor == "postgresql":
        query = SearchQuery(q, config="english", search_type="websearch")
        return (
            sections.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-publication__published_at", "number")
        )
    rank = Value(0, output_field=IntegerField())
    for word in words:
        sections = sections.filter(Q(heading__icontains=word) | Q(body__icontains=word))
        rank = rank + Case(When(heading__icontains=word, then=Value(2)), default=Value(0))
        rank = rank + Case(When(body__icontains=word, then=Value(1)), default=Value(0))
    return sections.annotate(rank=rank).order_by("-rank", "-publication__published_at", "number")


def excerpt(body, words, length=EXCERPT_CHARS):
    """An escaped passage of ``body`` around the first word found, words marked."""
    text = " ".join(re.sub(r"\s*" + MARKER_RE.pattern, "", body).split())
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - length // 3) if first else 0
    if start:
        start = text.find(" ", start) + 1 or start
    passage = text[start : start + length]
    if start + length < len(text):
        passage = passage.rsplit(" ", 1)[0]
    out = ["… " if start else ""]
    position = 0
    for match in pattern.finditer(passage) if pattern else ():
        out.append(escape(passage[position : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    out.append(escape(passage[position:]))
    if start + length < len(text):
        out.append(" …")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


class SearchView(ListView):
    template_name = "briefings/search.html"
    context_object_name = "results"
    paginate_by = 20

    def get_queryset(self):
        return search_sections(self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        q = clean_query(self.request.GET.get("q", ""))
        words = query_words(q)
        results = list(context["results"])
        for section in results:
            section.excerpt = excerpt(section.body, words)
        context.update(results=results, q=q, words=words)
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=settings.ASSAY_PUBLIC_CACHE_SECONDS)
        return response
