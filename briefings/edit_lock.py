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

import difflib
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from reversion.models import Revision, Version

from sources.models import Reference, Source

from .models import Assessment, Briefing, Partner


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


# What changed: a plain word diff of the fields and sections that differ.


@dataclass
class FieldDiff:
    label: str
    tokens: list = field(default_factory=list)  # [(op, text)], op in "=", "-", "+"


@dataclass
class Conflict:
    """Why a save was refused: the revisions since, and what they changed."""

    current: Briefing
    revisions: list
    changes: list
    base_known: bool


TOKEN_RE = re.compile(r"\[\d+\]|\w+|[^\w\s]|\s+")


def word_diff(old, new):
    """``old`` → ``new`` as (op, text) runs; citation markers are single tokens."""
    a, b = TOKEN_RE.findall(old or ""), TOKEN_RE.findall(new or "")
    tokens = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            tokens.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            tokens.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            tokens.append(("+", "".join(b[j1:j2])))
    return tokens


def working_state(briefing):
    """The content an editor sees in the form, read from the database now."""
    sections = {}
    for section in Assessment.objects.filter(briefing=briefing).prefetch_related("partners"):
        sections[section.pk] = {
            "position": section.position,
            "heading": section.heading,
            "body": section.body,
            "partners": sorted(p.name for p in section.partners.all()),
        }
    references = {
        ref.number: ref.source.title
        for ref in Reference.objects.filter(briefing=briefing).select_related("source")
    }
    return {
        "title": briefing.title,
        "slug": briefing.slug,
        "subject": briefing.subject,
        "sections": sections,
        "references": references,
    }


def revision_state(revision, briefing_id):
    """The same shape as ``working_state``, from a stored revision.

    Reads the serialized JSON directly so a revision stored before a later
    migration still reads; absent fields read as empty.
    """
    types = ContentType.objects.get_for_models(Briefing, Assessment, Reference)
    state = {"title": "", "slug": "", "subject": "", "sections": {}, "references": {}}
    partner_ids, source_ids, rows = set(), set(), []
    for version in Version.objects.filter(revision=revision, content_type__in=types.values()):
        try:
            fields = json.loads(version.serialized_data)[0]["fields"]
        except (ValueError, LookupError, TypeError):
            continue
        rows.append((version, fields))
        if version.content_type_id == types[Assessment].pk and fields.get("briefing") == briefing_id:
            partner_ids.update(fields.get("partners") or [])
        if version.content_type_id == types[Reference].pk and fields.get("briefing") == briefing_id:
            source_ids.add(fields.get("source"))
    partners = dict(Partner.objects.filter(pk__in=partner_ids).values_list("pk", "name"))
    sources = dict(Source.objects.filter(pk__in=source_ids).values_list("pk", "title"))
    for version, fields in rows:
        if version.content_type_id == types[Briefing].pk and version.object_id == str(briefing_id):
            state.update({key: fields.get(key, "") for key in ("title", "slug", "subject")})
        elif fields.get("briefing") != briefing_id:
            continue
        elif version.content_type_id == types[Assessment].pk:
            state["sections"][int(version.object_id)] = {
                "position": fields.get("position", 0),
                "heading": fields.get("heading", ""),
                "body": fields.get("body", ""),
                "partners": sorted(partners.get(pk, f"partner {pk}") for pk in fields.get("partners") or []),
            }
        elif version.content_type_id == types[Reference].pk:
            source = fields.get("source")
            state["references"][fields.get("number")] = sources.get(source, f"source {source}")
    return state


def state_changes(old, new):
    """The fields, sections and references that differ between two states."""
    changes = []
    for key, label in (("title", "Title"), ("slug", "Slug"), ("subject", "Subject")):
        if old[key] != new[key]:
            changes.append(FieldDiff(label, word_diff(old[key], new[key])))
    order = sorted(
        set(old["sections"]) | set(new["sections"]),
        key=lambda pk: (new["sections"].get(pk) or old["sections"][pk])["position"],
    )
    empty = {"heading": "", "body": "", "partners": [], "position": 0}
    for pk in order:
        before, after = old["sections"].get(pk), new["sections"].get(pk)
        name = (after or before)["heading"]
        if before is None:
            changes.append(FieldDiff(f"Section “{name}” added", word_diff("", after["body"])))
            continue
        if after is None:
            changes.append(FieldDiff(f"Section “{name}” deleted", word_diff(before["body"], "")))
            continue
        before, after = {**empty, **before}, {**empty, **after}
        if before["heading"] != after["heading"]:
            changes.append(
                FieldDiff(f"Section heading “{name}”", word_diff(before["heading"], after["heading"]))
            )
        if before["body"] != after["body"]:
            changes.append(FieldDiff(f"Section “{name}”: body", word_diff(before["body"], after["body"])))
        if before["partners"] != after["partners"]:
            changes.append(
                FieldDiff(
                    f"Section “{name}”: partners",
                    word_diff(", ".join(before["partners"]), ", ".join(after["partners"])),
                )
            )
        if before["position"] != after["position"]:
            changes.append(
                FieldDiff(
                    f"Section “{name}”: moved", word_diff(str(before["position"]), str(after["position"]))
                )
            )
    for number in sorted(set(old["references"]) | set(new["references"])):
        before, after = old["references"].get(number, ""), new["references"].get(number, "")
        if before != after:
            changes.append(FieldDiff(f"Reference [{number}]", word_diff(before, after)))
    return changes


def briefing_versions(briefing_id):
    return Version.objects.get_for_object_reference(Briefing, briefing_id)


def latest_revision_id(briefing_id):
    return (
        briefing_versions(briefing_id).order_by("-revision_id").values_list("revision_id", flat=True).first()
    )


def conflict_report(current, *, base_revision_id):
    """Who saved since ``base_revision_id`` and what differs from it, for a refused save."""
    versions = briefing_versions(current.pk)
    base = None
    if base_revision_id and versions.filter(revision_id=base_revision_id).exists():
        base = Revision.objects.get(pk=base_revision_id)
    since = versions.order_by("-revision_id").select_related("revision__user")
    if base is not None:
        since = since.filter(revision_id__gt=base.pk)
    revisions = [version.revision for version in since[:20]]
    changes = state_changes(revision_state(base, current.pk), working_state(current)) if base else []
    return Conflict(current=current, revisions=revisions, changes=changes, base_known=base is not None)
