"""What every extra page of the briefing admin shares: the briefing from the URL, and the context.

ReviewAdminMixin and HistoryAdminMixin both extend this, so there is one
``_context`` and the links a page shows (restore, deleted sections) follow
the same permissions whichever mixin's view draws it.
"""

from django.contrib.admin.utils import unquote
from django.http import Http404


class BriefingAdminBase:
    def has_revert_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and request.user.has_perm("briefings.revert_briefing")

    def _briefing_or_404(self, request, object_id):
        briefing = self.get_object(request, unquote(object_id))
        if briefing is None:
            raise Http404("No such briefing.")
        return briefing

    def _context(self, request, briefing, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": briefing,
            "object": briefing,
            "title": title,
            "has_revert_permission": self.has_revert_permission(request, briefing),
            **extra,
        }
