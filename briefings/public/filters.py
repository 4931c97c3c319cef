"""FilterSets for the public lists. Each one's base queryset is published rows only.

The base queryset lives on the FilterSet, not in the view, so that whoever
uses a FilterSet cannot forget "published only". Partners, subjects,
briefings and sources are typed, not chosen from a list (there may be
hundreds of thousands), and checked on submit against published rows only,
so that no unpublished name matches and a typo gets a clear error.
"""

from datetime import UTC, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_filters.constants import EMPTY_VALUES

from briefings.models import (
    Claim,
    ClaimCitation,
    Publication,
    PublishedPartner,
    PublishedReference,
    PublishedSection,
)
from config.converters import INT64_MAX, bounded_int
from sources.models import SourceKind


class PublishedFilterSet(django_filters.FilterSet):
    """A FilterSet that filters ``published()`` unless given another queryset."""

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, self.published() if queryset is None else queryset, **kwargs)

    @classmethod
    def published(cls):
        raise NotImplementedError

    def day_path(self, field):
        """The lookup path from this filterset's rows to ``field`` (DayFilter)."""
        return field


class DateInput(forms.DateInput):
    """A native date picker; it needs the ISO format whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format)


def day_starts(value, *, days=0):
    """Midnight of ``value`` (+ ``days``) in the current time zone, in UTC; OverflowError past 1-9999.

    A day filter compares ``published_at`` with it, never ``published_at::date``:
    the bare column uses its index and the planner's statistics, where the
    cast made PostgreSQL walk every claim to find that none was in range.
    """
    local = datetime.combine(value + timedelta(days=days), time.min, tzinfo=timezone.get_current_timezone())
    return local.astimezone(UTC)


class DayFilter(django_filters.DateFilter):
    """Rows published on or after (``after=True``) or on or before the day typed.

    ``field_name`` is the timestamp's name on the filterset's model; a filterset
    whose rows reach it through a relation says how in ``day_path()``.
    """

    def __init__(self, *args, after, **kwargs):
        self.after = after
        kwargs.setdefault("widget", DateInput)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        path = self.parent.day_path(self.field_name)
        try:
            if self.after:
                return qs.filter(**{f"{path}__gte": day_starts(value)})
            return qs.filter(**{f"{path}__lt": day_starts(value, days=1)})
        except OverflowError:  # a day at the calendar's end: every row is on one side of it
            return qs


class AnyYesNo(forms.NullBooleanSelect):
    """Yes / No / Any, where a blank choice means "don't filter"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", "Any"), ("true", "Yes"), ("false", "No"))


