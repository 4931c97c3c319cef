"""No lost update: optimistic locks on a briefing's working copy and on shared records.

``Briefing.edit_version`` counts writes to the working copy's content (title,
slug, subject, sections, references). Every write raises it by one while
holding the briefing row locked (``select_for_update``), in the same
transaction as the write (briefings/editing/working_copy.py). An admin save
carries the value it started from, and the revision it started from:

- still at that value: the save is written as it is;
- moved on: the save is merged with what was saved since, unit by unit
  (briefings/editing/merge.py), and refused only where both changed the
  same unit differently (``EditConflict``), showing theirs against yours
  for that unit and keeping the editor's text.

Review steps change ``status`` only and leave the count alone. The field is
excluded from django-reversion, so restoring an old revision cannot wind it
back to a value a stale form still carries.

Sources and partners are shared records with an ``edit_version`` of their own
(``lock_record``): two people editing one source, the second is refused.

On PostgreSQL the row lock makes a second save wait for the first to commit,
then read the new value. SQLite has no row locks; there the settings open
every transaction with BEGIN IMMEDIATE, so a save holds the database's write
lock from its first read and saves run one after another.
"""

from dataclasses import dataclass, field

from django.db import connection

from briefings.editing.history import revision_state, revisions_of, working_state
from briefings.models import Briefing, Partner
from briefings.text.compare import BriefingDiff, diff_states, diff_text
from sources.models import Source


def lock_briefing(briefing_id):
    """Lock the briefing row and return it. Must run inside the transaction that writes."""
    return Briefing.objects.select_for_update().get(pk=briefing_id)


def hold_for_reading(briefing_id):
    """Keep writers out while a form reads the briefing, so what it shows is one saved state.

    The change form reads the row (and its ``edit_version``), the sections and
    the latest revision in separate queries; a save committing between them
    would pair one revision's base with another's text, and the next save
    could overwrite a change its editor never saw. Inside the caller's
    transaction a share lock makes a save wait until the form is built
    (writers take the row with ``FOR UPDATE`` first). SQLite needs nothing:
    a transaction there reads one snapshot and writers are serialised anyway.

    Returns whether it took the lock (a row read before it may be stale then).
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Briefing._meta.db_table)
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR SHARE", [briefing_id])  # noqa: S608 (a model's table)
    return True


class StaleRecord(Exception):
    """A shared record (a source, a partner) was saved since the form was opened."""

    def __init__(self, current, base):
        super().__init__(
            f"{current._meta.verbose_name} {current.pk} is at edit version {current.edit_version}"
        )
        self.current = current
        self.base = base


def lock_record(model, pk, *, base):
    """Lock a source or partner row; refuse unless its ``edit_version`` is still ``base``."""
    current = model.objects.select_for_update().get(pk=pk)
    if base is None or current.edit_version != base:
        raise StaleRecord(current, base)
    return current


@dataclass
class EditConflict(Exception):
    """A save that cannot be merged without the editor's decision.

    ``conflicts`` are the units both sides changed differently
    (merge.UnitConflict); empty with ``unknown_base`` when the revision the
    editor started from cannot be read, so nothing can be merged.
    """

    current: Briefing
    base_revision_id: int | None
    latest_revision_id: int | None
    conflicts: list = field(default_factory=list)
    unknown_base: bool = False

    def __str__(self):
        return f"edit conflict on briefing {self.current.pk}: {len(self.conflicts)} units"


@dataclass
class ConflictReport:
    """What the editor is shown: who saved since, what they changed, and each conflicting part.

    ``parts`` has, for each conflict, its label and what is saved now
    ("theirs") against what the editor typed ("yours"), as texts and as a
    word diff from theirs to yours.
    """

    current: Briefing
    revisions: list
    diff: BriefingDiff | None
    conflicts: list
    parts: list = field(default_factory=list)


def _as_text(unit, value, names):
    """A unit's value as the text the editor sees: a section's heading and body, a source's title."""
    if value is None:
        return "(deleted)" if unit.kind == "section" else "(none)"
    if unit.kind == "section":
        heading, body, partners = value
        who = ", ".join(sorted(names["partner"].get(p, f"#{p}") for p in partners))
        return f"{heading}\n{body}" + (f"\nPartners: {who}" if who else "")
    if unit.kind == "reference":
        return names["source"].get(value, f"Source #{value}")
    if unit.kind == "order":
        return "a different order"
    return str(value)


def _parts(conflicts):
    partner_ids, source_ids = set(), set()
    for c in conflicts:
        for value in (c.theirs, c.mine):
            if c.unit.kind == "section" and value is not None:
                partner_ids |= set(value[2])
            if c.unit.kind == "reference" and value is not None:
                source_ids.add(value)
    names = {
        "partner": dict(Partner.objects.filter(pk__in=partner_ids).values_list("pk", "name")),
        "source": dict(Source.objects.filter(pk__in=source_ids).values_list("pk", "title")),
    }
    parts = []
    for c in conflicts:
        theirs, mine = _as_text(c.unit, c.theirs, names), _as_text(c.unit, c.mine, names)
        parts.append({"label": c.label, "theirs": theirs, "mine": mine, "diff": diff_text(theirs, mine)})
    return parts


def conflict_report(conflict: EditConflict):
    """Who saved since the editor's base revision, and what differs from it."""
    since = revisions_of(conflict.current.pk)
    if conflict.base_revision_id and not conflict.unknown_base:
        since = since.filter(revision_id__gt=conflict.base_revision_id)
    revisions = [contents.revision for contents in since[:20]]
    diff = None
    if not conflict.unknown_base:
        base = revision_state(conflict.current.pk, conflict.base_revision_id)
        if base is not None:
            diff = diff_states(base, working_state(conflict.current))
    return ConflictReport(
        current=conflict.current,
        revisions=revisions,
        diff=diff,
        conflicts=conflict.conflicts,
        parts=_parts(conflict.conflicts),
    )
