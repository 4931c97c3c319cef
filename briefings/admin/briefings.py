"""The editors' admin: a briefing, its sections and its references on one page.

The page's forms validate what the editor typed and are then read back as a
Draft of the whole working copy; saving hands that draft to the one write
path (``briefings.editing.working_copy.write``), never to the formsets' own
save. That is what merges a colleague's save made meanwhile, writes nothing
for a save that changes nothing, and stores only the sections that changed.
"""

import copy
import json
from contextlib import nullcontext

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MinValueValidator
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from reversion.admin import VersionAdmin

from briefings.admin.evidence import NeedsCorrectionFilter, open_recall_count, recall_flag_column
from briefings.admin.history import HistoryAdminMixin
from briefings.admin.imports import ImportAdminMixin
from briefings.admin.review import ReviewAdminMixin
from briefings.admin.widgets import (
    CachedAutocompleteSelect,
    CachedAutocompleteSelectMultiple,
    CachedModelChoiceField,
    CachedModelMultipleChoiceField,
    ChoiceCache,
    use_cache,
)
from briefings.editing.draft import Draft, SectionDraft
from briefings.editing.history import latest_revision
from briefings.editing.lock import EditConflict, conflict_report, hold_for_reading
from briefings.editing.working_copy import DraftInvalid, write
from briefings.models import Briefing, Partner, Section
from briefings.publishing import generation
from briefings.text.parsing import SUMMARY_HEADING, heading_error, normalise_body, parse_body
from config.converters import bounded_int
from sources.models import Reference, Source

# The name of the "Move up" / "Move down" buttons: their value is "<form prefix>:up" or "<form prefix>:down".
MOVE = "_move"


class InlineRowForm(forms.ModelForm):
    """A section or reference row, validated by its form fields, not row by row against the database.

    Django's model validation of a row costs queries: one to check that the
    chosen source exists, one per check constraint, one per unique check. The
    form fields validate each value (the autocomplete fields from one shared
    cache), the formsets check duplicates among the rows, the write path
    validates the whole draft, and the database enforces its constraints.
    """

    def _get_validation_exclusions(self):
        return {field.name for field in self.instance._meta.fields}

    def validate_unique(self):
        pass


class BodyField(forms.CharField):
    """A section body as stored: LF line ends, paragraphs separated by exactly one blank line.

    Browsers send a textarea's line ends as CRLF; normalising here means a
    body posted back unchanged equals the stored one (no "changed" section, no
    revision), and runs of blank lines become one paragraph break.
    """

    def to_python(self, value):
        return normalise_body(super().to_python(value))


class SectionForm(InlineRowForm):
    class Meta:
        field_classes = {"body": BodyField}

    def section_warnings(self):
        """Warnings about this section's text as the form holds it now (uncited sentences, …)."""
        if hasattr(self, "warnings"):
            return self.warnings
        if not hasattr(self, "_warnings"):
            self._warnings = [
                w.message
                for w in parse_body(normalise_body(self["body"].value() or ""), clean=False).warnings
            ]
        return self._warnings


class _Refused(Exception):
    """A save the write path refused for a reason the forms could not see; shown on the form."""


class CachedChoicesFormSet(BaseInlineFormSet):
    """An inline formset whose autocomplete field loads every form's chosen rows in one query."""

    cached_field = None
    cached_model = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choice_cache = ChoiceCache(self.cached_model._default_manager.all(), self._chosen_keys)

    def _chosen_keys(self):
        if self.is_bound:
            total = self.total_form_count()
            return [
                key
                for i in range(total)
                for key in self.data.getlist(f"{self.add_prefix(i)}-{self.cached_field}")
            ]
        if self.cached_field == "partners":
            return [p.pk for row in self.get_queryset() for p in row.partners.all()]
        return [getattr(row, f"{self.cached_field}_id") for row in self.get_queryset()]

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The primary key as a plain number: a section a colleague deleted meanwhile is still
        # read back (the merge decides), and no row costs a query to validate it.
        pk_name = self.model._meta.pk.name
        initial = form.fields[pk_name].initial
        form.fields[pk_name] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, min_value=1, initial=initial
        )
        use_cache(form, self.cached_field, self.choice_cache)

    def kept_forms(self):
        """Forms that say something: not deleted, valid, and either existing or filled in."""
        return [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and (form.cleaned_data.get("id") or form.has_changed())
        ]


