"""The public comparison of two publications of a briefing.

Reads only Publication snapshots (what readers were shown), never the
working copy or revisions, and is cached like every other public page:
two publications never change, so neither does their difference.
"""

from django.shortcuts import get_object_or_404

from briefings.editing.history import publication_state
from briefings.models import Publication
from briefings.public.views import gone, published, withdrawal_of
from briefings.text.compare import diff_states


def publication_compare(request, slug, a, b):
    publications = {
        p.number: p
        for p in Publication.objects.select_related("briefing", "withdrawal").filter(
            briefing__slug=slug, number__in=[a, b]
        )
    }
    old = publications.get(a) or get_object_or_404(Publication, briefing__slug=slug, number=a)
    new = publications.get(b) or get_object_or_404(Publication, briefing__slug=slug, number=b)
    withdrawn = [w for w in (withdrawal_of(old), withdrawal_of(new)) if w is not None]
    if withdrawn:
        # A withdrawn publication's text is not shown, not even as a difference.
        current = Publication.objects.current().filter(briefing_id=new.briefing_id).first()
        return gone(request, new.briefing, withdrawn=withdrawn, current=current)
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
