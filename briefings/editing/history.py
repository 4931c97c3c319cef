"""States of a briefing for comparison: a revision, the working copy, a publication.

A revision's state is read from each Version's stored JSON ``fields``, never
deserialised into model instances: a revision saved before a migration added
or removed a field must still show (read-only), where deserialising would
raise. What does not fit the current models is listed in the state's
``notes`` so the admin can say so and refuse to restore it.

Loading is batched: the states of any number of revisions cost three
queries (versions, partners, sources), so a history page stays cheap however
long the history is.
"""

import functools
import json

from django.contrib.contenttypes.models import ContentType
from reversion.models import Version

from briefings.models import Section, Briefing, Partner
from briefings.publishing.snapshot import build_snapshot, source_data
from sources.models import Reference, Source

# Fields whose stored value the state uses, and the value when a revision lacks them.
BRIEFING_FIELDS = {"title": "", "subject": "", "slug": ""}
SECTION_FIELDS = {"heading": "", "body": "", "position": 0, "partners": []}
REFERENCE_FIELDS = {"number": None, "source": None}


def _content_types():
    return ContentType.objects.get_for_models(Briefing, Section, Reference)


def stored_fields(format, serialized_data):
    """The ``fields`` dict of a Version's serialised data, or None if unreadable."""
    if format != "json":
        return None
    try:
        data = json.loads(serialized_data)
        return data[0]["fields"]
    except (ValueError, LookupError, TypeError):
        return None


def stored_briefing_id(version):
    """The briefing a stored section or reference belonged to, as a string ('' if unreadable)."""
    return str((stored_fields(version.format, version.serialized_data) or {}).get("briefing", ""))


@functools.cache
def _model_field_names(model):
    fields = {f.name for f in model._meta.concrete_fields if not f.primary_key}
    fields |= {f.name for f in model._meta.many_to_many}
    # Fields the reversion registration leaves out are never stored, so never missing.
    return fields - set(getattr(model, "UNVERSIONED_FIELDS", ()))


def _schema_notes(label, model, fields, entry):
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
        if any(not _fills_itself(model, name) for name in missing):
            entry["missing"] = True
    return notes


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


def revision_states(briefing_id, revision_ids):
    """``{revision_id: state}`` for each revision that holds this briefing."""
    revision_ids = list(revision_ids)
    if not revision_ids:
        return {}
    types = _content_types()
    kinds = {types[Briefing].pk: Briefing, types[Section].pk: Section, types[Reference].pk: Reference}
    rows = Version.objects.filter(revision_id__in=revision_ids, content_type_id__in=kinds).values(
        "revision_id", "content_type_id", "object_id", "format", "serialized_data"
    )
    raw = {
        rid: {"briefing": None, "sections": [], "references": [], "notes": [], "missing": False}
        for rid in revision_ids
    }
    partner_ids, source_ids = set(), set()
    briefing_key = str(briefing_id)
    for row in rows:
        model = kinds[row["content_type_id"]]
        entry = raw[row["revision_id"]]
        fields = stored_fields(row["format"], row["serialized_data"])
        if model is Briefing:
            if row["object_id"] != briefing_key:
                continue
            if fields is None:
                entry["notes"].append("the briefing's stored data cannot be read")
                entry["missing"] = True
                fields = {}
            entry["briefing"] = fields
            entry["notes"] += _schema_notes("The briefing", Briefing, fields, entry)
            continue
        if fields is None:
            entry["notes"].append(
                f"{model._meta.verbose_name} {row['object_id']}: stored data cannot be read"
            )
            entry["missing"] = True
            continue
        if str(fields.get("briefing")) != briefing_key:
            continue
        if model is Section:
            entry["sections"].append((row["object_id"], fields))
            entry["notes"] += _schema_notes(f"Section {row['object_id']}", Section, fields, entry)
            partners = fields.get("partners")
            if isinstance(partners, list):
                partner_ids.update(p for p in partners if isinstance(p, int))
        else:
            entry["references"].append(fields)
            entry["notes"] += _schema_notes(f"Reference {fields.get('number')}", Reference, fields, entry)
            if isinstance(fields.get("source"), int):
                source_ids.add(fields["source"])

    partners = {p.pk: {"slug": p.slug, "name": p.name} for p in Partner.objects.filter(pk__in=partner_ids)}
    sources = {s.pk: source_data(s) for s in Source.objects.filter(pk__in=source_ids)}

    states = {}
    for rid, entry in raw.items():
        if entry["briefing"] is None:
            continue
        states[rid] = _state(entry, partners, sources)
    return states


def _partner(pk, partners):
    return partners.get(pk) or {"slug": f"partner-{pk}", "name": f"Partner #{pk} (deleted)", "deleted": True}


def _source(pk, sources):
    return sources.get(pk) or {
        "id": pk,
        "title": f"Source #{pk} (deleted)",
        "publisher": "",
        "url": "",
        "deleted": True,
    }


def _position(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _state(entry, partners, sources):
    briefing = {name: entry["briefing"].get(name, default) for name, default in BRIEFING_FIELDS.items()}
    ordered = sorted(
        entry["sections"],
        key=lambda item: (_position(item[1].get("position")), int(item[0]) if item[0].isdigit() else 0),
    )
    sections = []
    for number, (object_id, fields) in enumerate(ordered):
        partner_ids = fields.get("partners") if isinstance(fields.get("partners"), list) else []
        sections.append(
            {
                "id": int(object_id) if object_id.isdigit() else object_id,
                "number": number,
                "heading": str(fields.get("heading", "")),
                "body": str(fields.get("body", "")),
                "partners": sorted((_partner(p, partners) for p in partner_ids), key=lambda p: p["name"]),
            }
        )
    references = []
    for fields in sorted(entry["references"], key=lambda f: _position(f.get("number"))):
        if fields.get("number") is None:
            continue
        references.append(
            {"number": _position(fields["number"]), "source": _source(fields.get("source"), sources)}
        )
    # Restoring would point at rows that are gone: show, but do not restore.
    gone = [p for s in sections for p in s["partners"] if p.get("deleted")]
    gone += [r["source"] for r in references if r["source"].get("deleted")]
    if gone:
        entry["missing"] = True
        entry["notes"].append(
            "refers to partners or sources deleted since: "
            + ", ".join(g["name"] if "name" in g else g["title"] for g in gone)
        )
    return {
        "briefing": briefing,
        "sections": sections,
        "references": references,
        "notes": sorted(set(entry["notes"])),
        # Stored fields the models no longer have are ignored on restore; missing ones are not.
        "restorable": not entry["missing"],
    }


def revision_state(briefing_id, revision_id):
    return revision_states(briefing_id, [revision_id]).get(revision_id)


def working_state(briefing):
    """The working copy as it is now."""
    return build_snapshot(briefing)


def publication_state(publication):
    """What readers were shown: the publication's own snapshot, never the working copy."""
    return publication.snapshot


def latest_revision(briefing):
    version = Version.objects.get_for_object(briefing).select_related("revision").first()
    return version.revision if version else None