class SectionFormSet(CachedChoicesFormSet):
    """Sections in order; checks each one's citations against the reference list on the same page."""

    cached_field = "partners"
    cached_model = Partner
    reference_formset = None

    def reference_numbers(self):
        refs = self.reference_formset
        if refs is None or not refs.is_valid():
            return set(Reference.objects.filter(briefing=self.instance).values_list("number", flat=True))
        return {form.cleaned_data["number"] for form in refs.kept_forms() if form.cleaned_data.get("number")}

    def _construct_form(self, i, **kwargs):
        # Any form may be any section: moving sections reorders the posted forms, so an existing
        # section can come after a new one. A form is an existing section when it posts its id.
        posted_id = self._posted_id(i) if self.is_bound else None
        if self.is_bound:
            kwargs.setdefault("empty_permitted", posted_id is None and i >= self.min_num)
            if posted_id is not None and i >= self.initial_form_count():
                kwargs.setdefault("instance", self._existing_object(posted_id))
        form = super()._construct_form(i, **kwargs)
        form.fields[self.model._meta.pk.name].required = False
        return form

    def _posted_id(self, i):
        return bounded_int(self.data.get(f"{self.add_prefix(i)}-{self.model._meta.pk.name}"))

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["position"].required = False
        if form.instance.pk is None:
            # The model's default (0) would file a new section right after the summary.
            form.fields[
                "position"
            ].help_text = (
                "Leave empty to add the section at the end; a position that is taken inserts it there."
            )
            form.fields["position"].initial = None
            form.initial.pop("position", None)

    def ordered_forms(self):
        """Kept forms in their new order: by position; a new section inserted at a position goes first."""
        kept = self.kept_forms()
        last = max(
            (f.cleaned_data["position"] for f in kept if f.cleaned_data.get("position") is not None),
            default=-1,
        )

        def key(item):
            index, form = item
            position = form.cleaned_data.get("position")
            if position is None:
                return (last + 1, 1, index)
            return (position, 0 if not form.cleaned_data.get("id") else 1, index)

        return [form for _, form in sorted(enumerate(kept), key=key)]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        numbers = self.reference_numbers()
        self.warnings = []
        if not self.kept_forms():
            raise ValidationError("A briefing needs its executive summary: write it in the first section.")
        summary_id = (
            self.instance.sections.order_by("position", "pk").values_list("pk", flat=True).first()
            if self.instance.pk
            else None
        )
        ordered = self.ordered_forms()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if data and data.get("DELETE") and summary_id is not None and data.get("id") == summary_id:
                form.add_error(None, "The executive summary cannot be deleted; rewrite it instead.")
        if summary_id is not None and ordered and ordered[0].cleaned_data.get("id") != summary_id:
            ordered[0].add_error(
                "position",
                "The executive summary stays first: give this section a position after it.",
            )
        for form in ordered:
            data = form.cleaned_data
            if error := heading_error(data.get("heading") or ""):
                form.add_error("heading", error)
            heading = data.get("heading") or "untitled section"
            parsed = parse_body(data.get("body") or "", clean=False)
            for error in parsed.errors:
                form.add_error("body", error.message)
            unknown = sorted(set(parsed.citations) - numbers)
            if unknown:
                cited = ", ".join(f"[{n}]" for n in unknown)
                form.add_error(
                    "body",
                    f"{cited} names no entry in the reference list. Add the reference below, "
                    "or correct the marker.",
                )
            form.warnings = [w.message for w in parsed.warnings]
            self.warnings += [f"“{heading}”: {w}" for w in form.warnings]

    def section_drafts(self):
        return tuple(
            SectionDraft(
                id=form.cleaned_data.get("id"),
                heading=form.cleaned_data["heading"],
                body=form.cleaned_data["body"],
                partners=frozenset(p.pk for p in form.cleaned_data.get("partners") or ()),
            )
            for form in self.ordered_forms()
        )


