"""Publications in the admin: listed and viewed, never edited (they are immutable)."""

from django.contrib import admin

from briefings.models import Publication


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """Publications are immutable: listed and viewed, never edited here."""

    list_display = ("briefing", "number", "kind", "published_by", "published_at")
    list_filter = ("kind",)
    search_fields = ("title", "note")
    readonly_fields = (
        "briefing",
        "number",
        "revision",
        "kind",
        "note",
        "title",
        "subject",
        "schema_version",
        "published_by",
        "published_at",
        "snapshot",
    )
    exclude = ("rendered_html",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
