"""Search the published text: sections of current publications, and briefing titles.

The page lists, first, the current publications whose title matches (at most
``TITLE_MATCHES``), then the matching sections; both narrowed by the claim
list's filters (``filters.SectionSearchFilter``: partner, source, briefing,
source kind, dates), checked the same way and with the same errors.

On PostgreSQL this is ranked full-text search over the stored
``PublishedSection.search_vector`` and its GIN index (migration 0007), so
ranking reads stored vectors instead of recomputing them; elsewhere (SQLite
in development) every word must appear in the heading or body, and heading
matches rank first. Same page either way.

Ranking is bounded: of all the sections that match, only the
``MAX_RESULTS + 1`` most recently published (highest id, a primary-key
order, so the database stops as soon as it has found that many) are ranked,
and the page lists the best ``MAX_RESULTS`` of those, 20 a page. A rare
word loses nothing; a common one (tens of thousands of matching sections)
costs the same as a rare one instead of ranking every match. The trade-off:
for such a word an older section that would rank higher is not shown, and
the page says "More than MAX_RESULTS sections match" rather than how many,
so a reader narrows the search with a second word.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe

from briefings.models import Publication, PublishedSection
from briefings.public.explore import PublicFilterView
from briefings.public.filters import SectionSearchFilter
from briefings.text.parsing import MARKER_RE

# Bounds the work one query can ask of the fallback.
MAX_WORDS = 10
# Matches ranked per search (see above): ten pages of 20.
MAX_RESULTS = 200
EXCERPT_CHARS = 240
# Briefings listed as title matches, above the sections.
TITLE_MATCHES = 5


def clean_query(q):
    """``q`` without control characters: PostgreSQL refuses NUL in a query, SQLite would match it."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", q or "").split())


def query_words(q):
    return re.findall(r"\w+", q or "")[:MAX_WORDS]


def recent_first(matches):
    """The ids of the ``MAX_RESULTS + 1`` most recently published of ``matches``: a subquery."""
    return matches.order_by("-pk").values("pk")[: MAX_RESULTS + 1]


def search_sections(q):
    """Published sections matching ``q``, best first: the best of the most recent ``MAX_RESULTS + 1``."""
    sections = PublishedSection.objects.select_related("publication", "briefing").defer(
        "publication__snapshot", "publication__rendered_html"
    )
    q = clean_query(q)
    words = query_words(q)
    if not words:
        return sections.none()
    if connections[sections.db].vendor == "postgresql":
        query = SearchQuery(q, config="english", search_type="websearch")
        candidates = recent_first(PublishedSection.objects.filter(search_vector=query))
        return (
            sections.filter(pk__in=candidates)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-publication__published_at", "number")
        )
    matches = PublishedSection.objects.all()
    rank = Value(0, output_field=IntegerField())
    for word in words:
        matches = matches.filter(Q(heading__icontains=word) | Q(body__icontains=word))
        rank = rank + Case(When(heading__icontains=word, then=Value(2)), default=Value(0))
        rank = rank + Case(When(body__icontains=word, then=Value(1)), default=Value(0))
    return (
        sections.filter(pk__in=recent_first(matches))
        .annotate(rank=rank)
        .order_by("-rank", "-publication__published_at", "number")
    )


class BoundedPaginator(Paginator):
    """Pages over at most ``MAX_RESULTS`` results; ``more`` says whether more matched."""

    @cached_property
    def count(self):
        found = super().count
        self.more = found > MAX_RESULTS
        return min(found, MAX_RESULTS)


def title_vector():
    """A publication title's full-text vector: migration 0013's expression index is on exactly this."""
    return SearchVector("title", config="english")


def search_titles(q, sections=None):
    """Current publications whose title matches ``q``, best first.

    ``sections``, if given, is the filtered PublishedSection queryset (not yet
    narrowed by ``q``): only a publication with such a section is kept, so
    that the filters mean the same for titles as for sections.
    """
    publications = Publication.objects.current().select_related("briefing").defer("snapshot", "rendered_html")
    q = clean_query(q)
    words = query_words(q)
    if not words:
        return publications.none()
    if sections is not None:
        publications = publications.filter(pk__in=sections.values("publication_id"))
    if connections[publications.db].vendor == "postgresql":
        query = SearchQuery(q, config="english", search_type="websearch")
        return (
            publications.annotate(title_vector=title_vector())
            .filter(title_vector=query)
            .annotate(rank=SearchRank(title_vector(), query))
            .order_by("-rank", "-published_at", "pk")
        )
    for word in words:
        publications = publications.filter(title__icontains=word)
    return publications.order_by("-published_at", "pk")


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


class SearchView(PublicFilterView):
    """Search with the claim list's filters: a bad filter value is reported on its field, as there."""

    filterset_class = SectionSearchFilter
    template_name = "briefings/search.html"
    context_object_name = "results"
    paginate_by = 20
    paginator_class = BoundedPaginator

    def get_queryset(self):
        return search_sections(self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        q = clean_query(self.request.GET.get("q", ""))
        words = query_words(q)
        results = list(context["results"])
        for section in results:
            section.excerpt = excerpt(section.body, words)
        paginator = context["paginator"]
        more = paginator is not None and paginator.count == MAX_RESULTS and paginator.more
        titles = []
        page = context["page_obj"]
        if words and self.filterset.is_valid() and (page is None or page.number == 1):
            filtered = (
                self.filterset.filter_queryset(SectionSearchFilter.published()) if self.filtering() else None
            )
            titles = list(search_titles(q, filtered)[: TITLE_MATCHES + 1])
            for publication in titles:
                publication.title_excerpt = excerpt(
                    publication.title, words, length=3 * len(publication.title) + 3
                )
        context.update(
            results=results,
            q=q,
            words=words,
            title_matches=titles[:TITLE_MATCHES],
            more_titles=len(titles) > TITLE_MATCHES,
            filtering=self.filtering(),
            more=more,
            max_results=MAX_RESULTS,
        )
        return context

    def filtering(self):
        """Whether any filter is set (the words alone are not a filter)."""
        form = self.filterset.form
        return form.is_valid() and any(value not in (None, "") for value in form.cleaned_data.values())
