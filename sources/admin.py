from django.contrib import admin
from reversion.admin import VersionAdmin

from briefings.admin_safety import SafeVersionAdminMixin

from .models import Source


@admin.register(Source)
class SourceAdmin(SafeVersionAdminMixin, VersionAdmin):
    list_display = ("title", "publisher", "kind", "reliability", "published_on", "details_pending")
    list_filter = ("details_pending", "kind", "reliability")
    search_fields = ("title", "publisher", "url")
    fieldsets = (
        (None, {"fields": ("title", "publisher", "url", "published_on")}),
        ("Assessment", {"fields": ("kind", "reliability", "details_pending", "notes")}),
    )