class ReferenceFormSet(CachedChoicesFormSet):
    cached_field = "source"
    cached_model = Source

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The database's check constraint, said by the form (model validation is off for rows).
        number = form.fields["number"]
        number.min_value = 1
        number.validators.append(MinValueValidator(1))
        number.widget.attrs["min"] = 1

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        seen = {}
        for form in self.kept_forms():
            number = form.cleaned_data.get("number")
            if number in seen:
                form.add_error("number", f"Reference [{number}] is listed twice.")
            seen[number] = form

    def reference_pairs(self):
        return tuple(
            (form.cleaned_data["number"], form.cleaned_data["source"].pk)
            for form in self.kept_forms()
            if form.cleaned_data.get("source") is not None
        )


class SectionInline(admin.StackedInline):
    model = Section
    form = SectionForm
    formset = SectionFormSet
    # Stacked, with move buttons and each section's warnings (see SectionsAdminFormSet).
    template = "admin/briefings/briefing/edit_inline/sections.html"
    extra = 0
    fields = ("position", "heading", "partners", "body")
    autocomplete_fields = ("partners",)
    ordering = ("position", "pk")
    verbose_name_plural = "Sections (the first is the executive summary)"

    def get_extra(self, request, obj=None, **kwargs):
        # A new briefing starts with its executive summary.
        return 1 if obj is None else 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is None:
            formset.form.base_fields["heading"].initial = SUMMARY_HEADING
        return formset

    def get_queryset(self, request):
        # The formset keeps this queryset: each form's partners come from one query.
        return super().get_queryset(request).prefetch_related("partners")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "partners":
            kwargs["widget"] = CachedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
            kwargs["form_class"] = CachedModelMultipleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ReferenceInline(admin.TabularInline):
    model = Reference
    form = InlineRowForm
    formset = ReferenceFormSet
    extra = 0
    fields = ("number", "source")
    autocomplete_fields = ("source",)
    ordering = ("number",)
    verbose_name_plural = "Reference list"

    def get_queryset(self, request):
        # Each row's title names its source.
        return super().get_queryset(request).select_related("source")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "source":
            kwargs["widget"] = CachedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            kwargs["form_class"] = CachedModelChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SectionsAdminFormSet(helpers.InlineAdminFormSet):
    """The sections inline as drawn: every form in the order posted, with what it may do.

    Django pairs the first forms with the saved rows by index; after a move an
    existing section may come after a new one, so each form is paired with its own row.
    """

    def __iter__(self):
        if self.has_change_permission:
            readonly = self.readonly_fields
        else:
            readonly = self.readonly_fields + helpers.flatten_fieldsets(self.fieldsets)
        movable = [i for i, form in enumerate(self.formset.forms) if not _blank(form)]
        last = movable[-1] if movable else -1
        for index, form in enumerate(self.formset.forms):
            original = form.instance if form.instance.pk else None
            row = helpers.InlineAdminForm(
                self.formset,
                form,
                self.fieldsets,
                self.prepopulated_fields,
                original,
                readonly if original else self.readonly_fields,
                model_admin=self.opts,
            )
            can_move = self.has_change_permission and index in movable
            row.can_move_up = can_move and index > 1
            row.can_move_down = can_move and 0 < index < last
            row.heading = form["heading"].value() or ""
            yield row
        if self.has_add_permission:
            yield helpers.InlineAdminForm(
                self.formset,
                self.formset.empty_form,
                self.fieldsets,
                self.prepopulated_fields,
                None,
                self.readonly_fields,
                model_admin=self.opts,
            )