class LookupField(forms.CharField):
    """A text box for one published thing, typed by name, slug or number and checked on submit.

    ``lookup(value)`` returns what the filter needs (an id, a stored name) or
    None, and then the form says so: large relations are never rendered as
    ``<option>``s, so the page stays the same size however many there are.
    """

    def __init__(self, *, lookup, not_found, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.lookup = lookup
        self.not_found = not_found

    def clean(self, value):
        value = super().clean(value)
        if value in EMPTY_VALUES:
            return None
        found = self.lookup(value)
        if found is None:
            raise forms.ValidationError(self.not_found, params={"value": value})
        return found


class LookupFilter(django_filters.Filter):
    """A filter on a LookupField: ``lookup`` resolves the text, ``filter`` applies what it found."""

    field_class = LookupField

    def __init__(self, *args, lookup, not_found, inputmode=None, **kwargs):
        kwargs["widget"] = forms.TextInput(attrs={"inputmode": inputmode} if inputmode else None)
        super().__init__(*args, lookup=lookup, not_found=not_found, **kwargs)


def published_partner(value):
    """The id of the partner named ``value`` (its slug or name) as last published, or None."""
    rows = PublishedPartner.objects.latest_per_partner()
    found = rows.filter(slug=value).values_list("partner_id", flat=True).first()
    if found is None:
        found = rows.filter(name__iexact=value).values_list("partner_id", flat=True).first()
    return found


class PublishedPartnerFilter(LookupFilter):
    """A partner typed by its published slug or name; keeps rows whose published section names it.

    ``field_name`` is the row's field matched against ``section_value``, a
    value of the PublishedSection rows naming the partner: a subquery, so that
    rows are neither joined to every section nor made DISTINCT. Lookup reads
    PublishedPartner, so a partner's live name or slug, edited but not
    published, never matches.
    """

    def __init__(self, *args, section_value, **kwargs):
        kwargs.setdefault("label", "Partner")
        kwargs.setdefault("help_text", "Its name or the end of its page's address, e.g. arden.")
        self.section_value = section_value
        super().__init__(
            *args,
            lookup=published_partner,
            not_found="No published briefing names a partner “%(value)s”.",
            **kwargs,
        )

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        if self.section_value == "publication":
            # Publications: PublishedPartner lists each publication naming the partner once (indexed).
            rows = PublishedPartner.objects.filter(partner_id=value).values("publication_id")
        else:
            # The partners table alone (its partner index), not joined back to the sections.
            naming = PublishedSection.partners.through.objects.filter(partner_id=value)
            column = (
                "publishedsection_id"
                if self.section_value == "pk"
                else f"publishedsection__{self.section_value}"
            )
            rows = naming.values(column)
        return qs.filter(**{f"{self.field_name}__in": rows})


def published_subject(value):
    rows = Publication.objects.current().filter(subject__iexact=value)
    return rows.values_list("subject", flat=True).first()


def published_briefing(value):
    """The id of the briefing whose slug is ``value``, if it has a publication."""
    return Publication.objects.filter(briefing__slug=value).values_list("briefing_id", flat=True).first()


def published_source(value):
    """The id of the source numbered ``value`` (as in /sources/<number>/) if it is cited, or None."""
    number = bounded_int(value.strip().strip("/").rsplit("/", 1)[-1], INT64_MAX)
    if number is None:
        return None
    return (
        PublishedReference.objects.latest_per_source()
        .filter(source_id=number)
        .values_list("source_id", flat=True)
        .first()
    )


class BriefingFilter(PublishedFilterSet):
    partner = PublishedPartnerFilter(field_name="pk", section_value="publication")
    subject = LookupFilter(
        label="Subject",
        lookup=published_subject,
        not_found="No published briefing has the subject “%(value)s”.",
        help_text="As the briefings give it, e.g. Estmark.",
    )
    updated_from = DayFilter(label="Updated on or after", field_name="published_at", after=True)
    updated_to = DayFilter(label="Updated on or before", field_name="published_at", after=False)

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


class CitedTextFilterSet(PublishedFilterSet):
    """The filters the claim list and search share: partner, source, briefing, source kind, dates.

    The same labels, lookups and errors on both pages; a subclass says where a
    row's PublishedSection is (``section``: ``"section"`` for claims, ``"pk"``
    for sections). Source and kind keep rows with a cited sentence citing such
    a source, by EXISTS (never a join, so no row is listed twice); the kind is
    the one the publication published, never the source's live record.
    """

    section = None

    partner = LookupFilter(
        label="Partner",
        method="filter_partner",
        lookup=published_partner,
        not_found="No published briefing names a partner “%(value)s”.",
        help_text="Its name or the end of its page's address, e.g. arden.",
    )
    source = LookupFilter(
        label="Source",
        method="filter_source",
        lookup=published_source,
        not_found="No published briefing cites a source numbered “%(value)s”.",
        help_text="Its number, as in its page's address /sources/<number>/.",
        inputmode="numeric",
    )
    briefing = LookupFilter(
        label="Briefing",
        method="filter_briefing",
        lookup=published_briefing,
        not_found="No published briefing is at /briefings/%(value)s/.",
        help_text="The end of its address, as in /briefings/<address>/.",
    )
    kind = django_filters.ChoiceFilter(
        label="Cites a source of kind",
        method="filter_kind",
        choices=SourceKind.choices,
        empty_label="Any kind",
    )
    published_from = DayFilter(label="Published on or after", field_name="published_at", after=True)
    published_to = DayFilter(label="Published on or before", field_name="published_at", after=False)

    def day_path(self, field):
        return self._path(f"publication__{field}")

    def _path(self, field):
        return field if self.section == "pk" else f"{self.section}__{field}"

    def _citations(self):
        """The ClaimCitation rows of the outer row's cited sentences."""
        claim = "pk" if self.section == "section" else "section"
        return ClaimCitation.objects.filter(**{f"claim__{claim}": OuterRef("pk")})

    def filter_partner(self, qs, name, value):
        # A subquery, so that rows are neither joined to every section nor made DISTINCT.
        return qs.filter(
            **{f"{self.section}__in": PublishedSection.objects.filter(partners=value).values("pk")}
        )

    def filter_briefing(self, qs, name, value):
        return qs.filter(**{self._path("briefing_id"): value})

    def filter_source(self, qs, name, value):
        return qs.filter(Exists(self._citations().filter(source_id=value)))

    def filter_kind(self, qs, name, value):
        # The kind each citation's publication published (copied onto the citation, indexed).
        return qs.filter(Exists(self._citations().filter(source_kind=value)))


CITED_TEXT_FIELDS = ("partner", "source", "briefing", "kind", "published_from", "published_to")


class ClaimFilter(CitedTextFilterSet):
    section = "section"
    # Three characters at least: the trigram index (PostgreSQL) answers nothing shorter, and one
    # or two letters match almost every claim anyway.
    text = django_filters.CharFilter(
        label="Text contains",
        lookup_expr="icontains",
        min_length=3,
        max_length=200,
        error_messages={"min_length": "Type at least %(limit_value)d characters (this has %(show_value)d)."},
    )

    class Meta:
        model = Claim
        fields = (*CITED_TEXT_FIELDS, "text")

    @classmethod
    def published(cls):
        # Claims exist only for current publications: the table is published-only by construction.
        # In id order, which is reading order within a publication (publishing creates them in
        # order) and publication order across briefings: an indexed key, so every page is cheap.
        return (
            Claim.objects.select_related("section__publication", "section__briefing")
            .defer("section__publication__snapshot", "section__publication__rendered_html")
            .order_by("pk")
        )


class SectionSearchFilter(CitedTextFilterSet):
    """The search page's filters: the claim list's, over the sections that search found."""

    section = "pk"

    class Meta:
        model = PublishedSection
        fields = CITED_TEXT_FIELDS

    @classmethod
    def published(cls):
        # Sections exist only for current publications.
        return PublishedSection.objects.all()
