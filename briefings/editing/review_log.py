"""Writing review history that content changes cause.

Apart from briefings.review so that briefings.services (an import) can note
an edit without importing the review workflow, which itself publishes
through services.
"""

from briefings.models import Briefing, ReviewEvent

Status = Briefing.Status


def record_edit(*, briefing_id, user, previous_status):
    """Note that an edit put a submitted, sent-back or published briefing back to draft."""
    if previous_status == Status.DRAFT:
        return None
    return ReviewEvent.objects.create(
        briefing_id=briefing_id,
        kind=ReviewEvent.Kind.EDITED,
        user=user,
        message=f"Was {Status(previous_status).label.lower()}.",
    )
