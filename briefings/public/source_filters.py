"""The public source list's filters, over sources as published."""

import django_filters

from briefings.models import PublishedReference
from briefings.public.filters import AnyYesNo, LookupFilter, PublishedFilterSet
from sources.models import SourceKind


def published_publisher(value):
    """The publisher named ``value`` as a cited source's published copy spells it (any case), or None."""
    rows = PublishedReference.objects.latest_per_source()
    found = rows.filter(publisher=value).values_list("publisher", flat=True).first()
    if found is None:
        found = rows.filter(publisher__iexact=value).values_list("publisher", flat=True).first()
    return found


PUBLISHED_COPY_FIELDS = (
    "number",
    "source_id",
    "publication_id",
    "title",
    "publisher",
    "url",
    "published_on",
    "kind",
    "details_pending",
)


class SourceFilter(PublishedFilterSet):
    """Filters the published copy of each cited source (one row per source)."""

    publisher = LookupFilter(
        label="Publisher",
        lookup=published_publisher,
        not_found="No published source has the publisher “%(value)s”.",
        help_text="As the sources give it.",
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=SourceKind.choices, empty_label="Any kind")
    year = django_filters.NumberFilter(
        label="Year published", field_name="published_on", lookup_expr="year", min_value=1000, max_value=9999
    )
    details_pending = django_filters.BooleanFilter(label="Details pending", widget=AnyYesNo)

    class Meta:
        model = PublishedReference
        fields = ("publisher", "kind", "year", "details_pending")

    @classmethod
    def published(cls):
        # With the citing publication's title, which names a placeholder (display_title).
        return (
            PublishedReference.objects.latest_per_source()
            .select_related("publication")
            .only(*PUBLISHED_COPY_FIELDS, "publication__title")
            .order_by("title", "pk")
        )
