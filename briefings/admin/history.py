"""The reviewers' history, compare, revert and recover views for briefings.

BriefingAdmin mixes in HistoryAdminMixin. Every page here reads revisions
through briefings.history (stored JSON, never deserialised), so a revision
saved under an older schema still shows, and compares with
briefings.compare. Restoring writes a new revision: history only grows.
"""

import reversion
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import localize
from django.utils.timezone import template_localtime
from reversion.errors import RevertError
from reversion.models import Version

from briefings.admin.base import BriefingAdminBase
from briefings.admin.safety import SafeVersionAdminMixin
from briefings.editing.history import publication_state, revision_states, stored_briefing_id, working_state
from briefings.editing.lock import content_write
from briefings.editing.review_log import record_edit
from briefings.editing.working_copy import record_sections
from briefings.models import Section, Briefing, Publication
from briefings.text.compare import diff_states
from config.converters import bounded_int
from sources.models import Reference

HISTORY_PAGE_SIZE = 50
RESTORE_ERRORS = (RevertError, DeserializationError, DatabaseError, ValidationError, ObjectDoesNotExist)


class Side:
    """One side of a comparison: a revision, the working copy or the live publication."""

    def __init__(self, key, label, state, revision=None, publication=None):
        self.key, self.label, self.state = key, label, state
        self.revision, self.publication = revision, publication


