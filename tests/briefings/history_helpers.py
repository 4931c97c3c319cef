"""Helpers for tests that build revision histories."""

from django.db import transaction

from briefings.editing.draft import current_draft
from briefings.editing.working_copy import write
from briefings.models import Briefing, RevisionContents, Section
from sources.models import Source


class _Rollback(Exception):
    pass


def draft_after(briefing, change):
    """The working copy as ``change(briefing)`` would leave it, read and then rolled back.

    Rows ``change`` creates are rolled back too, so create sources and partners
    before calling it; sections it adds come back as new sections.
    """
    try:
        with transaction.atomic():
            if change:
                change(Briefing.objects.get(pk=briefing.pk))
            draft = current_draft(Briefing.objects.get(pk=briefing.pk))
            raise _Rollback
    except _Rollback:
        pass
    existing = set(Section.objects.filter(briefing=briefing).values_list("pk", flat=True))
    sources = set(Source.objects.filter(pk__in=[s for _, s in draft.references]).values_list("pk", flat=True))
    assert all(s in sources for _, s in draft.references), "create sources before the change"
    return draft.replace(
        sections=tuple(
            s if s.id in existing else s.__class__(None, s.heading, s.body, s.partners)
            for s in draft.sections
        )
    )


def revise(briefing, change=None, *, user=None, comment="An edit"):
    """Apply ``change(briefing)`` through the one write path, as one revision; its number."""
    write(draft=draft_after(briefing, change), briefing=briefing, user=user, comment=comment)
    return latest_revision_id(briefing)


def set_body(position, body):
    def change(briefing):
        section = briefing.sections.get(position=position)
        section.body = body
        section.save()

    return change


def latest_revision_id(briefing):
    """The reversion id of the briefing's latest revision."""
    return revision_ids(briefing)[-1]


def revision_ids(briefing):
    """The reversion ids of the briefing's revisions, oldest first."""
    return list(
        RevisionContents.objects.filter(briefing_id=briefing.pk)
        .order_by("number")
        .values_list("revision_id", flat=True)
    )


def revision_numbers(briefing):
    """The briefing's revision numbers (#1, #2 …) as History shows them, oldest first."""
    return list(
        RevisionContents.objects.filter(briefing_id=briefing.pk)
        .order_by("number")
        .values_list("number", flat=True)
    )


def section(briefing, position):
    return Section.objects.get(briefing=briefing, position=position)


def number_of(revision_id):
    """The per-briefing number (#1, #2 …) History shows for a reversion revision id."""
    return RevisionContents.objects.get(revision_id=revision_id).number
