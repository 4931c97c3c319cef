"""The public source list's filters, over sources as published."""

import django_filters

from briefings.models import PublishedReference
from briefings.public.filters import AnyYesNo, PublishedFilterSet
from sources.models import SourceKind


def published_publishers():
    rows = (
        PublishedReference.objects.latest_per_source()
        .exclude(publisher="")
        .values_list("publisher", flat=True)
        .distinct()
        .order_by("publisher")
    )
    return [(p, p) for p in rows]


class SourceFilter(PublishedFilterSet):
    """Filters the published copy of each cited source (one row per source)."""

    publisher = django_filters.ChoiceFilter(
        label="Publisher", choices=published_publishers, empty_label="Any publisher"
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
        return PublishedReference.objects.latest_per_source().order_by("title", "pk")
