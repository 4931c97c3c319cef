"""Recalling a source: retracted by its publisher, or discredited.

``recall_source`` marks the source (kind, reason, who, when) and raises a
RecallFlag on every briefing whose working copy or current publication cites
it, in one transaction. A flagged briefing is listed in the admin as needing
a correction and counts as having something to publish; readers see a notice
on its current page, and on the source's page, until publishing it as a
correction (``publish_briefing``) names the recalled source in the change log
and resolves the flag. ``lift_recall`` undoes a recall made in error.

Both change public pages without a publication, so both advance the published
generation: the page cache (briefings/public/cache.py) is emptied.
"""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from briefings.models import Briefing, ClaimCitation, PublishedReference, RecallFlag
from briefings.publishing import generation
from sources.models import Reference, Source


class RecallError(Exception):
    """The recall cannot be made as asked; the message says why."""


def can_recall(user):
    return user is not None and user.is_active and user.has_perm("sources.change_source")


def citing_briefings(source):
    """Briefings whose working copy's reference list or current publication cites ``source``."""
    working = Reference.objects.filter(source=source).values("briefing_id")
    published = PublishedReference.objects.filter(source=source).values("briefing_id")
    return Briefing.objects.filter(Q(pk__in=working) | Q(pk__in=published)).order_by("title", "pk")


def uses(source):
    """Everything that cites ``source``: for the admin and the recall page.

    ``briefings`` (working copies), ``publications`` (current ones, with the
    entry number each gives it) and ``claims`` (published sentences).
    """
    references = (
        Reference.objects.filter(source=source).select_related("briefing").order_by("briefing__title")
    )
    copies = PublishedReference.objects.filter(source=source).select_related("publication__briefing")
    claims = (
        ClaimCitation.objects.filter(source=source)
        .select_related("claim__section__briefing", "claim__section__publication")
        .order_by("claim__section__publication__title", "claim__section__number", "claim__ordinal")
    )
    seen = set()
    unique_claims = []
    for citation in claims.defer(
        "claim__section__publication__snapshot", "claim__section__publication__rendered_html"
    ):
        if citation.claim_id not in seen:
            seen.add(citation.claim_id)
            unique_claims.append(citation.claim)
    return {
        "references": list(references),
        "publications": list(copies.defer("publication__snapshot", "publication__rendered_html")),
        "claims": unique_claims,
    }


def recall_source(*, source, user, recall, reason):
    """Mark ``source`` recalled and flag every briefing citing it; returns the flagged briefings."""
    if not can_recall(user):
        raise RecallError("You may not recall sources.")
    if recall not in (Source.Recall.RETRACTED, Source.Recall.DISCREDITED):
        choices = ", ".join(f"“{value}”" for value in (Source.Recall.RETRACTED, Source.Recall.DISCREDITED))
        raise RecallError(f"A recall is one of {choices}, not “{recall}”.")
    reason = (reason or "").strip()
    if not reason:
        raise RecallError("A reason is required: readers are told why the source was recalled.")
    with transaction.atomic():
        locked = Source.objects.select_for_update().get(pk=source.pk)
        if locked.recall:
            state = locked.get_recall_display().lower()
            raise RecallError(f"“{locked}” is already {state}; lift that recall first to change it.")
        now = timezone.now()
        # edit_version moves on: an open source form, or a review page that read this source, is refused.
        Source.objects.filter(pk=locked.pk).update(
            recall=recall,
            recall_reason=reason,
            recalled_at=now,
            recalled_by=user,
            edit_version=F("edit_version") + 1,
        )
        briefings = list(citing_briefings(locked))
        already = set(RecallFlag.objects.open().filter(source=locked).values_list("briefing_id", flat=True))
        RecallFlag.objects.bulk_create(
            RecallFlag(briefing=b, source=locked, raised_at=now) for b in briefings if b.pk not in already
        )
        generation.advance_on_commit()
    return briefings


def lift_recall(*, source, user):
    """Undo a recall made in error: the source is no longer recalled and its open flags are closed."""
    if not can_recall(user):
        raise RecallError("You may not lift recalls.")
    with transaction.atomic():
        locked = Source.objects.select_for_update().get(pk=source.pk)
        if not locked.recall:
            raise RecallError(f"“{locked}” is not recalled.")
        Source.objects.filter(pk=locked.pk).update(
            recall=Source.Recall.NONE,
            recall_reason="",
            recalled_at=None,
            recalled_by=None,
            edit_version=F("edit_version") + 1,
        )
        RecallFlag.objects.open().filter(source=locked).update(resolved_at=timezone.now())
        generation.advance_on_commit()


def open_recalls(briefing_id):
    """The briefing's open flags, with their sources: what a correction would name."""
    return list(RecallFlag.objects.open().filter(briefing_id=briefing_id).select_related("source"))
