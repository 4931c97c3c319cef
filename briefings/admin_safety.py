"""Keep django-reversion's revert and recover views to the admin's own model.

django-reversion's ``revision_view`` and ``recover_view`` look a Version up
by id alone (revision_view also by object id, but not by model), then revert
the Version's whole revision. Through the Partner admin, a user who may only
change partners could therefore open and restore a briefing's or a source's
version by guessing its id. Every VersionAdmin in the project mixes this in.
"""

from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from reversion.models import Version

from config.converters import bounded_int


class SafeVersionAdminMixin:
    def _own_version(self, version_id, object_id=None):
        """The version ``version_id`` if it is of this admin's model (and object), else 404."""
        version_id = bounded_int(str(version_id))
        if version_id is None:
            raise Http404("No such version.")
        lookup = {"pk": version_id, "content_type": ContentType.objects.get_for_model(self.model)}
        if object_id is not None:
            lookup["object_id"] = unquote(object_id)
        return get_object_or_404(Version.objects.select_related("revision"), **lookup)

    def _check_revision_permissions(self, request, version):
        """Restoring reverts the whole revision: the user must be able to change all it holds."""
        content_types = ContentType.objects.filter(
            pk__in=Version.objects.filter(revision_id=version.revision_id).values("content_type_id")
        )
        for content_type in content_types:
            opts = content_type.model_class()._meta if content_type.model_class() else None
            if opts is None:
                raise PermissionDenied
            if not request.user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}"):
                raise PermissionDenied

    def revision_view(self, request, object_id, version_id, extra_context=None):
        version = self._own_version(version_id, object_id)
        self._check_revision_permissions(request, version)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        version = self._own_version(version_id)
        self._check_revision_permissions(request, version)
        return super().recover_view(request, version_id, extra_context)
