"""Three-way merge of working-copy drafts: two editors who changed different parts both keep them.

An editor's save that started from an older revision (``base``) than what is
stored now (``theirs``) is merged unit by unit: the title, the subject, the
slug, each section (heading, body and partners together), the order of the
sections, and each entry of the reference list. For each unit:

- the editor left it as it was in ``base``: what is stored now stays;
- only the editor changed it: the editor's version is written;
- both changed it the same way: nothing to decide;
- both changed it differently: a conflict, unless the editor has already
  seen the colleague's version of that unit and chose theirs (``resolved``).

Pure Python over Draft values; briefings/editing/working_copy.py applies the result.
"""

from dataclasses import dataclass, field

from briefings.editing.draft import Draft


@dataclass(frozen=True)
class Unit:
    """What a conflict is about: ``kind`` is "field", "section", "order" or "reference"."""

    kind: str
    key: object = None

    @property
    def token(self):
        """How the unit is named in the form's hidden ``resolved`` field."""
        return f"{self.kind}:{self.key}" if self.key is not None else self.kind


@dataclass
class UnitConflict:
    unit: Unit
    label: str
    base: object
    theirs: object
    mine: object


@dataclass
class MergeResult:
    draft: Draft
    taken_from_theirs: list[str] = field(default_factory=list)
    conflicts: list[UnitConflict] = field(default_factory=list)


FIELD_LABELS = {"title": "the title", "subject": "the subject", "slug": "the slug"}


def _section_label(index, section):
    return "the executive summary" if index == 0 else f"§{index} “{section.heading}”"


def merge(base: Draft, theirs: Draft, mine: Draft, *, resolved=frozenset()) -> MergeResult:
    """Merge ``mine`` (started from ``base``) into ``theirs`` (stored now)."""
    result = MergeResult(draft=theirs)
    conflicts = result.conflicts

    def pick(unit, label, b, t, m):
        if m == t:
            return m
        if m == b:
            return t
        if t != b and unit.token not in resolved:
            conflicts.append(UnitConflict(unit, label, b, t, m))
        return m

    fields = {}
    for name, label in FIELD_LABELS.items():
        b, t, m = getattr(base, name), getattr(theirs, name), getattr(mine, name)
        fields[name] = pick(Unit("field", name), label, b, t, m)
        if m == b and t != b:
            result.taken_from_theirs.append(label)

    base_by_id = {s.id: s for s in base.sections}
    theirs_by_id = {s.id: s for s in theirs.sections}
    mine_by_id = {s.id: s for s in mine.sections if s.id is not None}

    # Each section's content.
    merged = {}
    for index, section in enumerate(theirs.sections):
        b = base_by_id.get(section.id)
        m = mine_by_id.get(section.id)
        if b is None:
            merged[section.id] = section  # added by them
            continue
        if m is None:
            # Deleted by the editor: fine unless they changed it meanwhile.
            if section.content != b.content and Unit("section", section.id).token not in resolved:
                conflicts.append(
                    UnitConflict(
                        Unit("section", section.id), _section_label(index, section), b, section, None
                    )
                )
                merged[section.id] = section
            continue
        unit = Unit("section", section.id)
        chosen = pick(unit, _section_label(index, section), b.content, section.content, m.content)
        if m.content == b.content and section.content != b.content:
            result.taken_from_theirs.append(_section_label(index, section))
        merged[section.id] = section if chosen == section.content else m
    for section_id, m in mine_by_id.items():
        if section_id in theirs_by_id or section_id not in base_by_id:
            continue
        # Deleted by them: stays deleted unless the editor changed it.
        b = base_by_id[section_id]
        if m.content != b.content:
            token = Unit("section", section_id).token
            if token not in resolved:
                conflicts.append(UnitConflict(Unit("section", section_id), f"“{m.heading}”", b, None, m))
            merged[section_id] = m

    # The order: whoever did not reorder the sections they share follows the other.
    order = _merge_order(base, theirs, mine, merged, resolved, conflicts)
    sections = tuple(merged[key] if isinstance(key, int) else key for key in order)

    # The reference list, entry by entry.
    b_refs, t_refs, m_refs = base.reference_map, theirs.reference_map, mine.reference_map
    references = {}
    for number in sorted(set(b_refs) | set(t_refs) | set(m_refs)):
        b, t, m = b_refs.get(number), t_refs.get(number), m_refs.get(number)
        value = pick(Unit("reference", number), f"reference [{number}]", b, t, m)
        if m == b and t != b:
            result.taken_from_theirs.append(f"reference [{number}]")
        if value is not None:
            references[number] = value

    result.draft = Draft(
        title=fields["title"],
        slug=fields["slug"],
        subject=fields["subject"],
        sections=sections,
        references=tuple(references.items()),
    )
    return result


def _relative(order, keep):
    return [key for key in order if key in keep]


def _merge_order(base, theirs, mine, merged, resolved, conflicts):
    """The merged sequence of section ids (and new SectionDrafts of the editor's, as themselves)."""
    kept = set(merged)
    base_ids = [s.id for s in base.sections]
    theirs_ids = [s.id for s in theirs.sections]
    mine_keys = [s.id if s.id is not None else s for s in mine.sections]
    shared = kept & set(base_ids)
    mine_moved = _relative(mine_keys, shared) != _relative(base_ids, shared)
    theirs_moved = _relative(theirs_ids, shared) != _relative(base_ids, shared)
    if mine_moved and theirs_moved and _relative(mine_keys, shared) != _relative(theirs_ids, shared):
        if Unit("order").token not in resolved:
            conflicts.append(UnitConflict(Unit("order"), "the order of the sections", None, None, None))
        theirs_moved = False
    leader, follower = (mine_keys, theirs_ids) if mine_moved or not theirs_moved else (theirs_ids, mine_keys)
    order = [key for key in leader if key in kept or not isinstance(key, int)]
    # Insert what only the follower has (their new sections, or the editor's), after the same predecessor.
    for index, key in enumerate(follower):
        if key in order or (isinstance(key, int) and key not in kept):
            continue
        before = next((k for k in reversed(follower[:index]) if k in order), None)
        order.insert(order.index(before) + 1 if before is not None else 0, key)
    # The executive summary stays first.
    summary = theirs_ids[0] if theirs_ids else None
    if summary in order and order[0] != summary and base_ids and base_ids[0] == summary:
        order.remove(summary)
        order.insert(0, summary)
    return order
