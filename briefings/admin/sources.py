"""Sources in the admin: shared records, locked against lost updates, never deleted while cited.

Also each source's latest link check (manage.py check_sources; a list column
and filter, and on the change form) and its recall (``<id>/recall/``).
"""

from django.contrib import admin
from django.db import models
from django.utils.text import capfirst
from reversion.admin import VersionAdmin

from briefings.admin.evidence import SourceEvidenceAdminMixin
from briefings.admin.locking import LockedRecordAdminMixin
from briefings.admin.safety import SafeVersionAdminMixin, history_protection
from briefings.models import ClaimCitation, PublishedReference, SourceInHistory
from sources.models import Source


@admin.register(Source)
class SourceAdmin(SourceEvidenceAdminMixin, LockedRecordAdminMixin, SafeVersionAdminMixin, VersionAdmin):
    list_display = ("title", "publisher", "kind", "reliability", "published_on", "details_pending")
    list_filter = ("details_pending", "kind", "reliability")
    search_fields = ("title", "publisher", "url")
    # A URL typed without a scheme is taken as https, Django 6's default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("title", "publisher", "url", "archive_url", "published_on")}),
        ("Rating", {"fields": ("kind", "reliability", "details_pending", "notes")}),
    )

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
