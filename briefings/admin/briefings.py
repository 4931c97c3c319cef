"""The editors' admin: a briefing, its sections and its references on one page."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from reversion.admin import VersionAdmin

from briefings.admin.history import HistoryAdminMixin
from briefings.admin.review import EditVersionFormMixin, ReviewAdminMixin
from briefings.editing.working_copy import record_sections
from briefings.models import Section, Briefing
from briefings.text.parsing import heading_error, parse_body
from sources.models import Reference


class SectionFormSet(BaseInlineFormSet):
    """Checks each section's citations against the reference list on the same page."""

    reference_formset = None

    def reference_numbers(self):
        refs = self.reference_formset
        if refs is None or not refs.is_valid():
            return set(Reference.objects.filter(briefing=self.instance).values_list("number", flat=True))
        return {
            form.cleaned_data["number"]
            for form in refs.forms
            if form.cleaned_data.get("number") and not form.cleaned_data.get("DELETE")
        }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if form.instance.pk is None:
            # The model's default (0) would file a new section right after the summary.
            form.fields["position"].required = False
            form.fields["position"].help_text = "Leave empty to add the section at the end."
            form.fields["position"].initial = None
            form.initial.pop("position", None)

    def _place_new_sections(self):
        """Give each new section left without a position the next one after the last, in page order."""
        kept = [
            f for f in self.forms if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")
        ]
        positions = [f.cleaned_data["position"] for f in kept if f.cleaned_data.get("position") is not None]
        following = max(positions, default=-1) + 1
        for form in kept:
            if form.instance.pk is None and form.cleaned_data.get("position") is None and form.has_changed():
                form.cleaned_data["position"] = form.instance.position = following
                following += 1

    def clean(self):
        super().clean()
        self._place_new_sections()
        numbers = self.reference_numbers()
        self.warnings = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or "body" not in data:
                continue
            if error := heading_error(data.get("heading") or ""):
                form.add_error("heading", error)
            heading = data.get("heading") or "untitled section"
            parsed = parse_body(data["body"], clean=False)
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
            self.warnings += [f"“{heading}”: {w.message}" for w in parsed.warnings]


class SectionInline(admin.StackedInline):
    model = Section
    formset = SectionFormSet
    extra = 0
    fields = ("position", "heading", "partners", "body")
    autocomplete_fields = ("partners",)
    ordering = ("position", "pk")
    verbose_name_plural = "Sections (the first is the executive summary)"


class ReferenceInline(admin.TabularInline):
    model = Reference
    extra = 0
    fields = ("number", "source")
    autocomplete_fields = ("source",)
    ordering = ("number",)
    verbose_name_plural = "Reference list"


class BriefingForm(EditVersionFormMixin, forms.ModelForm):
    change_note = forms.CharField(
        required=False,
        max_length=500,
        help_text="What you changed and why, for the revision history (not shown to readers).",
    )

    class Meta:
        model = Briefing
        fields = ("title", "slug", "subject")


@admin.register(Briefing)
class BriefingAdmin(ReviewAdminMixin, HistoryAdminMixin, VersionAdmin):
    form = BriefingForm
    list_display = ("title", "subject", "status", "publication_count", "updated_at")
    list_filter = ("status", "subject")
    search_fields = ("title", "subject", "slug")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("status",)
    fieldsets = ((None, {"fields": ("title", "slug", "subject", "status", "change_note")}),)
    inlines = (SectionInline, ReferenceInline)
    history_latest_first = True

    change_form_template = "admin/briefings/briefing/change_form.html"

    SLUG_LOCKED_HELP = (
        "The briefing's address, /briefings/<slug>/. It cannot change once the briefing is "
        "published: readers, links and feeds rely on it, and a change would move the public "
        "page before anything is republished."
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_publications=Count("publications"))

    def slug_locked(self, obj):
        return obj is not None and obj.pk is not None and obj.publications.exists()

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "slug") if self.slug_locked(obj) else fields

    def get_prepopulated_fields(self, request, obj=None):
        if self.slug_locked(obj):
            return {}
        return super().get_prepopulated_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self.slug_locked(obj):
            kwargs["help_texts"] = {**kwargs.get("help_texts", {}), "slug": self.SLUG_LOCKED_HELP}
        return super().get_form(request, obj, change, **kwargs)

    @admin.display(description="Publications", ordering="n_publications")
    def publication_count(self, obj):
        return obj.n_publications

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        by_model = {formset.model: formset for formset in formsets}
        if Section in by_model and Reference in by_model:
            by_model[Section].reference_formset = by_model[Reference]
        return formsets, inline_instances

    def save_model(self, request, obj, form, change):
        obj.status = Briefing.Status.DRAFT
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Partners are written after the sections; record them in this revision.
        record_sections(form.instance)
        for formset in formsets:
            for warning in getattr(formset, "warnings", []):
                messages.warning(request, f"Saved with a warning — {warning}")

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._use_change_note(request)
        return entry

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._use_change_note(request)
        return entry

    def _use_change_note(self, request):
        note = request.POST.get("change_note", "").strip()
        if note and reversion.is_active():
            reversion.set_comment(note)