class HistoryAdminMixin(BriefingAdminBase, SafeVersionAdminMixin):
    history_page_size = HISTORY_PAGE_SIZE

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/compare/", view(self.compare_view), name="{}_{}_compare".format(*info)),
            path(
                "<path:object_id>/revert/<int:revision_id>/",
                view(self.revert_view),
                name="{}_{}_revert".format(*info),
            ),
            path(
                "<path:object_id>/recover-sections/",
                view(self.recover_sections_view),
                name="{}_{}_recover_sections".format(*info),
            ),
        ] + super().get_urls()

    def _versions(self, briefing):
        return Version.objects.get_for_object_reference(Briefing, str(briefing.pk))

    # History.

    def history_view(self, request, object_id, extra_context=None):
        """Every revision, latest first, each with a short summary of what it changed."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        briefing = self._briefing_or_404(request, object_id)
        versions = self._versions(briefing).order_by("-pk")
        paginator = Paginator(versions.values_list("pk", flat=True), self.history_page_size)
        try:
            page = paginator.page(request.GET.get("p") or 1)
        except InvalidPage as error:
            raise Http404(f"No such history page: {error}") from error
        # One more than the page, so the page's oldest revision has its predecessor.
        offset = (page.number - 1) * paginator.per_page
        rows = list(
            versions.select_related("revision", "revision__user")[offset : offset + paginator.per_page + 1]
        )
        states = revision_states(briefing.pk, [v.revision_id for v in rows])
        published = dict(
            Publication.objects.filter(briefing=briefing, revision_id__in=[v.revision_id for v in rows])
            .order_by("number")
            .values_list("revision_id", "number")
        )
        entries = []
        shown = rows[: paginator.per_page]
        for index, version in enumerate(shown):
            newer = states.get(version.revision_id)
            older_version = rows[index + 1] if index + 1 < len(rows) else None
            older = states.get(older_version.revision_id) if older_version else None
            if newer is None:
                summary = "stored data cannot be read"
            elif older is None:
                summary = "created"
            else:
                summary = diff_states(older, newer).summary()
            entries.append(
                {
                    "number": paginator.count - offset - index,
                    "version": version,
                    "revision": version.revision,
                    "summary": summary,
                    "notes": newer["notes"] if newer else [],
                    "previous": older_version.revision_id if older_version else None,
                    "published_as": published.get(version.revision_id),
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

    def _revision_number(self, briefing, revision_id):
        return self._versions(briefing).filter(revision_id__lte=revision_id).count()

    def _side(self, request, briefing, key, *, param):
        """Resolve ``live``, ``working`` or a revision id of this briefing; 404 for anything else."""
        if key == "working":
            return Side("working", "Working copy", working_state(briefing))
        if key == "live":
            publication = briefing.publications.order_by("-number").first()
            if publication is None:
                raise Http404("This briefing has never been published: there is no live version.")
            return Side(
                "live",
                f"Live publication (v{publication.number})",
                publication_state(publication),
                publication=publication,
            )
        revision_id = bounded_int(key)
        if revision_id is None:
            raise Http404(f"'{param}' must be a revision id, 'live' or 'working'.")
        state = revision_states(briefing.pk, [revision_id]).get(revision_id)
        if state is None:
            raise Http404(f"Revision {revision_id} is not a revision of this briefing.")
        version = (
            self._versions(briefing).select_related("revision", "revision__user").get(revision_id=revision_id)
        )
        number = self._revision_number(briefing, revision_id)
        return Side(str(revision_id), f"Revision #{number}", state, revision=version.revision)

    def _default_from(self, briefing):
        if briefing.publications.exists():
            return "live"
        previous = self._versions(briefing).order_by("-pk").values_list("revision_id", flat=True)[1:2]
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

    # Revert.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """django-reversion's revert form, replaced by the diff-first revert page."""
        version = self._own_version(version_id, object_id)
        return redirect(
            f"{self.admin_site.name}:briefings_briefing_revert", quote(version.object_id), version.revision_id
        )

    def revert_view(self, request, object_id, revision_id):
        """Show what restoring a revision changes in the working copy; on POST, restore it."""
        briefing = self._briefing_or_404(request, object_id)
        if not self.has_revert_permission(request, briefing):
            raise PermissionDenied
        target = self._side(request, briefing, str(revision_id), param="revision")
        current = Side("working", "Working copy", working_state(briefing))
        if request.method == "POST":
            if not target.state["restorable"]:
                messages.error(
                    request,
                    "This revision's stored data does not fit the current models: "
                    "it can be viewed but not restored.",
                )
            elif self._restore(request, briefing, target):
                messages.success(request, f"Restored {target.label}, saved as a new revision.")
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

    def _restore(self, request, briefing, target):
        """Make the working copy equal to ``target`` as one new revision; False if it cannot be."""
        types = ContentType.objects.get_for_models(Briefing, Section, Reference)
        versions = Version.objects.filter(
            revision_id=target.revision.pk, content_type__in=[types[Section], types[Reference]]
        )
        # Only this briefing's rows: a revision may also hold partners or other objects.
        ours = [v for v in versions if stored_briefing_id(v) == str(briefing.pk)]
        when = localize(template_localtime(target.revision.date_created))
        try:
            # content_write holds the briefing row, so no edit lands between clearing
            # and restoring, and moves edit_version on: the restored row cannot wind
            # it back to a value a stale form still carries.
            with content_write(briefing.pk), reversion.create_revision():
                # Read under the lock, before the restored row brings back its old status.
                previous_status = Briefing.objects.values_list("status", flat=True).get(pk=briefing.pk)
                # Clearing first lets restored rows take back numbers and positions
                # that rows added since then hold now.
                Reference.objects.filter(briefing=briefing).delete()
                briefing.sections.all().delete()
                for version in ours:
                    version.revert()
                restored = self._versions(briefing).get(revision_id=target.revision.pk)
                restored.revert()
                slug = briefing.slug
                briefing = Briefing.objects.get(pk=briefing.pk)
                if briefing.publications.exists():
                    # A published briefing's address is fixed (see BriefingAdmin.slug_locked):
                    # restoring an older revision must not move its public page.
                    briefing.slug = slug
                self._record_restore(
                    request, briefing, previous_status, f"Restored {target.label} (saved {when})"
                )
        except RESTORE_ERRORS as error:
            messages.error(request, f"Could not restore {target.label}: {error}. Nothing was changed.")
            return False
        return True

    def _record_restore(self, request, briefing, previous_status, comment):
        """Finish a restore or recovery inside its revision: a draft again, recorded like an edit."""
        briefing.status = Briefing.Status.DRAFT
        briefing.save()
        record_sections(briefing)
        record_edit(briefing_id=briefing.pk, user=request.user, previous_status=previous_status)
        reversion.set_user(request.user)
        reversion.set_comment(comment)

    # Recover.

    def recoverlist_view(self, request, extra_context=None):
        if not request.user.has_perm("briefings.revert_briefing"):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not request.user.has_perm("briefings.revert_briefing"):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def restore_versions(self, version):
        """A deleted briefing comes back with its own sections and references.

        Not with the partners or sources its revision also holds: those are
        shared, and may have been corrected since.
        """
        types = ContentType.objects.get_for_models(Section, Reference)
        rows = Version.objects.filter(revision_id=version.revision_id, content_type__in=types.values())
        return [version] + [v for v in rows if stored_briefing_id(v) == version.object_id]

    def _deleted_sections(self, briefing):
        """The last stored version of each section of this briefing that no longer exists."""
        briefing_versions = self._versions(briefing).values("revision_id")
        deleted = (
            Version.objects.get_deleted(Section)
            .filter(revision_id__in=briefing_versions)
            .select_related("revision", "revision__user")
            .order_by("-pk")[:100]
        )
        states = revision_states(briefing.pk, {v.revision_id for v in deleted})
        sections = []
        for version in deleted:
            state = states.get(version.revision_id) or {"sections": []}
            section = next((s for s in state["sections"] if str(s["id"]) == version.object_id), None)
            if section is not None:
                sections.append({"version": version, "section": section})
        return sections

    def recover_sections_view(self, request, object_id):
        """Deleted sections of this briefing; restoring one adds a new revision."""
        briefing = self._briefing_or_404(request, object_id)
        if not self.has_revert_permission(request, briefing):
            raise PermissionDenied
        deleted = self._deleted_sections(briefing)
        if request.method == "POST":
            chosen = next((d for d in deleted if str(d["version"].pk) == request.POST.get("version")), None)
            if chosen is None:
                raise Http404("That section is not a deleted section of this briefing.")
            try:
                with content_write(briefing.pk), reversion.create_revision():
                    previous_status = Briefing.objects.values_list("status", flat=True).get(pk=briefing.pk)
                    chosen["version"].revert()
                    self._record_restore(
                        request,
                        briefing,
                        previous_status,
                        f"Recovered deleted section “{chosen['section']['heading']}”",
                    )
            except RESTORE_ERRORS as error:
                messages.error(request, f"Could not recover the section: {error}. Nothing was changed.")
            else:
                messages.success(request, f"Recovered section “{chosen['section']['heading']}”.")
                return redirect(f"{self.admin_site.name}:briefings_briefing_change", quote(briefing.pk))
        context = self._context(request, briefing, f"Deleted sections of “{briefing}”", deleted=deleted)
        return TemplateResponse(request, "admin/briefings/briefing/recover_sections.html", context)
