"""A source's evidence in the admin: its latest link check and its recall.

``SourceEvidenceAdminMixin`` adds to SourceAdmin:

- list columns and filters: the link's state (dead, content changed, blocked
  by robots.txt, works, never checked) and the recall;
- on the change form: the latest check (status, final URL, redirects, hash,
  when), the recall (who, when, why) and everything citing the source;
- the action "Mark changed content as reviewed";
- ``<id>/recall/``: recall the source, or lift a recall made in error.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from briefings.models import RecallFlag
from briefings.publishing import recall
from sources import linkcheck
from sources.models import LinkCheck, Source

NEVER_CHECKED = "never"


class LinkStateFilter(admin.SimpleListFilter):
    title = "link check"
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return [*LinkCheck.State.choices, (NEVER_CHECKED, "Never checked")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == NEVER_CHECKED:
            return queryset.filter(link_check__isnull=True).exclude(url="")
        if value in LinkCheck.State.values:
            return queryset.filter(link_check__state=value)
        return queryset


class RecallForm(forms.Form):
    recall = forms.ChoiceField(
        choices=[
            (Source.Recall.RETRACTED, "Retracted by its publisher"),
            (Source.Recall.DISCREDITED, "Discredited"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Shown to readers on the source's page and on every briefing page citing it.",
    )


class SourceEvidenceAdminMixin:
    actions = ["mark_content_reviewed"]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/recall/", view(self.recall_view), name="sources_source_recall"),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("link_check")

    def get_list_display(self, request):
        return (*super().get_list_display(request), "link", "recall_state")

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), LinkStateFilter, "recall")

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "link_report", "recall_report", "cited_by")

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets += [
                ("Link check", {"fields": ("link_report",)}),
                ("Recall", {"fields": ("recall_report", "cited_by")}),
            ]
        return fieldsets

    # Columns.

    @admin.display(description="link", ordering="link_check__state")
    def link(self, obj):
        check = getattr(obj, "link_check", None)
        if check is None:
            return "—" if obj.url else "no URL"
        if check.state == LinkCheck.State.DEAD:
            return format_html(
                '<strong class="errornote">dead ({})</strong>', check.status_code or check.error
            )
        if check.state == LinkCheck.State.CHANGED:
            return format_html("<strong>{}</strong>", "content changed")
        if check.state == LinkCheck.State.BLOCKED:
            return "not checked (robots.txt or a private address)"
        return f"works ({check.status_code})"

    @admin.display(description="recall", ordering="recall")
    def recall_state(self, obj):
        if not obj.recall:
            return "—"
        return format_html("<strong>{}</strong>", obj.get_recall_display())

    # Change form.

    @admin.display(description="latest check")
    def link_report(self, obj):
        check = LinkCheck.objects.filter(source=obj).first()
        if check is None:
            return "Not checked yet (manage.py check_sources)."
        lines = [
            ("State", check.get_state_display()),
            ("Checked", f"{check.checked_at:%d %b %Y, %H:%M} UTC, {check.url}"),
            ("HTTP status", check.status_code or "none"),
            ("Final URL", check.final_url or "—"),
        ]
        lines += [("Redirect", f"{status}: {old} → {new}") for status, old, new in check.redirects]
        if check.content_hash:
            lines.append(("Content SHA-256", check.content_hash))
        if check.error:
            lines.append(("Why", check.error))
        if check.dead_since:
            lines.append(("Dead since", f"{check.dead_since:%d %b %Y, %H:%M} UTC"))
        if check.changed_at:
            lines.append(
                (
                    "Content changed",
                    f"{check.changed_at:%d %b %Y, %H:%M} UTC: check that the source still says what the "
                    "briefings cite it for, fill in the archive URL if needed, then use the list's action "
                    "“Mark changed content as reviewed”.",
                )
            )
        return format_html_join("", "<div><strong>{}:</strong> {}</div>", lines)

    @admin.display(description="recall")
    def recall_report(self, obj):
        link = reverse("admin:sources_source_recall", args=[obj.pk])
        if not obj.recall:
            return format_html('Not recalled. <a href="{}">Recall this source…</a>', link)
        who = obj.recalled_by.get_username() if obj.recalled_by else "an unknown user"
        return format_html(
            '<strong>{}</strong> on {} by {}: {} <a href="{}">Lift this recall…</a>',
            obj.get_recall_display(),
            f"{obj.recalled_at:%d %b %Y, %H:%M} UTC",
            who,
            obj.recall_reason,
            link,
        )

    @admin.display(description="cited by")
    def cited_by(self, obj):
        return _uses_html(recall.uses(obj))

    # The action.

    @admin.action(description="Mark changed content as reviewed")
    def mark_content_reviewed(self, request, queryset):
        n = linkcheck.mark_reviewed(queryset)
        self.message_user(request, f"{n} source{'s' if n != 1 else ''} marked as reviewed.", messages.SUCCESS)

    # The recall page.

    def recall_view(self, request, object_id):
        source = self.get_object(request, unquote(object_id))
        if source is None:
            raise Http404("No such source.")
        if not (self.has_change_permission(request, source) and recall.can_recall(request.user)):
            raise PermissionDenied
        form = RecallForm(request.POST if request.method == "POST" and not source.recall else None)
        error = None
        if request.method == "POST":
            try:
                if source.recall:
                    recall.lift_recall(source=source, user=request.user)
                    messages.success(request, f"The recall of “{source}” was lifted; its flags are closed.")
                    return redirect("admin:sources_source_change", source.pk)
                if form.is_valid():
                    flagged = recall.recall_source(
                        source=source,
                        user=request.user,
                        recall=form.cleaned_data["recall"],
                        reason=form.cleaned_data["reason"],
                    )
                    messages.warning(
                        request,
                        f"“{source}” is recalled. {len(flagged)} briefing{'s' if len(flagged) != 1 else ''} "
                        "flagged for review; publish each as a correction.",
                    )
                    return redirect("admin:sources_source_change", source.pk)
            except recall.RecallError as refused:
                error = str(refused)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": source,
            "title": f"{'Lift the recall of' if source.recall else 'Recall'} “{source}”",
            "form": form,
            "error": error,
            "uses": _uses_html(recall.uses(source)),
        }
        return TemplateResponse(request, "admin/sources/source/recall.html", context)


def _uses_html(uses):
    """Working copies, current publications and published claims that cite the source, as escaped HTML."""
    parts = []
    briefings = format_html_join(
        "",
        '<li><a href="{}">{}</a> (working copy, reference [{}])</li>',
        (
            (
                reverse("admin:briefings_briefing_change", args=[ref.briefing_id]),
                ref.briefing.title,
                ref.number,
            )
            for ref in uses["references"]
        ),
    )
    parts.append(
        format_html("<p>Briefings:</p><ul>{}</ul>", briefings) if briefings else "<p>No briefing.</p>"
    )
    publications = format_html_join(
        "",
        '<li><a href="{}">{}</a> (current publication, version {}, reference [{}])</li>',
        (
            (
                copy.publication.briefing.get_absolute_url(),
                copy.publication.title,
                copy.publication.number,
                copy.number,
            )
            for copy in uses["publications"]
        ),
    )
    if publications:
        parts.append(format_html("<p>Current publications:</p><ul>{}</ul>", publications))
    claims = format_html_join(
        "",
        '<li><a href="{}">{}</a> — {}</li>',
        ((claim.get_absolute_url(), claim.section.publication.title, claim.text) for claim in uses["claims"]),
    )
    if claims:
        parts.append(format_html("<p>Published claims ({}):</p><ul>{}</ul>", len(uses["claims"]), claims))
    return format_html_join("", "{}", ((part,) for part in parts))


# The briefing list and the review queue: briefings flagged by a recall.


def open_recall_count():
    """An expression for annotate(): how many recalled sources the briefing has yet to answer."""
    flags = (
        RecallFlag.objects.open()
        .filter(briefing=OuterRef("pk"))
        .order_by()
        .values("briefing")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(flags), 0)


class NeedsCorrectionFilter(admin.SimpleListFilter):
    title = "recalled source"
    parameter_name = "recalled"

    def lookups(self, request, model_admin):
        return [("yes", "Cites a recalled source: needs a correction"), ("no", "No open recall")]

    def queryset(self, request, queryset):
        flagged = Exists(RecallFlag.objects.open().filter(briefing=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(flagged)
        if self.value() == "no":
            return queryset.filter(~flagged)
        return queryset


@admin.display(description="recalled sources", ordering="n_open_recalls")
def recall_flag_column(obj):
    n = obj.n_open_recalls
    if not n:
        return "—"
    return format_html("<strong>{} — needs a correction</strong>", n)
