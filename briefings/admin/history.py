"""The reviewers' history, compare, restore and recover views for briefings.

BriefingAdmin mixes in HistoryAdminMixin. Every page here reads revisions
through briefings.editing.history (stored JSON, never deserialised), so a
revision saved under an older schema still shows, and compares with
briefings.text.compare. Revisions are named by their per-briefing number,
as History shows them (#1, #2 …). Restoring and recovering write a new
revision through the one write path: history only grows.
"""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from briefings.admin.base import BriefingAdminBase
from briefings.admin.safety import SafeVersionAdminMixin
from briefings.editing.history import (
    NOTHING_PUBLISHED,
    publication_state,
    revision_state,
    revision_states,
    revisions_of,
    working_state,
)
from briefings.editing.working_copy import RestoreRefused, recover_briefing, recover_section, restore
from briefings.models import Briefing, Publication, RevisionContents
from briefings.text.compare import diff_states
from config.converters import bounded_int

HISTORY_PAGE_SIZE = 50


class Side:
    """One side of a comparison: a revision, the working copy or the live publication."""

    def __init__(self, key, label, state, revision=None, publication=None, number=None):
        self.key, self.label, self.state = key, label, state
        self.revision, self.publication, self.number = revision, publication, number


class HistoryAdminMixin(BriefingAdminBase, SafeVersionAdminMixin):
    history_page_size = HISTORY_PAGE_SIZE

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/compare/", view(self.compare_view), name="{}_{}_compare".format(*info)),
            path(
                "<path:object_id>/revert/<digits:number>/",
                view(self.revert_view),
                name="{}_{}_revert".format(*info),
            ),
            path(
                "<path:object_id>/recover-sections/",
                view(self.recover_sections_view),
                name="{}_{}_recover_sections".format(*info),
            ),
        ] + super().get_urls()

    # History.

    def history_view(self, request, object_id, extra_context=None):
        """Every revision, latest first, each with a short summary of what it changed."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        briefing = self._briefing_or_404(request, object_id)
        revisions = revisions_of(briefing.pk)
        paginator = Paginator(revisions.values_list("pk", flat=True), self.history_page_size)
        try:
            page = paginator.page(request.GET.get("p") or 1)
        except InvalidPage as error:
            raise Http404(f"No such history page: {error}") from error
        # One more than the page, so the page's oldest revision has its predecessor.
        offset = (page.number - 1) * paginator.per_page
        rows = list(revisions[offset : offset + paginator.per_page + 1])
        states = revision_states(briefing.pk, [c.revision_id for c in rows])
        published = dict(
            Publication.objects.filter(briefing=briefing, revision_id__in=[c.revision_id for c in rows])
            .order_by("number")
            .values_list("revision_id", "number")
        )
        entries = []
        for index, contents in enumerate(rows[: paginator.per_page]):
            newer = states.get(contents.revision_id)
            older_contents = rows[index + 1] if index + 1 < len(rows) else None
            older = states.get(older_contents.revision_id) if older_contents else None
            if newer is None:
                summary = "stored data cannot be read"
            elif older is None:
                summary = "created" if contents.number == 1 else contents.get_kind_display().lower()
            else:
                summary = diff_states(older, newer).summary()
            entries.append(
                {
                    "number": contents.number,
                    "contents": contents,
                    "revision": contents.revision,
                    "summary": summary,
                    "notes": newer["notes"] if newer else [],
                    "previous": older_contents.number if older_contents else None,
                    "published_as": published.get(contents.revision_id),
                }
            )
        context = self._context(
            request,
            briefing,
            f"History of “{briefing}”",
            entries=entries,
            page=page,
            paginator=paginator,
            page_range=paginator.get_elided_page_range(page.number),
            module_name=str(self.model._meta.verbose_name_plural),
            **(extra_context or {}),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/briefings/briefing/object_history.html", context)

    # Compare.

    def _side(self, request, briefing, key, *, param):
        """Resolve ``live``, ``working`` or a revision number (#N) of this briefing; 404 for anything else."""
        if key == "working":
            return Side("working", "Working copy", working_state(briefing))
        if key == "live":
            publication = briefing.publications.live().order_by("-number").first()
            if publication is None:
                return Side("live", "Live publication (none yet)", NOTHING_PUBLISHED)
            return Side(
                "live",
                f"Live publication (v{publication.number})",
                publication_state(publication),
                publication=publication,
            )
        number = bounded_int(key.lstrip("#") if isinstance(key, str) else key)
        if number is None:
            raise Http404(f"'{param}' must be a revision number from the history, 'live' or 'working'.")
        contents = (
            RevisionContents.objects.filter(briefing_id=briefing.pk, number=number)
            .select_related("revision__user")
            .first()
        )
        state = revision_state(briefing.pk, contents.revision_id) if contents else None
        if state is None:
            raise Http404(f"There is no revision #{number} of this briefing.")
        return Side(str(number), f"Revision #{number}", state, revision=contents.revision, number=number)

    def _default_from(self, briefing):
        if briefing.publications.live().exists():
            return "live"
        previous = revisions_of(briefing.pk).values_list("number", flat=True)[1:2]
        return str(previous[0]) if previous else "working"

    def compare_view(self, request, object_id):
        """Any two of: a revision, the working copy, the live publication."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        briefing = self._briefing_or_404(request, object_id)
        old = self._side(
            request, briefing, request.GET.get("from") or self._default_from(briefing), param="from"
        )
        new = self._side(request, briefing, request.GET.get("to") or "working", param="to")
        mode = "side" if request.GET.get("view") == "side" else "inline"
        diff = diff_states(old.state, new.state)
        context = self._context(
            request,
            briefing,
            f"Compare “{briefing}”",
            old=old,
            new=new,
            diff=diff,
            mode=mode,
            notes=sorted(set(old.state.get("notes", [])) | set(new.state.get("notes", []))),
            compare_url=reverse(
                f"{self.admin_site.name}:briefings_briefing_compare", args=[quote(briefing.pk)]
            ),
        )
        return TemplateResponse(request, "admin/briefings/briefing/compare.html", context)

    # Restore.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """django-reversion's revert form, replaced by the diff-first restore page."""
        if not self.has_revert_permission(request):
            raise PermissionDenied
        version = self._own_version(version_id, object_id)
        contents = RevisionContents.objects.filter(revision_id=version.revision_id).first()
        if contents is None:
            raise Http404("That version is not a revision of this briefing's working copy.")
        return redirect(
            f"{self.admin_site.name}:briefings_briefing_revert", quote(version.object_id), contents.number
        )

    def revert_view(self, request, object_id, number):
        """Show what restoring a revision changes in the working copy; on POST, restore it."""
        if not self.has_revert_permission(request):
            raise PermissionDenied
        briefing = self._briefing_or_404(request, object_id)
        if not self.has_revert_permission(request, briefing):
            raise PermissionDenied
        target = self._side(request, briefing, str(number), param="revision")
        current = Side("working", "Working copy", working_state(briefing))
        if request.method == "POST":
            try:
                result = restore(
                    briefing=briefing, revision_id=target.revision.pk, user=request.user, label=target.label
                )
            except RestoreRefused as refused:
                messages.error(request, f"{refused} Nothing was changed.")
            else:
                if result.changed:
                    messages.success(request, f"Restored {target.label}, saved as a new revision.")
                else:
                    messages.info(request, f"The working copy reads as {target.label}; nothing changed.")
                return redirect(f"{self.admin_site.name}:briefings_briefing_change", quote(briefing.pk))
        context = self._context(
            request,
            briefing,
            f"Restore {target.label} of “{briefing}”",
            old=current,
            new=target,
            diff=diff_states(current.state, target.state),
            mode="side" if request.GET.get("view") == "side" else "inline",
            notes=target.state["notes"],
        )
        return TemplateResponse(request, "admin/briefings/briefing/revert.html", context)

    # Recover.

    def recoverlist_view(self, request, extra_context=None):
        if not request.user.has_perm("briefings.revert_briefing"):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def may_revert(self, request):
        return self.has_revert_permission(request)

    def recover_view(self, request, version_id, extra_context=None):
        """A deleted briefing, from its last revision: shown first, recovered on POST."""
        if not request.user.has_perm("briefings.revert_briefing") or not self.has_add_permission(request):
            raise PermissionDenied
        version = self._own_version(version_id)
        briefing_id = bounded_int(version.object_id, 2**63 - 1)
        if briefing_id is None or Briefing.objects.filter(pk=briefing_id).exists():
            raise Http404("That briefing is not deleted.")
        contents = revisions_of(briefing_id).first()
        state = revision_state(briefing_id, contents.revision_id) if contents else None
        if request.method == "POST":
            try:
                result = recover_briefing(briefing_id=briefing_id, user=request.user)
            except RestoreRefused as refused:
                messages.error(
                    request, f"Could not recover “{version.object_repr}”: {refused} Nothing changed."
                )
                return redirect(f"{self.admin_site.name}:briefings_briefing_recoverlist")
            messages.success(request, f"Recovered “{result.briefing}” as a new revision.")
            return redirect(f"{self.admin_site.name}:briefings_briefing_change", quote(result.briefing.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Recover “{version.object_repr}”",
            "version": version,
            "contents": contents,
            "state": state,
            "diff": diff_states({"briefing": {}, "sections": [], "references": []}, state) if state else None,
        }
        return TemplateResponse(request, "admin/briefings/briefing/recover_briefing.html", context)

    def _deleted_sections(self, briefing):
        """Each section this briefing's revisions name that it no longer has, as last recorded."""
        current = set(briefing.sections.values_list("pk", flat=True))
        last_seen = {}
        for contents in revisions_of(briefing.pk).order_by("number")[:10_000]:
            for section_id, _ in contents.sections:
                if section_id not in current:
                    last_seen[section_id] = contents
        states = revision_states(briefing.pk, {c.revision_id for c in last_seen.values()})
        deleted = []
        for section_id, contents in sorted(last_seen.items(), key=lambda item: -item[1].number):
            state = states.get(contents.revision_id) or {"sections": []}
            section = next((s for s in state["sections"] if s["id"] == section_id), None)
            if section is not None:
                deleted.append({"contents": contents, "revision": contents.revision, "section": section})
        return deleted[:100]

    def recover_sections_view(self, request, object_id):
        """Deleted sections of this briefing; recovering one adds a new revision."""
        if not self.has_revert_permission(request):
            raise PermissionDenied
        briefing = self._briefing_or_404(request, object_id)
        if not self.has_revert_permission(request, briefing):
            raise PermissionDenied
        deleted = self._deleted_sections(briefing)
        if request.method == "POST":
            wanted = request.POST.get("section")
            chosen = next((d for d in deleted if str(d["section"]["id"]) == wanted), None)
            if chosen is None:
                raise Http404("That section is not a deleted section of this briefing.")
            heading = chosen["section"]["heading"]
            try:
                recover_section(briefing=briefing, section=chosen["section"], user=request.user)
            except RestoreRefused as refused:
                messages.error(request, f"Could not recover the section: {refused} Nothing was changed.")
            else:
                messages.success(request, f"Recovered section “{heading}”.")
                return redirect(f"{self.admin_site.name}:briefings_briefing_change", quote(briefing.pk))
        context = self._context(request, briefing, f"Deleted sections of “{briefing}”", deleted=deleted)
        return TemplateResponse(request, "admin/briefings/briefing/recover_sections.html", context)
