"""States of a briefing for comparison: a revision, the working copy, a publication.

A revision stores only what its write changed (a Version of the briefing and
of each changed section) and a RevisionContents row naming every section the
working copy held then, each with the revision holding its text, and the
reference list. A revision's state is put together from those.

Stored Versions are read from their JSON ``fields``, never deserialised into
model instances: a revision saved before a migration added or removed a
field must still show (read-only), where deserialising would raise. What
does not fit the current models is listed in the state's ``notes`` so the
admin can say so and refuse to restore it.

Loading is batched: the states of any number of revisions cost four queries
(contents, versions, partners, sources), so a history page stays cheap
however long the history is.
"""

import functools
import json

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from reversion.models import Version

from briefings.editing.draft import Draft, SectionDraft
from briefings.models import Briefing, Partner, RevisionContents, Section
from briefings.publishing.snapshot import build_snapshot, source_data
from sources.models import Source

# Fields whose stored value the state uses, and the value when a revision lacks them.
BRIEFING_FIELDS = {"title": "", "subject": "", "slug": ""}


def stored_fields(format, serialized_data):
    """The ``fields`` dict of a Version's serialised data, or None if unreadable."""
    if format != "json":
        return None
    try:
        data = json.loads(serialized_data)
        return data[0]["fields"]
    except (ValueError, LookupError, TypeError):
        return None


@functools.cache
def _model_field_names(model):
    fields = {f.name for f in model._meta.concrete_fields if not f.primary_key}
    fields |= {f.name for f in model._meta.many_to_many}
    # Fields the reversion registration leaves out are never stored, so never missing.
    return fields - set(getattr(model, "UNVERSIONED_FIELDS", ()))


@functools.cache
def _fills_itself(model, name):
    field = model._meta.get_field(name)
    return (
        field.many_to_many
        or field.has_default()
        or field.null
        or getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
    )


def _schema_notes(label, model, fields):
    """Notes on stored fields that do not fit ``model``, and whether restoring is still safe."""
    known = _model_field_names(model)
    stored = set(fields)
    notes = []
    unknown = sorted(stored - known)
    missing = sorted(known - stored)
    if unknown:
        notes.append(f"{label} has stored fields the model no longer has: {', '.join(unknown)}")
    if missing:
        notes.append(f"{label} lacks fields the model now has: {', '.join(missing)}")
    # A field with a default (say, one a later migration added with one) restores
    # to that default; one without would be blanked, so the revision is only shown.
    restorable = all(_fills_itself(model, name) for name in missing)
    return notes, restorable


def contents_of(briefing_id, revision_ids):
    """``{revision id: RevisionContents}`` of this briefing's revisions among ``revision_ids``."""
    rows = RevisionContents.objects.filter(briefing_id=briefing_id, revision_id__in=list(revision_ids))
    return {row.revision_id: row for row in rows}


def section_entries(contents):
    """``[(section id, revision id holding its text)]`` of one RevisionContents, in order."""
    return [
        (int(sid), int(rid) if rid is not None else contents.revision_id) for sid, rid in contents.sections
    ]


