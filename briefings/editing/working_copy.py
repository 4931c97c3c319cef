"""The one way into a working copy: ``write(draft)``.

An admin save, an import, a restore and a recovery each say what the working
copy should hold (a ``Draft``) and hand it to ``write``, which, in one
transaction:

1. locks the briefing row (briefings/editing/lock.py);
2. if the editor started from an older working copy, merges their draft with
   what was saved since, section by section (briefings/editing/merge.py), or
   raises ``EditConflict`` where both changed the same part;
3. writes nothing at all when the draft equals what is stored: no revision,
   no review-state change;
4. otherwise writes only the difference with bulk queries, raises
   ``edit_version``, and records one django-reversion revision with the user
   and comment, holding the briefing and the sections that changed, plus a
   RevisionContents row for the rest (so a one-sentence edit stores one
   section, not the whole briefing);
5. puts a submitted, sent-back or published briefing back to draft with an
   "edited" ReviewEvent that links the revision.

The number of queries does not depend on the number of sections.
"""

from dataclasses import dataclass, field

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils.text import slugify

from briefings.editing.draft import Draft, SectionDraft, current_draft
from briefings.editing.history import draft_at, latest_contents, section_entries
from briefings.editing.lock import EditConflict, lock_briefing
from briefings.editing.merge import merge
from briefings.models import (
    Briefing,
    Partner,
    PartnerInHistory,
    ReviewEvent,
    RevisionContents,
    Section,
    SourceInHistory,
)
from briefings.text.parsing import FormatError, Issue, ParsedDocument
from sources.models import Reference, Source, normalise_url

Kind = RevisionContents.Kind
Status = Briefing.Status

PLACEHOLDER_TITLE = "Source [{number}] of “{slug}” — details needed"


@dataclass
class WriteResult:
    briefing: Briefing
    changed: bool
    created: bool = False
    revision: object = None
    # Parts of the working copy a colleague changed since the editor's base, kept by the merge.
    merged: list[str] = field(default_factory=list)


class DraftInvalid(ValidationError):
    """A draft the models refuse; ``where`` names the part ("the briefing", "section 2")."""

    def __init__(self, where, error, index=None):
        details = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items())
        super().__init__(f"{where} cannot be stored ({details})")
        self.where = where
        self.index = index
        self.details = details


def write(
    *,
    draft: Draft,
    user,
    comment,
    kind=Kind.EDITED,
    briefing: Briefing | None = None,
    base_edit_version=None,
    base_revision_id=None,
    resolved=frozenset(),
    resolved_at=None,
    new_pk=None,
    also=(),
):
    """Make the working copy of ``briefing`` (a new one if None or unsaved) equal to ``draft``.

    ``base_edit_version``/``base_revision_id`` are what an editor's form started
    from: if the briefing has moved on, the draft is merged (see the module
    docstring). ``resolved`` names conflicting units the editor has seen and
    overrides knowingly; it counts only while the latest revision is still
    ``resolved_at``. ``also`` are other rows the same operation created (an
    import's partners and placeholder sources), recorded in the same revision.
    Raises EditConflict or DraftInvalid; writes nothing then.
    """
    with transaction.atomic():
        created = briefing is None or briefing.pk is None
        if created:
            locked = briefing or Briefing()
            if new_pk is not None:
                locked.pk = new_pk
            current = Draft(title="", slug="", subject="", sections=())
            # A recovered briefing keeps its id, and its revision numbers go on from its history.
            latest = latest_contents(new_pk) if new_pk is not None else None
        else:
            locked = lock_briefing(briefing.pk)
            current = current_draft(locked)
            latest = latest_contents(locked.pk)
        merged = []
        base_revision = None
        if not created and base_edit_version is not None and locked.edit_version != base_edit_version:
            base_revision = base_revision_id
            base = draft_at(locked.pk, base_revision_id)
            latest_id = latest.revision_id if latest else None
            if base is None:
                raise EditConflict(locked, base_revision_id, latest_id, unknown_base=True)
            seen = resolved if resolved_at is not None and resolved_at == latest_id else frozenset()
            result = merge(base, current, draft, resolved=seen)
            if result.conflicts:
                raise EditConflict(locked, base_revision_id, latest_id, conflicts=result.conflicts)
            draft, merged = result.draft, result.taken_from_theirs
        if not created and draft == current and latest is not None:
            return WriteResult(briefing=locked, changed=False)

        previous_status = locked.status
        with reversion.create_revision(manage_manually=True):
            order, changed_sections = _apply(locked, current, draft, created=created)
            number = 1 if latest is None else latest.number + 1
            reversion.add_to_revision(locked)
            for row in (*changed_sections, *also):
                reversion.add_to_revision(row)
            # Unchanged sections point at the revision that already holds their text.
            held = dict(section_entries(latest)) if latest else {}
            changed_ids = {s.pk for s in changed_sections}
            reversion.add_meta(
                RevisionContents,
                briefing_id=locked.pk,
                number=number,
                kind=Kind.CREATED if created and kind == Kind.EDITED else kind,
                sections=[[pk, None if pk in changed_ids else held.get(pk)] for pk in order],
                references=[list(pair) for pair in draft.references],
                base_revision_id=base_revision,
            )
            reversion.set_user(user)
            reversion.set_comment(comment or "")
        contents = RevisionContents.objects.select_related("revision").get(
            briefing_id=locked.pk, number=number
        )
        _protect_history(locked.pk, draft)
        if previous_status != Status.DRAFT and not created:
            ReviewEvent.objects.create(
                briefing_id=locked.pk,
                kind=ReviewEvent.Kind.EDITED,
                user=user,
                message=f"Was {Status(previous_status).label.lower()}.",
                revision=contents.revision,
            )
    if briefing is not None and briefing is not locked:
        # The caller's instance (an admin form's) reflects what was written.
        for name in ("pk", "title", "slug", "subject", "status", "edit_version"):
            setattr(briefing, name, getattr(locked, name))
    return WriteResult(
        briefing=locked, changed=True, created=created, revision=contents.revision, merged=merged
    )


