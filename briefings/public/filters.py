"""FilterSets for the public lists. Each one's base queryset is published rows only.

The base queryset lives on the FilterSet, not in the view, so that whoever
uses a FilterSet cannot forget "published only"; the choices offered are
drawn from published rows too, so that no unpublished name leaks into a form.
"""

import django_filters
from django import forms
from django_filters.constants import EMPTY_VALUES

from briefings.models import Claim, Publication, PublishedPartner, PublishedReference, PublishedSection


class PublishedFilterSet(django_filters.FilterSet):
    """A FilterSet that filters ``published()`` unless given another queryset."""

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, self.published() if queryset is None else queryset, **kwargs)

    @classmethod
    def published(cls):
        raise NotImplementedError


class DateInput(forms.DateInput):
    """A native date picker; it needs the ISO format whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format)


class AnyYesNo(forms.NullBooleanSelect):
    """Yes / No / Any, where a blank choice means "don't filter"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", "Any"), ("true", "Yes"), ("false", "No"))


def published_partners():
    """(slug, name) of every partner a current publication names, as last published."""
    rows = PublishedPartner.objects.latest_per_partner().order_by("name", "pk")
    return list(rows.values_list("slug", "name"))


class PublishedPartnerFilter(django_filters.ChoiceFilter):
    """A partner chosen by its published slug; keeps rows whose published section names it.

    ``field_name`` is the row's field matched against ``section_value``, a
    value of the PublishedSection rows naming the partner: a subquery, so that
    rows are neither joined to every section nor made DISTINCT (which would
    compare every column, snapshots included). Choices and lookup read
    PublishedPartner, so a partner's live name or slug, edited but not
    published, never appears in the form or the query.
    """

    def __init__(self, *args, section_value, **kwargs):
        kwargs.setdefault("label", "Partner")
        kwargs.setdefault("choices", published_partners)
        kwargs.setdefault("empty_label", "Any partner")
        self.section_value = section_value
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        partner = PublishedPartner.objects.latest_per_partner().filter(slug=value).values("partner_id")
        sections = PublishedSection.objects.filter(partners__in=partner).values(self.section_value)
        return qs.filter(**{f"{self.field_name}__in": sections})


def published_subjects():
    subjects = Publication.objects.current().exclude(subject="").values_list("subject", flat=True)
    return [(s, s) for s in sorted(set(subjects))]


def published_briefings():
    rows = Publication.objects.current().order_by("title").values_list("briefing__slug", "title")
    return list(rows)


def published_sources():
    rows = PublishedReference.objects.latest_per_source().order_by("title", "pk")
    return [(row.source_id, row.display_title) for row in rows.only("source_id", "title", "details_pending")]


class BriefingFilter(PublishedFilterSet):
    partner = PublishedPartnerFilter(field_name="pk", section_value="publication")
    subject = django_filters.ChoiceFilter(
        label="Subject", choices=published_subjects, empty_label="Any subject"
    )
    updated_from = django_filters.DateFilter(
        label="Updated on or after", field_name="published_at", lookup_expr="date__gte", widget=DateInput
    )
    updated_to = django_filters.DateFilter(
        label="Updated on or before", field_name="published_at", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = Publication
        fields = ("partner", "subject", "updated_from", "updated_to")

    @classmethod
    def published(cls):
        return (
            Publication.objects.current()
            .with_partners()
            .select_related("briefing")
            .order_by("-published_at", "pk")
        )


class ClaimFilter(PublishedFilterSet):
    partner = PublishedPartnerFilter(field_name="section", section_value="pk")
    source = django_filters.ChoiceFilter(
        label="Source",
        field_name="citations__source",
        choices=published_sources,
        empty_label="Any source",
        distinct=True,
    )
    briefing = django_filters.ChoiceFilter(
        label="Briefing",
        field_name="section__briefing__slug",
        choices=published_briefings,
        empty_label="Any briefing",
    )
    text = django_filters.CharFilter(label="Text contains", lookup_expr="icontains")

    class Meta:
        model = Claim
        fields = ("partner", "source", "briefing", "text")

    @classmethod
    def published(cls):
        # Claims exist only for current publications: the table is published-only by construction.
        return (
            Claim.objects.select_related("section__publication", "section__briefing")
            .defer("section__publication__snapshot", "section__publication__rendered_html")
            .order_by("section__publication__title", "section__publication_id", "section__number", "ordinal")
        )