def _blank(form):
    """A new section form with nothing written in it (what "Add another section" gives)."""
    if not form.is_bound:
        return form.instance.pk is None and not (form.initial.get("body") or "").strip()
    posted_id = form.data.get(form.add_prefix("id")) or ""
    return bounded_int(posted_id) is None and not (form.data.get(form.add_prefix("body")) or "").strip()


class MoveRefused(Exception):
    pass


def moved(data, prefix, button):
    """The posted change form with one section moved up or down: ``(data, heading, new index)``.

    ``button`` is the pressed button's value, ``"<prefix>-<index>:up"`` or ``…:down``.
    The sections are put in their order (by position, as saving would), the one
    moved swaps with its neighbour, and the forms are renumbered in the new order
    with positions 0, 1, 2 …: what the editor typed in every field goes along.
    The executive summary stays first. Nothing is saved.
    """
    name, _, direction = (button or "").rpartition(":")
    index = bounded_int(name.removeprefix(f"{prefix}-")) if name.startswith(f"{prefix}-") else None
    total = bounded_int(data.get(f"{prefix}-TOTAL_FORMS")) or 0
    if direction not in ("up", "down") or index is None or index >= total or total > 10_000:
        raise MoveRefused("That move button does not name a section on this page.")

    def field(i, name):
        return data.get(f"{prefix}-{i}-{name}") or ""

    rows = []
    for i in range(total):
        has_id = bounded_int(field(i, "id")) is not None
        blank = not has_id and not field(i, "body").strip()
        rows.append((i, has_id, blank, bounded_int(field(i, "position"), 2**31 - 1)))
    kept = [row for row in rows if not row[2]]
    last = max((row[3] for row in kept if row[3] is not None), default=-1)
    kept.sort(key=lambda r: (last + 1, 1, r[0]) if r[3] is None else (r[3], 1 if r[1] else 0, r[0]))
    order = [row[0] for row in kept]
    if index not in order:
        raise MoveRefused("This new section is empty: write it before moving it.")
    at = order.index(index)
    heading = field(index, "heading").strip() or "the new section"
    if at == 0:
        raise MoveRefused("The executive summary stays first; it cannot be moved.")
    to = at - 1 if direction == "up" else at + 1
    if to == 0:
        raise MoveRefused(f"“{heading}” cannot move above the executive summary, which stays first.")
    if to >= len(order):
        raise MoveRefused(f"“{heading}” is already the last section.")
    order[at], order[to] = order[to], order[at]
    order += [row[0] for row in rows if row[2]]

    result = QueryDict(mutable=True)
    for key in data:
        if not key.startswith(f"{prefix}-") or key.split("-")[1] in (
            "TOTAL_FORMS",
            "INITIAL_FORMS",
            "MIN_NUM_FORMS",
            "MAX_NUM_FORMS",
        ):
            result.setlist(key, data.getlist(key))
    for new, old in enumerate(order):
        for key in data:
            if key.startswith(f"{prefix}-{old}-"):
                result.setlist(f"{prefix}-{new}-" + key[len(f"{prefix}-{old}-") :], data.getlist(key))
        if new < len(kept):
            result[f"{prefix}-{new}-position"] = str(new)
    return result, heading, to


