"""Partners: shared across briefings, versioned, restored one record at a time."""

from django.contrib import admin
from django.utils.text import capfirst
from reversion.admin import VersionAdmin

from briefings.admin.locking import LockedRecordAdminMixin
from briefings.admin.safety import SafeVersionAdminMixin, history_protection
from briefings.models import Partner, PartnerInHistory, PublishedPartner


@admin.register(Partner)
class PartnerAdmin(LockedRecordAdminMixin, SafeVersionAdminMixin, VersionAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_deleted_objects(self, objs, request):
        """Say which briefings' history or publications name a partner, instead of listing rows."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            own = tuple(f"{capfirst(m._meta.verbose_name)}: " for m in (PartnerInHistory, PublishedPartner))
            protected = [p for p in protected if not str(p).startswith(own)]
            copies = PublishedPartner.objects.filter(partner__in=objs).select_related("publication")
            protected += [
                f"“{copy.publication.title}” as published (version {copy.publication.number}) names it."
                for copy in copies
            ]
            protected += history_protection(PartnerInHistory.objects.filter(partner__in=objs), "partner")
        return deleted, counts, perms_needed, protected
