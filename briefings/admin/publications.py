"""Publications in the admin: listed and viewed, never edited (immutable); withdrawn for legal reasons."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from briefings.models import Publication, Withdrawal
from briefings.publishing.takedown import TakedownError, can_withdraw, withdraw_publication


class WithdrawForm(forms.Form):
    notice = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Public: readers see this at the publication's address and in the change log.",
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Internal: the legal ground or case reference. Never shown to readers.",
    )
    confirm = forms.BooleanField(
        label="I understand: the publication stops being public at once, and this cannot be undone here.",
    )


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """Publications are immutable: listed and viewed, never edited here; reviewers may withdraw one."""

    list_display = ("briefing", "number", "kind", "published_by", "published_at", "withdrawn")
    list_filter = ("kind",)
    search_fields = ("title", "note")
    actions = ["withdraw_selected"]
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
        "withdrawn",
        "snapshot",
    )
    exclude = ("rendered_html",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("briefing", "published_by", "withdrawal")

    @admin.display(description="withdrawn")
    def withdrawn(self, obj):
        try:
            withdrawal = obj.withdrawal
        except Withdrawal.DoesNotExist:
            url = reverse(f"{self.admin_site.name}:briefings_publication_withdraw", args=[obj.pk])
            return format_html('No. <a href="{}">Withdraw for legal reasons…</a>', url)
        who = withdrawal.withdrawn_by or "an unknown user"
        return f"{withdrawal.withdrawn_at:%d %b %Y %H:%M} by {who}: {withdrawal.notice}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<path:object_id>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="{}_{}_withdraw".format(*info),
            ),
        ] + super().get_urls()

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_withdraw(request.user):
            actions.pop("withdraw_selected", None)
        return actions

    @admin.action(description="Withdraw the selected publication for legal reasons…")
    def withdraw_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Withdraw one publication at a time.", messages.WARNING)
            return None
        return redirect(f"{self.admin_site.name}:briefings_publication_withdraw", queryset.get().pk)

    def withdraw_view(self, request, object_id):
        if not can_withdraw(request.user):
            raise PermissionDenied
        publication = self.get_object(request, unquote(object_id))
        if publication is None:
            raise Http404("No such publication.")
        form = WithdrawForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                withdraw_publication(
                    publication=publication,
                    user=request.user,
                    notice=form.cleaned_data["notice"],
                    reason=form.cleaned_data["reason"],
                )
            except TakedownError as refused:
                messages.error(request, f"{refused} Nothing was changed.")
            else:
                messages.success(
                    request, f"Withdrew version {publication.number} of “{publication.briefing}”."
                )
                return redirect(
                    reverse(f"{self.admin_site.name}:briefings_publication_change", args=[publication.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": publication,
            "title": f"Withdraw version {publication.number} of “{publication.briefing}”",
            "form": form,
        }
        return TemplateResponse(request, "admin/briefings/publication/withdraw.html", context)
