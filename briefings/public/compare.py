"""The public comparison of two publications of a briefing.

Reads only Publication snapshots (what readers were shown), never the
working copy or revisions, and is cached like every other public page:
two publications never change, so neither does their difference.
"""

from django.shortcuts import get_object_or_404

from briefings.editing.history import publication_state
from briefings.models import Publication
from briefings.public.views import published
from briefings.text.compare import diff_states


def publication_compare(request, slug, a, b):
    publications = {
        p.number: p
        for p in Publication.objects.select_related("briefing").filter(briefing__slug=slug, number__in=[a, b])
    }
    old = publications.get(a) or get_object_or_404(Publication, briefing__slug=slug, number=a)
    new = publications.get(b) or get_object_or_404(Publication, briefing__slug=slug, number=b)
    context = {
        "briefing": new.briefing,
        "old": old,
        "new": new,
        "diff": diff_states(publication_state(old), publication_state(new)),
        "mode": "side" if request.GET.get("view") == "side" else "inline",
        "old_label": f"Version {old.number}",
        "new_label": f"Version {new.number}",
    }
    return published(
        request,
        "briefings/publication_compare.html",
        context,
        etag=f"cmp-{old.pk}-{new.pk}-{context['mode']}",
        last_modified=max(old.published_at, new.published_at),
    )
