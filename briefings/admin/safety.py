"""Keep django-reversion's revert and recover views to the object the user opened.

django-reversion's ``revision_view`` and ``recover_view`` look a Version up
by id alone (revision_view also by object id, but not by model), then revert
the Version's whole revision (``revision.revert(delete=True)``). Both are
wrong here:

- through the Partner admin, a user who may only change partners could open
  and restore a briefing's or a source's version by guessing its id;
- one revision often holds several objects: an import records the
  briefing, its sections and references together with the partners and
  placeholder sources it creates. Restoring such a source from its own
  history would roll the whole briefing back, delete sections added since
  and wind its edit lock back.

Reverting and recovering are the reviewers' (README: editors edit,
reviewers also revert and recover): they take ``briefings.revert_briefing``,
the one revert permission, for partners and sources as for briefings.
Every version page checks permissions before it looks anything up, so staff
without them get 403 whether or not the version exists.

So a version opens only through its own model's admin (and object), and
restoring it writes back that one object (``restore_versions`` says which,
for admins whose object spans several rows), as a new revision with the
user and a comment, like any admin save.
"""

from contextlib import nullcontext

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_permission_codename
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.formats import localize
from django.utils.timezone import template_localtime
from reversion import set_comment
from reversion.errors import RevertError
from reversion.models import Version
from reversion.utils import mute_signals

from config.converters import bounded_int


class _Discard(Exception):
    """Carries a rendered preview out of the transaction, which is then rolled back."""

    def __init__(self, response):
        self.response = response


REVERT_PERMISSION = "briefings.revert_briefing"


class SafeVersionAdminMixin:
    def may_revert(self, request):
        """Reviewers' right: restore or recover a version of this admin's records."""
        return request.user.has_perm(REVERT_PERMISSION) and self.has_change_permission(request)

    def history_view(self, request, object_id, extra_context=None):
        # Django looks the object up first and redirects when it is missing: a
        # 302/403 oracle for staff who may not see the history at all.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not self.may_revert(request) or not self.has_add_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def _own_version(self, version_id, object_id=None):
        """The version ``version_id`` if it is of this admin's model (and object), else 404."""
        version_id = bounded_int(str(version_id))
        if version_id is None:
            raise Http404("No such version.")
        lookup = {"pk": version_id, "content_type": ContentType.objects.get_for_model(self.model)}
        if object_id is not None:
            lookup["object_id"] = unquote(object_id)
        return get_object_or_404(Version.objects.select_related("revision"), **lookup)

    def restore_versions(self, version):
        """The stored rows that restoring ``version`` writes back: only its own object."""
        return [version]

    def _check_change_permissions(self, request, versions):
        for version in versions:
            opts = version.content_type.model_class()._meta if version.content_type.model_class() else None
            if opts is None:
                raise PermissionDenied
            if not request.user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}"):
                raise PermissionDenied

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not self.may_revert(request):
            raise PermissionDenied
        version = self._own_version(version_id, object_id)
        context = {"title": f"Revert {version.object_repr}", "revert": True, **(extra_context or {})}
        template = self.revision_form_template or self._reversion_get_template_list("revision_form.html")
        return self._restore_view(request, version, template, context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.may_revert(request) or not self.has_add_permission(request):
            raise PermissionDenied
        version = self._own_version(version_id)
        context = {"title": f"Recover {version.object_repr}", "recover": True, **(extra_context or {})}
        template = self.recover_form_template or self._reversion_get_template_list("recover_form.html")
        return self._restore_view(request, version, template, context)

    def _restore_view(self, request, version, template_name, extra_context):
        """django-reversion's revision form, writing back ``restore_versions`` instead of the revision.

        A GET shows the change form filled from the old version, inside a
        transaction that is rolled back (with signals muted, as
        django-reversion does); a POST that saves keeps it.
        """
        versions = self.restore_versions(version)
        self._check_change_permissions(request, versions)
        signals = (
            mute_signals(pre_save, post_save, pre_delete, post_delete, m2m_changed)
            if request.method == "GET"
            else nullcontext()
        )
        try:
            with transaction.atomic(using=version.db), signals:
                for each in versions:
                    _revert_keeping_unversioned(each)
                with self.create_revision(request):
                    response = self.changeform_view(
                        request, quote(version.object_id), request.path, extra_context
                    )
                    if request.method == "POST" and response.status_code == 302:
                        when = localize(template_localtime(version.revision.date_created))
                        set_comment(f"Restored {version.object_repr} as saved on {when}")
                    elif response.status_code == 200:
                        response.template_name = template_name
                        response.render()
                        raise _Discard(response)
                    else:
                        raise RevertError(f"Could not load {version.object_repr}: it was not found.")
        except (RevertError, models.ProtectedError) as error:
            messages.error(request, str(error))
            opts = self.model._meta
            return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
        except _Discard as discarded:
            return discarded.response
        return response


def _revert_keeping_unversioned(version):
    """Write ``version`` back, keeping the fields its model leaves out of revisions as they are now.

    Reverting writes the stored fields raw, and a field the revision never
    stored comes back as its default: an edit lock's count would go back to
    0, and a form opened before the restore would match it again.
    """
    model = version._model
    kept = getattr(model, "UNVERSIONED_FIELDS", ())
    current = model._base_manager.filter(pk=version.object_id).values(*kept).first() if kept else None
    version.revert()
    if current:
        model._base_manager.filter(pk=version.object_id).update(**current)


def history_protection(uses, what):
    """Lines for a delete page: each briefing whose revisions name the record, so it stays."""
    from briefings.models import Briefing

    ids = sorted({use.briefing_id for use in uses})
    titles = dict(Briefing.objects.filter(pk__in=ids).values_list("pk", "title"))
    return [
        (f"“{titles[pk]}”" if pk in titles else f"Deleted briefing #{pk} (recoverable)")
        + f" names this {what} in its revision history. Revisions must stay restorable, "
        f"so a {what} they name cannot be deleted."
        for pk in ids
    ]