def revision_states(briefing_id, revision_ids):
    """``{revision_id: state}`` for each revision of this briefing among ``revision_ids``."""
    contents = contents_of(briefing_id, revision_ids)
    if not contents:
        return {}
    types = ContentType.objects.get_for_models(Briefing, Section)
    entries = {rid: section_entries(c) for rid, c in contents.items()}
    section_ids = {sid for pairs in entries.values() for sid, _ in pairs}
    holding = {rid for pairs in entries.values() for _, rid in pairs}
    rows = Version.objects.filter(
        Q(content_type=types[Briefing], object_id=str(briefing_id), revision_id__in=list(contents))
        | Q(
            content_type=types[Section],
            object_id__in=[str(sid) for sid in section_ids],
            revision_id__in=list(holding),
        )
    ).values_list("revision_id", "content_type_id", "object_id", "format", "serialized_data")
    stored = {}
    for revision_id, type_id, object_id, format, data in rows:
        stored[(type_id, object_id, revision_id)] = stored_fields(format, data)

    partner_ids, source_ids = set(), set()
    for (type_id, _, _), fields in stored.items():
        if type_id == types[Section].pk and fields and isinstance(fields.get("partners"), list):
            partner_ids.update(p for p in fields["partners"] if isinstance(p, int))
    for c in contents.values():
        source_ids.update(source for _, source in c.references)
    partners = {
        p.pk: {"id": p.pk, "slug": p.slug, "name": p.name} for p in Partner.objects.filter(pk__in=partner_ids)
    }
    sources = {s.pk: source_data(s) for s in Source.objects.filter(pk__in=source_ids)}

    states = {}
    for rid, c in contents.items():
        notes, restorable = [], True
        fields = stored.get((types[Briefing].pk, str(briefing_id), rid), "absent")
        if fields == "absent" or fields is None:
            notes.append("the briefing's stored data cannot be read")
            restorable, fields = False, {}
        else:
            more, ok = _schema_notes("The briefing", Briefing, fields)
            notes += more
            restorable &= ok
        sections = []
        for number, (sid, holder) in enumerate(entries[rid]):
            section_fields = stored.get((types[Section].pk, str(sid), holder))
            if section_fields is None:
                notes.append(f"section {sid}: stored data cannot be read")
                restorable = False
                continue
            more, ok = _schema_notes(f"Section {sid}", Section, section_fields)
            notes += more
            restorable &= ok
            ids = section_fields.get("partners") if isinstance(section_fields.get("partners"), list) else []
            sections.append(
                {
                    "id": sid,
                    "number": number,
                    "heading": str(section_fields.get("heading", "")),
                    "body": str(section_fields.get("body", "")),
                    "partners": sorted((_partner(p, partners) for p in ids), key=lambda p: p["name"]),
                }
            )
        references = [
            {"number": int(number), "source": _source(source, sources)} for number, source in c.references
        ]
        # Restoring would point at rows that are gone: show, but do not restore.
        gone = [p["name"] for s in sections for p in s["partners"] if p.get("deleted")]
        gone += [r["source"]["title"] for r in references if r["source"].get("deleted")]
        if gone:
            restorable = False
            notes.append("refers to partners or sources deleted since: " + ", ".join(gone))
        states[rid] = {
            "briefing": {name: fields.get(name, default) for name, default in BRIEFING_FIELDS.items()},
            "sections": sections,
            "references": references,
            "notes": sorted(set(notes)),
            "restorable": restorable,
        }
    return states


def _partner(pk, partners):
    return partners.get(pk) or {
        "id": pk,
        "slug": f"partner-{pk}",
        "name": f"Partner #{pk} (deleted)",
        "deleted": True,
    }


def _source(pk, sources):
    return sources.get(pk) or {
        "id": pk,
        "title": f"Source #{pk} (deleted)",
        "publisher": "",
        "url": "",
        "deleted": True,
    }


def revision_state(briefing_id, revision_id):
    return revision_states(briefing_id, [revision_id]).get(revision_id)


def draft_from_state(state):
    """The Draft a (restorable) state describes, for writing it back."""
    return Draft(
        title=state["briefing"]["title"],
        slug=state["briefing"]["slug"],
        subject=state["briefing"]["subject"],
        sections=tuple(
            SectionDraft(
                id=s["id"],
                heading=s["heading"],
                body=s["body"],
                partners=frozenset(p["id"] for p in s["partners"]),
            )
            for s in state["sections"]
        ),
        references=tuple((r["number"], r["source"]["id"]) for r in state["references"]),
    )


def draft_at(briefing_id, revision_id):
    """The working copy as revision ``revision_id`` recorded it, or None if it cannot be read."""
    state = revision_state(briefing_id, revision_id) if revision_id else None
    if state is None or not state["restorable"]:
        return None
    return draft_from_state(state)


# What readers see of a briefing never published: nothing. Compared with it, the whole draft reads as added.
NOTHING_PUBLISHED = {"briefing": {"title": "", "slug": "", "subject": ""}, "sections": [], "references": []}


def working_state(briefing):
    """The working copy as it is now (bodies as text: comparing needs no sentences)."""
    return build_snapshot(briefing, sentences=False)


def publication_state(publication):
    """What readers were shown: the publication's own snapshot, never the working copy."""
    return publication.snapshot


def revisions_of(briefing_id):
    """The briefing's revisions' contents, latest first, with each revision and its user."""
    return (
        RevisionContents.objects.filter(briefing_id=briefing_id)
        .select_related("revision__user")
        .order_by("-number")
    )


def latest_contents(briefing_id):
    return (
        RevisionContents.objects.filter(briefing_id=briefing_id)
        .select_related("revision")
        .order_by("-number")
        .first()
    )


def latest_revision(briefing):
    contents = latest_contents(briefing.pk)
    return contents.revision if contents else None