class BriefingForm(forms.ModelForm):
    """The briefing's own fields, and what the edit started from (for the lock and the merge)."""

    change_note = forms.CharField(
        required=False,
        max_length=500,
        help_text="What you changed and why, for the revision history (not shown to readers).",
    )
    base_edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    base_revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    # Conflicting parts the editor has been shown, and the revision they were shown against.
    resolved = forms.CharField(widget=forms.HiddenInput, required=False)
    resolved_at = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    # Set on the form class when a save was refused: see BriefingAdmin.changeform_view.
    conflict = None
    refusal = None

    class Meta:
        model = Briefing
        fields = ("title", "slug", "subject")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["base_edit_version"].initial = self.instance.edit_version
            self.fields["base_revision"].initial = getattr(latest_revision(self.instance), "pk", None)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("base_edit_version") is None:
            raise ValidationError(
                "This form is missing its edit version; reload the page before saving.", code="stale"
            )
        if self.conflict is not None:
            raise ValidationError(self.conflict_message(), code="stale")
        if self.refusal is not None:
            raise ValidationError(self.refusal, code="refused")
        return cleaned

    def resolved_tokens(self):
        try:
            tokens = json.loads(self.cleaned_data.get("resolved") or "[]")
        except ValueError:
            return frozenset()
        return frozenset(t for t in tokens if isinstance(t, str))

    def conflict_message(self):
        report = self.conflict
        if report.conflicts:
            parts = ", ".join(c.label for c in report.conflicts)
            return (
                f"Not saved: {self._who(report)}, and you both changed {parts}. Your text is still in "
                "the form below, with theirs beside it. Decide what each should say, then save again: "
                "what you save there replaces theirs. Everything else you both changed is merged."
            )
        return (
            f"Not saved: {self._who(report)}, and the version you started from can no longer be read, "
            "so the two cannot be merged. Your text is still in the form below; read their changes, "
            "then save again to replace what is saved now."
        )

    @staticmethod
    def _who(report):
        from django.utils import dateformat
        from django.utils.timezone import template_localtime

        latest = report.revisions[0] if report.revisions else None
        if latest is None:
            return "someone else saved this briefing after you opened it"
        name = latest.user.get_username() if latest.user else "an unknown user"
        when = dateformat.format(template_localtime(latest.date_created), "j M Y, H:i:s")
        comment = f" (“{latest.comment}”)" if latest.comment else ""
        return f"{name} saved this briefing at {when}{comment} after you opened it"


