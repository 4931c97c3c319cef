"""Partners: shared across briefings, versioned, restored one record at a time."""

from django.contrib import admin
from reversion.admin import VersionAdmin

from briefings.admin.safety import SafeVersionAdminMixin
from briefings.models import Partner


@admin.register(Partner)
class PartnerAdmin(SafeVersionAdminMixin, VersionAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
