"""No lost update: an optimistic lock on a briefing's working copy.

``Briefing.edit_version`` counts writes to the working copy's content
(title, slug, subject, sections, references). Every such write raises it by
one while holding the briefing row locked (``select_for_update``), in the same
transaction as the write:

- an admin save carries the value it started from in a hidden field and is
  refused if the row has moved on (``lock_briefing`` with ``base``);
- an import, and a revert or recovery, raise it unconditionally;
- review steps (submit, request changes, approve and publish) change
  ``status`` only and leave it alone: a form opened before a review step
  still saves, and the save resets the review state (see briefings.review).

The field is excluded from django-reversion so that restoring an old
revision cannot wind it back to a value a stale form still carries; a revert
must therefore be wrapped in ``content_write`` (the admin's revision and
recover views are).

On PostgreSQL the row lock makes a second save wait for the first to commit,
then read the new value and be refused. SQLite has no row locks; there the
settings open every transaction with BEGIN IMMEDIATE, so a save holds the
database's write lock from its first read and saves run one after another.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from reversion.models import Version

from briefings.editing.history import revision_state, working_state
from briefings.models import Briefing
from briefings.text.compare import BriefingDiff, diff_states


class StaleEdit(Exception):
    """The working copy changed since the edit started; ``current`` is the locked row."""

    def __init__(self, current, base):
        super().__init__(f"briefing {current.pk} is at edit version {current.edit_version}, not {base}")
        self.current = current
        self.base = base


def lock_briefing(briefing_id, *, base=None):
    """Lock the briefing row and return it; with ``base``, refuse unless it is still at ``base``.

    Must run inside the transaction that makes the write, which then stores
    ``edit_version + 1``.
    """
    current = Briefing.objects.select_for_update().get(pk=briefing_id)
    if base is not None and current.edit_version != base:
        raise StaleEdit(current, base)
    return current


@contextmanager
def content_write(briefing_id):
    """Wrap a write that does not go through a form (a revert, a recovery).

    The count is read before the write and stored after it, so a restore
    that writes an old row back cannot lower it. Yields the new count.
    """
    with transaction.atomic():
        after = lock_briefing(briefing_id).edit_version + 1
        yield after
        Briefing.objects.filter(pk=briefing_id).update(edit_version=after)


# What changed: the same citation-aware diff the compare pages use.


@dataclass
class Conflict:
    """Why a save was refused: the revisions since, and what they changed (None if unknown)."""

    current: Briefing
    revisions: list
    diff: BriefingDiff | None


def briefing_versions(briefing_id):
    return Version.objects.get_for_object_reference(Briefing, briefing_id)


def conflict_report(current, *, base_revision_id):
    """Who saved since ``base_revision_id`` and what differs from it, for a refused save."""
    versions = briefing_versions(current.pk)
    known = bool(base_revision_id) and versions.filter(revision_id=base_revision_id).exists()
    since = versions.order_by("-revision_id").select_related("revision__user")
    if known:
        since = since.filter(revision_id__gt=base_revision_id)
    revisions = [version.revision for version in since[:20]]
    diff = (
        diff_states(revision_state(current.pk, base_revision_id), working_state(current)) if known else None
    )
    return Conflict(current=current, revisions=revisions, diff=diff)
