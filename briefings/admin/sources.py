"""Sources in the admin: shared records, locked against lost updates, never deleted while cited.

Also each source's latest link check (manage.py check_sources; a list column
and filter, and on the change form) and its recall (``<id>/recall/``).
"""

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from reversion.admin import VersionAdmin

from briefings.admin.evidence import SourceEvidenceAdminMixin
from briefings.admin.locking import LockedRecordAdminMixin, LockedRecordForm
from briefings.admin.safety import SafeVersionAdminMixin, history_protection
from briefings.models import ClaimCitation, PublishedReference, SourceInHistory
from config.converters import INT64_MAX, bounded_int
from sources.models import Source, normalise_url

USE_EXISTING = "_use_existing"


class SourceForm(LockedRecordForm):
    """A source's form: its URL stored normalised, and a duplicate named instead of a constraint error."""

    # Set by SourceAdmin.get_form when the form is the "+" pop-up of a reference list.
    popup = False

    def clean_url(self):
        url = normalise_url(self.cleaned_data.get("url"))
        if not url:
            return url
        existing = Source.objects.filter(url=url).exclude(pk=self.instance.pk).first()
        if existing is not None:
            raise ValidationError(self.duplicate_message(existing, url), code="duplicate")
        return url

    def duplicate_message(self, existing, url):
        link = reverse("admin:sources_source_change", args=[existing.pk])
        named = format_html(
            '{} already has this URL ({}): <a href="{}"{}>{}</a>{}.',
            "Another source" if self.instance.pk else "A source",
            url,
            link,
            format_html(' target="{}" rel="{}"', "_blank", "noopener") if self.popup else "",
            existing.title,
            format_html(", {}", existing.publisher) if existing.publisher else "",
        )
        if self.popup:
            return format_html(
                '{} <button type="submit" name="{}" value="{}" formnovalidate>'
                "Use “{}” for this reference</button>",
                named,
                USE_EXISTING,
                existing.pk,
                existing.title,
            )
        return format_html(
            "{} Pick it in a briefing's reference list instead of adding it again; "
            "correct its details on its own page.",
            named,
        )


@admin.register(Source)
class SourceAdmin(SourceEvidenceAdminMixin, LockedRecordAdminMixin, SafeVersionAdminMixin, VersionAdmin):
    form = SourceForm
    list_display = ("title", "publisher", "kind", "grade", "published_on", "details_pending")
    list_filter = ("details_pending", "kind", "grade")
    search_fields = ("title", "publisher", "url")
    # A URL typed without a scheme is taken as https, Django 6's default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("title", "publisher", "url", "archive_url", "published_on")}),
        ("Grading", {"fields": ("kind", "grade", "details_pending", "notes")}),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        popup = IS_POPUP_VAR in request.POST or IS_POPUP_VAR in request.GET
        return type(form.__name__, (form,), {"popup": popup}) if popup else form

    def add_view(self, request, form_url="", extra_context=None):
        if request.method == "POST" and IS_POPUP_VAR in request.POST and USE_EXISTING in request.POST:
            # The reference list's "+" pop-up, told the source exists: choose that one, add nothing.
            if not self.has_view_or_change_permission(request):
                raise PermissionDenied
            to_field = request.POST.get(TO_FIELD_VAR)
            if to_field and not self.to_field_allowed(request, to_field):
                raise DisallowedModelAdminToField(f"The field {to_field} cannot be referenced.")
            pk = bounded_int(request.POST[USE_EXISTING], INT64_MAX)
            existing = Source.objects.filter(pk=pk).first() if pk else None
            if existing is not None:
                return self.response_add(request, existing)
        return super().add_view(request, form_url, extra_context)

    def get_deleted_objects(self, objs, request):
        """Name the publications and histories that protect a source, not their bookkeeping rows."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            # Django lists each protecting row as "Verbose name: str(row)"; these
            # rows say nothing useful to an editor, so they are replaced below.
            derived = tuple(
                f"{capfirst(m._meta.verbose_name)}: "
                for m in (ClaimCitation, PublishedReference, SourceInHistory)
            )
            protected = [p for p in protected if not str(p).startswith(derived)]
            copies = (
                PublishedReference.objects.filter(source__in=objs)
                .select_related("publication", "source")
                .order_by("publication__title", "number")
            )
            protected += [
                f"“{copy.publication.title}” as published (version {copy.publication.number}) cites "
                f"“{copy.source}” as [{copy.number}]. Point reference [{copy.number}] at another "
                "source and publish again before deleting it."
                for copy in copies
            ]
            protected += history_protection(SourceInHistory.objects.filter(source__in=objs), "source")
        return deleted, counts, perms_needed, protected