def _apply(briefing, current, draft, *, created):
    """Write the difference between ``current`` and ``draft``.

    Returns the section ids in order, and the Section rows whose content
    (heading, body, partners) the write changed or created.
    """
    briefing.title, briefing.slug, briefing.subject = draft.title, draft.slug, draft.subject
    briefing.status = Status.DRAFT
    briefing.edit_version += 1
    try:
        briefing.full_clean(exclude=["status"], validate_unique=False)
    except ValidationError as error:
        raise DraftInvalid("the briefing", error) from error
    if Briefing.objects.filter(slug=briefing.slug).exclude(pk=briefing.pk).exists():
        raise DraftInvalid(
            "the briefing",
            ValidationError({"slug": [f"“{briefing.slug}” is the address of another briefing."]}),
        )
    briefing.save(force_insert=created)

    before = {s.id: s for s in current.sections}
    existing = {s.pk: s for s in briefing.sections.all()} if not created else {}
    keep, create, update, content_changed = [], [], [], []
    for position, wanted in enumerate(draft.sections):
        row = existing.get(wanted.id)
        if row is None:
            row = Section(briefing=briefing, position=position, heading=wanted.heading, body=wanted.body)
            if wanted.id is not None:
                row.pk = wanted.id  # a recovered section keeps its id, so its history follows it
            create.append((row, wanted))
        else:
            was = before[wanted.id]
            if was.content != wanted.content or row.position != position:
                row.position, row.heading, row.body = position, wanted.heading, wanted.body
                update.append(row)
            if was.content != wanted.content:
                content_changed.append((row, wanted))
        keep.append(row)
        try:
            row.full_clean(exclude=["briefing"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            label = "the executive summary" if position == 0 else f"section {position}"
            raise DraftInvalid(label, error, index=position) from error
    gone = set(existing) - {wanted.id for wanted in draft.sections}
    if gone:
        Section.objects.filter(pk__in=gone).delete()
    if update:
        Section.objects.bulk_update(update, ["position", "heading", "body"])
    if create:
        with_pk = [row for row, _ in create if row.pk is not None]
        without = [row for row, _ in create if row.pk is None]
        Section.objects.bulk_create(with_pk)
        Section.objects.bulk_create(without)

    # Partners of new sections and of sections whose partners changed.
    Through = Section.partners.through
    partner_rows = [(row, wanted) for row, wanted in create]
    partner_rows += [
        (row, wanted) for row, wanted in content_changed if before[wanted.id].partners != wanted.partners
    ]
    if partner_rows:
        Through.objects.filter(section_id__in=[row.pk for row, _ in partner_rows]).delete()
        Through.objects.bulk_create(
            Through(section_id=row.pk, partner_id=partner)
            for row, wanted in partner_rows
            for partner in wanted.partners
        )

    # The reference list, by number.
    have, want = current.reference_map, draft.reference_map
    removed = [n for n in have if n not in want]
    if removed:
        Reference.objects.filter(briefing=briefing, number__in=removed).delete()
    repointed = [n for n in want if n in have and have[n] != want[n]]
    if repointed:
        rows = list(Reference.objects.filter(briefing=briefing, number__in=repointed))
        for row in rows:
            row.source_id = want[row.number]
        Reference.objects.bulk_update(rows, ["source"])
    added = [n for n in want if n not in have]
    if added:
        Reference.objects.bulk_create(
            Reference(briefing=briefing, number=n, source_id=want[n]) for n in added
        )

    changed = [row for row, _ in create] + [row for row, _ in content_changed]
    # Serialising a section reads its partners: one query for all of them.
    prefetch_related_objects(changed, "partners")
    return [row.pk for row in keep], changed


def _protect_history(briefing_id, draft):
    """Sources and partners this revision names can no longer be deleted (see SourceInHistory)."""
    SourceInHistory.objects.bulk_create(
        [SourceInHistory(briefing_id=briefing_id, source_id=source) for _, source in draft.references],
        ignore_conflicts=True,
    )
    partners = {p for s in draft.sections for p in s.partners}
    PartnerInHistory.objects.bulk_create(
        [PartnerInHistory(briefing_id=briefing_id, partner_id=p) for p in partners], ignore_conflicts=True
    )


def record_as_is(briefing, *, user, comment="Recorded as found"):
    """Record a working copy that was written without a revision (bulk-loaded data) as one."""
    return write(draft=current_draft(briefing), briefing=briefing, user=user, comment=comment)


# Imports: a parsed document as a draft of the briefing with that slug.


@dataclass
class ImportResult:
    briefing: Briefing
    created: bool
    changed: bool
    dry_run: bool
    sections: int = 0
    references_created: int = 0
    # Entries of the file's References block that named a source already in the database.
    sources_reused: int = 0
    claims: int = 0
    citations: int = 0
    partners: list[str] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    revision: object = None


class ImportRefused(Exception):
    """Importing would overwrite later work; the message says which revision."""


class _DryRun(Exception):
    pass


def partner_for_name(name):
    """``(partner, created)``: the partner called ``name`` (any case), created if it does not exist."""
    partner = Partner.objects.filter(name__iexact=name).first()
    if partner:
        return partner, False
    base = slugify(name)[:190] or "partner"
    slug, n = base, 2
    while Partner.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    partner = Partner(name=name, slug=slug)
    # SQLite does not enforce max_length; validate so both databases refuse alike.
    partner.full_clean(validate_unique=False)
    partner.save()
    return partner, True


# Source fields as the References block names them.
FIELD_LABELS = {"published_on": "date", "details_pending": "details pending"}


def _listed_sources(entries, have):
    """The sources a References block names: ``(number → source id, new sources, reused, warnings)``.

    An entry with a URL reuses the source with that URL (compared normalised);
    one without reuses the source its number already points to if that has
    the same title and no URL. Otherwise a new source is created. A shared
    source is never changed by an import: differing details are a warning.
    Raises FormatError naming the entry's line for a kind or a detail the
    Source model refuses.
    """
    kinds = Source.Kind.values
    for entry in entries:
        if entry.kind and entry.kind not in kinds:
            raise FormatError(
                entry.line,
                f"reference [{entry.number}]: kind {entry.kind!r} is not one of {', '.join(kinds)}",
            )
    by_url = Source.objects.by_normalised_url([entry.url for entry in entries if entry.url])
    own = Source.objects.in_bulk(set(have.values()))
    listed, created, warnings, reused = {}, [], [], 0
    first_entry = {}  # source id → the first entry of this file that named it
    for entry in entries:
        details = {
            "title": entry.title,
            "publisher": entry.publisher,
            "url": entry.url,
            "published_on": entry.published_on,
            "kind": entry.kind or Source.Kind.OTHER,
            "details_pending": entry.details_pending,
        }
        # An entry without a "grade X" field says nothing about the grade: only a stated one is compared.
        if entry.grade:
            details["grade"] = entry.grade
        if entry.url:
            source = by_url.get(normalise_url(entry.url))
        else:
            source = own.get(have.get(entry.number))
            if source is not None and (source.url or source.title != entry.title):
                source = None
        if source is None:
            source = Source(**details)
            try:
                source.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                raise FormatError(
                    entry.line, f"reference [{entry.number}]: {DraftInvalid('it', error).details}"
                ) from error
            source.save()
            created.append(source)
            if entry.url:
                by_url[normalise_url(entry.url)] = source
        else:
            earlier = first_entry.get(source.pk)
            if earlier is None:
                reused += 1
            differs = [
                FIELD_LABELS.get(name, name)
                for name, value in details.items()
                if name != "url" and getattr(source, name) != value
            ]
            if differs:
                if earlier is not None:
                    what = (
                        f"has the URL of reference [{earlier.number}] (line {earlier.line}), "
                        "so cites that source"
                    )
                elif entry.url:
                    what = f"is the existing source “{source.title}” (same URL)"
                else:
                    what = f"is the existing source “{source.title}”"
                warnings.append(
                    Issue(
                        f"reference [{entry.number}] {what}; its {', '.join(differs)} in the file differ "
                        "and were not applied" + ("" if earlier else ": edit the source in the admin"),
                        entry.line,
                    )
                )
        first_entry.setdefault(source.pk, entry)
        listed[entry.number] = source.pk
    return listed, created, reused, warnings


def _overwrites(briefing):
    """The latest revision, if it is not an import: importing over it would lose that work."""
    latest = latest_contents(briefing.pk)
    if latest is None or latest.kind == Kind.IMPORTED:
        return None
    return latest


def import_briefing(
    *, document: ParsedDocument, slug=None, subject=None, user=None, dry_run=False, force=False
):
    """Create or update a briefing's working copy from a parsed document, as one revision.

    Re-importing an existing slug updates that briefing in place: sections are
    matched by position, partners and sources reused, nothing is duplicated,
    and a file that changes nothing writes nothing. If the working copy was
    last written by something other than an import (an admin save, a
    restore), importing would overwrite that work: refused (ImportRefused,
    naming the revision) unless ``force``. With ``dry_run`` everything is
    rolled back.
    """
    slug = slug or slugify(document.title)[:200]
    result = None
    try:
        with transaction.atomic():
            briefing = Briefing.objects.select_for_update().filter(slug=slug).first()
            created = briefing is None
            if not created and not force and (overwritten := _overwrites(briefing)):
                who = (
                    overwritten.revision.user.get_username()
                    if overwritten.revision.user
                    else "an unknown user"
                )
                when = overwritten.revision.date_created.strftime("%Y-%m-%d %H:%M")
                raise ImportRefused(
                    f"/briefings/{slug}/ was changed after its last import: revision #{overwritten.number} "
                    f"({overwritten.get_kind_display().lower()} by {who}, {when}"
                    + (f", “{overwritten.revision.comment}”" if overwritten.revision.comment else "")
                    + "). Importing would overwrite it; export the briefing first, or pass --force."
                )
            existing = (
                []
                if created
                else list(briefing.sections.order_by("position", "pk").values_list("pk", flat=True))
            )
            partners = []
            sections = []
            created_rows = []  # recorded in the import's revision
            for index, parsed in enumerate(document.sections):
                partner_ids = frozenset()
                if parsed.partner_name:
                    try:
                        partner, new = partner_for_name(parsed.partner_name)
                    except ValidationError as error:
                        raise FormatError(
                            parsed.line, DraftInvalid(f"section {parsed.number}", error).message
                        ) from error
                    partners.append(partner.name)
                    partner_ids = frozenset([partner.pk])
                    if new:
                        created_rows.append(partner)
                sections.append(
                    SectionDraft(
                        id=existing[index] if index < len(existing) else None,
                        heading=parsed.heading,
                        body=parsed.body.text,
                        partners=partner_ids,
                    )
                )
            have = (
                {}
                if created
                else dict(Reference.objects.filter(briefing=briefing).values_list("number", "source_id"))
            )
            references = dict(have)
            warnings = list(document.warnings)
            reused = 0
            if document.references is not None:
                listed, new_sources, reused, notes = _listed_sources(document.references, have)
                references.update(listed)
                created_rows += new_sources
                warnings += notes
            missing = [n for n in document.reference_numbers if n not in references]
            if missing and document.references is not None:
                warnings.append(
                    Issue(
                        "cited but not in the References block, given placeholder sources: "
                        + ", ".join(f"[{n}]" for n in missing)
                    )
                )
            for number in missing:
                source = Source.objects.create(
                    title=PLACEHOLDER_TITLE.format(number=number, slug=slug), details_pending=True
                )
                created_rows.append(source)
                references[number] = source.pk
            draft = Draft(
                title=document.title,
                slug=slug,
                subject=subject if subject is not None else ("" if created else briefing.subject),
                sections=tuple(sections),
                references=tuple(references.items()),
            )
            uncited = sorted(set(references) - set(document.reference_numbers))
            if uncited:
                warnings.append(
                    Issue(
                        ("references no longer cited: " if not created else "references not cited: ")
                        + ", ".join(f"[{n}]" for n in uncited)
                    )
                )
            try:
                written = write(
                    draft=draft,
                    briefing=briefing,
                    user=user,
                    comment=f"Imported ({'new briefing' if created else 'update'})",
                    kind=Kind.IMPORTED,
                    also=created_rows,
                )
            except DraftInvalid as error:
                line = document.title_line
                if error.index is not None and error.index < len(document.sections):
                    line = document.sections[error.index].line
                raise FormatError(line, str(error.message)) from error
            result = ImportResult(
                briefing=written.briefing,
                created=created,
                changed=written.changed,
                dry_run=dry_run,
                sections=len(document.sections),
                references_created=len(set(references) - set(have)),
                sources_reused=reused,
                claims=sum(len(s.body.claims) for s in document.sections),
                citations=sum(len(s.body.citations) for s in document.sections),
                partners=partners,
                warnings=warnings,
                revision=written.revision,
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


# Restore and recovery: a revision's recorded state as a draft.


class RestoreRefused(Exception):
    """The revision cannot be written back; the message says why."""


def restore(*, briefing, revision_id, user, label):
    """Make the working copy equal to revision ``revision_id``, as one new revision."""
    draft = draft_at(briefing.pk, revision_id)
    if draft is None:
        raise RestoreRefused(
            f"{label} cannot be restored: its stored data does not fit the current models "
            "or names partners or sources deleted since."
        )
    with transaction.atomic():
        locked = lock_briefing(briefing.pk)
        if locked.publications.exists():
            # A published briefing's address is fixed: restoring must not move its public page.
            draft = draft.replace(slug=locked.slug)
        return write(draft=draft, briefing=locked, user=user, comment=f"Restored {label}", kind=Kind.RESTORED)


def recover_section(*, briefing, section, user):
    """Bring back a deleted section (a state dict from history) at its old place, as one new revision."""
    with transaction.atomic():
        locked = lock_briefing(briefing.pk)
        current = current_draft(locked)
        if current.section(section["id"]) is not None:
            raise RestoreRefused(f"Section “{section['heading']}” is not deleted.")
        missing = [p for p in section["partners"] if p.get("deleted")]
        if missing:
            raise RestoreRefused(
                f"Section “{section['heading']}” names partners deleted since: "
                + ", ".join(p["name"] for p in missing)
            )
        recovered = SectionDraft(
            id=section["id"],
            heading=section["heading"],
            body=section["body"],
            partners=frozenset(p["id"] for p in section["partners"]),
        )
        sections = list(current.sections)
        at = max(1, min(section["number"], len(sections)))
        sections.insert(at, recovered)
        return write(
            draft=current.replace(sections=tuple(sections)),
            briefing=locked,
            user=user,
            comment=f"Recovered deleted section “{section['heading']}”",
            kind=Kind.RECOVERED,
        )


def recover_briefing(*, briefing_id, user):
    """Bring back a deleted briefing from its latest revision, with its own id (or RestoreRefused)."""
    if Briefing.objects.filter(pk=briefing_id).exists():
        raise RestoreRefused("This briefing is not deleted.")
    latest = latest_contents(briefing_id)
    if latest is None:
        raise RestoreRefused("No revision of this briefing is stored, so there is nothing to recover.")
    draft = draft_at(briefing_id, latest.revision_id)
    if draft is None:
        raise RestoreRefused(
            "The briefing's last revision cannot be restored: it does not fit the current models "
            "or names partners or sources deleted since."
        )
    if Briefing.objects.filter(slug=draft.slug).exists():
        raise RestoreRefused(f"Another briefing now has the address /briefings/{draft.slug}/.")
    return write(
        draft=draft,
        briefing=None,
        new_pk=briefing_id,
        user=user,
        comment=f"Recovered deleted briefing “{draft.title}”",
        kind=Kind.RECOVERED,
    )