@admin.register(Briefing)
class BriefingAdmin(ImportAdminMixin, ReviewAdminMixin, HistoryAdminMixin, VersionAdmin):
    form = BriefingForm
    list_display = ("title", "subject", "status", "publication_count", recall_flag_column, "updated_at")
    list_filter = ("status", NeedsCorrectionFilter, "subject")
    search_fields = ("title", "subject", "slug")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("status",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "subject", "status", "change_note")}),
        # In a fieldset, not in one template, so every form built on this admin carries them.
        (
            None,
            {
                "fields": ("base_edit_version", "base_revision", "resolved", "resolved_at"),
                "classes": ("hidden",),
            },
        ),
    )
    inlines = (SectionInline, ReferenceInline)
    history_latest_first = True

    change_form_template = "admin/briefings/briefing/change_form.html"

    def slug_help_text(self, obj, locked):
        """The slug's help names the real address, or an example one. The admin prints help as HTML."""
        if obj is None or obj.pk is None:
            example = reverse("briefings:briefing-detail", kwargs={"slug": "how-do-partners-shape-the-river"})
            return format_html(
                "The briefing's address, made from the title: e.g. <code>{}</code>. Keep it short; "
                "it cannot change once the briefing is published.",
                example,
            )
        if locked:
            return format_html(
                "The briefing's address, <code>{}</code>. It cannot change once the briefing is published: "
                "readers, links and feeds rely on it, and a change would move the public page before "
                "anything is republished.",
                obj.get_absolute_url(),
            )
        return format_html(
            "The briefing's address: <code>{}</code>. Keep it stable: it cannot change once the briefing "
            "is published.",
            obj.get_absolute_url(),
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_publications=Count("publications"), n_open_recalls=open_recall_count())
        )

    def slug_locked(self, obj):
        return obj is not None and obj.pk is not None and obj.publications.exists()

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "slug") if self.slug_locked(obj) else fields

    def get_prepopulated_fields(self, request, obj=None):
        if self.slug_locked(obj):
            return {}
        return super().get_prepopulated_fields(request, obj)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        # The form must show one saved state: its text, edit version and base revision together,
        # so the row is read again once the lock is held (PostgreSQL only; see hold_for_reading).
        if obj is not None and request.method == "GET" and hold_for_reading(obj.pk):
            obj = super().get_object(request, object_id, from_field)
        return obj

    def get_form(self, request, obj=None, change=False, **kwargs):
        slug_help = self.slug_help_text(obj, self.slug_locked(obj))
        kwargs["help_texts"] = {**kwargs.get("help_texts", {}), "slug": slug_help}
        form = super().get_form(request, obj, change, **kwargs)
        report = getattr(request, "assay_conflict", None)
        refusal = getattr(request, "assay_refusal", None)
        if report is not None or refusal is not None:
            form = type(form.__name__, (form,), {"conflict": report, "refusal": refusal})
        data = getattr(request, "assay_form_data", None)
        if data is not None:
            # A move: the form is drawn from what the editor posted, not from the saved briefing.
            unbound = form

            def bound(self, *args, **kwargs):
                kwargs.pop("initial", None)
                unbound.__init__(self, data.copy(), *args, **kwargs)

            form = type(form.__name__, (form,), {"__init__": bound})
        return form

    @admin.display(description="Publications", ordering="n_publications")
    def publication_count(self, obj):
        return obj.n_publications

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        by_model = {formset.model: formset for formset in formsets}
        if Section in by_model and Reference in by_model:
            by_model[Section].reference_formset = by_model[Reference]
        return formsets, inline_instances

    # Deleting a published briefing changes what readers see: the page cache starts again.

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        generation.advance_on_commit()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        generation.advance_on_commit()

    # Saving: one Draft through the one write path.

    def create_revision(self, request):
        # VersionAdmin wraps its views in a revision of its own; the write path records each save itself.
        return nullcontext()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        view = super().changeform_view
        if request.method == "POST" and MOVE in request.POST:
            return self._move_view(request, object_id, form_url, extra_context)
        try:
            return view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            request.assay_refusal = f"Not saved: {refused}"
            return view(request, object_id, form_url, extra_context)
        except EditConflict as conflict:
            # Nothing was written (the save's transaction rolled back). Show the form again with
            # the editor's text, refused, and remember which parts they have now seen.
            report = conflict_report(conflict)
            request.assay_conflict = report
            data = request.POST.copy()
            if conflict.unknown_base:
                # Nothing to merge against: saving the form again replaces what is saved now.
                data["base_edit_version"] = conflict.current.edit_version
                data["base_revision"] = conflict.latest_revision_id or ""
            else:
                data["resolved"] = json.dumps(sorted(c.unit.token for c in conflict.conflicts))
                data["resolved_at"] = conflict.latest_revision_id or ""
            request.POST = data
            return view(request, object_id, form_url, {**(extra_context or {}), "edit_conflict": report})

    def _move_view(self, request, object_id, form_url, extra_context):
        """A "Move up" / "Move down" button: the same form again, sections reordered, nothing saved."""
        if object_id is None:
            allowed = self.has_add_permission(request)
        else:
            allowed = self.has_change_permission(request, self.get_object(request, unquote(object_id)))
        if not allowed:
            raise PermissionDenied
        prefix = Section._meta.get_field("briefing").remote_field.get_accessor_name()
        data = request.POST
        try:
            data, heading, to = moved(request.POST, prefix, request.POST.get(MOVE))
        except MoveRefused as refused:
            messages.warning(request, f"{refused} Nothing was moved.")
        else:
            messages.info(
                request,
                f"Moved “{heading}” to section {to}. Nothing is saved until you press Save.",
            )
        # Drawn as the change form is drawn, but from the editor's own (reordered) fields.
        shown = copy.copy(request)
        shown.method = "GET"
        shown.assay_form_data = data
        return super().changeform_view(shown, object_id, form_url, extra_context)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        params = super().get_formset_kwargs(request, obj, inline, prefix)
        data = getattr(request, "assay_form_data", None)
        if data is not None:
            params.update(data=data.copy(), files={})
        return params

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        wrapped = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in wrapped:
            if inline_formset.formset.model is Section:
                inline_formset.__class__ = SectionsAdminFormSet
        return wrapped

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["error_summary"] = error_summary(context["adminform"].form, context["inline_admin_formsets"])
        context["warning_summary"] = [
            {
                "anchor": f"{row.form.prefix}",
                "heading": row.heading,
                "count": len(row.form.section_warnings()),
            }
            for inline in context["inline_admin_formsets"]
            if isinstance(inline, SectionsAdminFormSet)
            for row in inline
            if row.form is not inline.formset.empty_form and row.form.section_warnings()
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        """Nothing yet: the briefing is written with its sections and references in save_related."""

    def save_related(self, request, form, formsets, change):
        by_model = {formset.model: formset for formset in formsets}
        data = form.cleaned_data
        draft = Draft(
            title=data["title"],
            slug=data.get("slug") or form.instance.slug,
            subject=data.get("subject", ""),
            sections=by_model[Section].section_drafts(),
            references=by_model[Reference].reference_pairs(),
        )
        try:
            result = write(
                draft=draft,
                briefing=form.instance,
                user=request.user,
                comment=data.get("change_note", "").strip(),
                base_edit_version=data.get("base_edit_version") if change else None,
                base_revision_id=data.get("base_revision"),
                resolved=form.resolved_tokens(),
                resolved_at=data.get("resolved_at"),
            )
        except DraftInvalid as invalid:
            # The forms validated each field; what is left is rare (a slug taken meanwhile).
            raise _Refused(str(invalid.message)) from invalid
        request.assay_write = result
        if result.merged:
            messages.info(
                request,
                "Merged with changes saved since you opened the page, which are kept: "
                + ", ".join(result.merged)
                + ".",
            )
        if result.changed:
            for formset in formsets:
                for warning in getattr(formset, "warnings", []):
                    messages.warning(request, f"Saved with a warning — {warning}")

    def response_change(self, request, obj):
        result = getattr(request, "assay_write", None)
        if result is not None and not result.changed:
            messages.info(request, "Nothing was changed, so no revision was written.")
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def construct_change_message(self, request, form, formsets, add=False):
        # Django's message reads the formsets' saved objects, which the write path does not use.
        return [{"added": {}}] if add else [{"changed": {"fields": ["working copy"]}}]


def error_summary(form, inline_formsets):
    """Every error on the page, each with the id of the field (or row) it is about, for the summary."""
    out = []

    def add(where, message, anchor):
        out.append({"where": where, "message": message, "anchor": anchor})

    for message in form.non_field_errors():
        add("The briefing", message, "briefing_form")
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        label = form.fields[name].label if name in form.fields else name
        for message in errors:
            add(capfirst(str(label or name)), message, form[name].auto_id if name in form.fields else "")
    for inline in inline_formsets:
        formset = inline.formset
        kind = "Section" if formset.model is Section else "Reference"
        for message in formset.non_form_errors():
            add(str(inline.opts.verbose_name_plural), message, f"{formset.prefix}-group")
        for index, row in enumerate(formset.forms):
            if not row.errors:
                continue
            if formset.model is Section:
                heading = row["heading"].value() or ""
                where = f"{kind} {index}" + (f" (“{heading}”)" if heading else "")
                if index == 0:
                    where = "Executive summary"
            else:
                number = row["number"].value()
                where = f"Reference [{number}]" if number else f"Reference row {index + 1}"
            for message in row.non_field_errors():
                add(where, message, f"{formset.prefix}-{index}")
            for name, errors in row.errors.items():
                if name == "__all__" or name not in row.fields:
                    continue
                label = row.fields[name].label or name
                for message in errors:
                    add(f"{where}, {str(label).lower()}", message, row[name].auto_id)
    return out
