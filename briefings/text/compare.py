"""Citation-aware differences between two states of a briefing.

Pure Python (no Django), so it can be tested and reused on its own: the admin
compares revisions and the working copy with it, the public site compares
publications.

A *state* is shaped like a publication snapshot (see briefings/snapshot.py)::

    {"briefing": {"title": ..., "subject": ...},
     "sections": [{"id": ..., "heading": ..., "body": ..., "partners": [{"slug", "name"}]}, ...],
     "references": [{"number": n, "source": {"id": ..., "title": ..., ...}}, ...]}

``references`` may also be a mapping of number to source. Section order is the
order of the list; the first section is the executive summary.

Three things make this more than a text diff:

* a citation marker ``[n]`` is one token, never split, so a changed citation
  reads as ``[7]`` → ``[13]`` rather than as a changed digit;
* sections are matched by identity, so a moved section reads as moved, not
  as deleted and added;
* the reference list is compared by number, so "ref 4 now points to a
  different source" is reported, and every unchanged ``[4]`` in the text is
  flagged, because its meaning changed although its characters did not.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

# Shared with the parser (pure Python as well): a citation here is exactly one it accepts.
from briefings.text.parsing import CITATION_RE

# Anything in square brackets is one token (as in parsing.MARKER_RE), then
# runs of whitespace, words (with inner apostrophes and hyphens), and single
# punctuation characters. Every character falls in one class, so the tokens
# joined give the text back exactly.
TOKEN_RE = re.compile(r"\[[^\[\]\n]*\]|\s+|\w+(?:['’-]\w+)*|[^\w\s]")
MARKER_SPLIT_RE = re.compile(r"(\[[^\[\]\n]*\])")

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
SENTENCE_ENDS = frozenset({".", "!", "?"})

# Fields of a source whose change (with the same source) is worth reporting:
# those the public pages show, the grade included.
SOURCE_DETAIL_FIELDS = ("title", "publisher", "url", "published_on", "kind", "grade", "details_pending")
# Likewise for a partner kept by a section (matched by slug).
PARTNER_DETAIL_FIELDS = ("name", "description")


def tokenize(text: str) -> list[str]:
    return TOKEN_RE.findall(text or "")


def citation_number(token: str) -> int | None:
    if token[:1] != "[":
        return None  # most tokens: no regex needed
    match = CITATION_RE.fullmatch(token)
    return int(match.group(1)) if match else None


def citation_credibility(token: str) -> int | None:
    """The c of a ``[n:c]`` token; None for ``[n]`` (or not a citation)."""
    match = CITATION_RE.fullmatch(token)
    return int(match.group(2)) if match and match.group(2) else None


def citations_in(text: str) -> list[int]:
    return [int(m.group(1)) for m in CITATION_RE.finditer(text or "")]


@dataclass
class Piece:
    """A run of text, or one citation, that is unchanged, inserted or deleted."""

    op: str
    text: str
    cite: int | None = None
    # The citation is unchanged in the text but its reference now points elsewhere.
    source_changed: bool = False

    @property
    def is_insert(self):
        return self.op == INSERT

    @property
    def is_delete(self):
        return self.op == DELETE


@dataclass
class Run:
    """Consecutive pieces with the same operation: one <ins> or <del> element."""

    op: str
    pieces: list[Piece]


def runs(pieces: list[Piece]) -> list[Run]:
    grouped: list[Run] = []
    for piece in pieces:
        if grouped and grouped[-1].op == piece.op:
            grouped[-1].pieces.append(piece)
        else:
            grouped.append(Run(piece.op, [piece]))
    return grouped


@dataclass
class TextDiff:
    """Computed when first asked for: a history summary only needs ``changed``."""

    old: str
    new: str
    changed_refs: frozenset[int] = frozenset()

    @cached_property
    def _result(self):
        return _compute(self.old, self.new, self.changed_refs)

    @property
    def pieces(self) -> list[Piece]:
        return self._result[0]

    @property
    def citations_added(self) -> list[int]:
        return self._result[1]

    @property
    def citations_removed(self) -> list[int]:
        return self._result[2]

    @property
    def repointed(self) -> list[tuple[int, int]]:
        return self._result[3]

    @property
    def credibility_changed(self) -> list[tuple[int, int | None, int | None]]:
        """``(n, credibility before, after)`` for each citation of n whose stated credibility changed."""
        return self._result[4]

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def left(self) -> list[Piece]:
        """The old side, for side-by-side display."""
        return [p for p in self.pieces if p.op != INSERT]

    @property
    def right(self) -> list[Piece]:
        """The new side, for side-by-side display."""
        return [p for p in self.pieces if p.op != DELETE]

    @property
    def runs(self) -> list[Run]:
        return runs(self.pieces)

    @property
    def left_runs(self) -> list[Run]:
        return runs(self.left)

    @property
    def right_runs(self) -> list[Run]:
        return runs(self.right)

    @property
    def has_source_changes(self) -> bool:
        return any(p.source_changed for p in self.pieces)


def _pieces(op: str, tokens: list[str], changed_refs: frozenset[int]) -> list[Piece]:
    """Group tokens into text runs and single citations.

    A citation ``[n]`` or ``[n:c]`` is always one whole token (TOKEN_RE and
    MARKER_SPLIT_RE start a token at every ``[`` that opens a marker), so
    matching CITATION_RE over the joined text gives the same pieces as looking
    at every token, with one regex pass instead of one call per word.
    """
    pieces: list[Piece] = []
    text = "".join(tokens)
    position = 0
    for match in CITATION_RE.finditer(text):
        if match.start() > position:
            pieces.append(Piece(op, text[position : match.start()]))
        number = int(match.group(1))
        pieces.append(
            Piece(op, match.group(0), cite=number, source_changed=op != DELETE and number in changed_refs)
        )
        position = match.end()
    if position < len(text):
        pieces.append(Piece(op, text[position:]))
    return pieces


def _is_blank(tokens: list[str]) -> bool:
    return all(not token.strip() for token in tokens)


def _coalesce(opcodes, a: list[str], b: list[str]):
    """Merge changes separated only by whitespace into one change.

    Without this, "the old red car" → "a new blue car" alternates
    deleted word, kept space, inserted word, which is hard to read.
    """
    merged: list[list] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between_changes = (
            tag == "equal"
            and merged
            and merged[-1][0] != "equal"
            and index + 1 < len(opcodes)
            and opcodes[index + 1][0] != "equal"
            and _is_blank(a[i1:i2])
        )
        if between_changes:
            tag = "replace"
        if tag != "equal" and merged and merged[-1][0] != "equal":
            merged[-1] = ["replace", merged[-1][1], i2, merged[-1][3], j2]
        else:
            merged.append([tag, i1, i2, j1, j2])
    return merged


def _sentences(tokens: list[str]) -> list[tuple[int, int]]:
    """Token ranges of sentences: each ends after ". ", "! " or "? " (and any markers after it)."""
    bounds, start = [], 0
    for index, token in enumerate(tokens):
        if token in SENTENCE_ENDS and index + 1 < len(tokens) and not tokens[index + 1].strip():
            bounds.append((start, index + 2))
            start = index + 2
    if start < len(tokens):
        bounds.append((start, len(tokens)))
    return bounds


def _token_opcodes(a: list[str], b: list[str]):
    """Opcodes over tokens, computed sentence by sentence first.

    Matching whole sentences first, then words only inside the sentences
    that differ, keeps long bodies cheap (difflib is quadratic in the worst
    case) and stops a common word in one sentence from aligning with the
    same word in an unrelated one.
    """
    a_bounds, b_bounds = _sentences(a), _sentences(b)
    a_units = [tuple(a[i:j]) for i, j in a_bounds]
    b_units = [tuple(b[i:j]) for i, j in b_bounds]
    opcodes = []
    for tag, s1, s2, t1, t2 in _bounded_opcodes(a_units, b_units, coarse=False):
        i1 = a_bounds[s1][0] if s1 < len(a_bounds) else len(a)
        i2 = a_bounds[s2 - 1][1] if s2 > s1 else i1
        j1 = b_bounds[t1][0] if t1 < len(b_bounds) else len(b)
        j2 = b_bounds[t2 - 1][1] if t2 > t1 else j1
        if tag != "replace":
            opcodes.append((tag, i1, i2, j1, j2))
            continue
        for wtag, wi1, wi2, wj1, wj2 in _word_opcodes(a[i1:i2], b[j1:j2]):
            opcodes.append((wtag, i1 + wi1, i1 + wi2, j1 + wj1, j1 + wj2))
    return opcodes


# Word diffs cost up to len(a) × len(b) token comparisons (difflib is quadratic at
# worst, and a long sentence repeats " " and "the" thousands of times). Beyond
# this budget the differing middle of a sentence is shown replaced as a whole.
WORD_DIFF_BUDGET = 250_000


def _word_opcodes(a: list[str], b: list[str]):
    """Word opcodes of two differing sentences, in time bounded whatever their length."""
    return _bounded_opcodes(a, b, coarse=True)


def _bounded_opcodes(a, b, *, coarse):
    """difflib opcodes of ``a`` against ``b``, in time bounded whatever their length.

    The common beginning and end are matched first (one changed word in an
    8,000-word sentence, or one changed sentence among 8,000, leaves one unit
    to compare); difflib's exact matching runs on the rest only when it is
    within the budget. Beyond it, words (``coarse``) show the rest replaced as
    a whole; sentences are matched with difflib's heuristic for repeated items
    (autojunk), which is fast and may align less finely. Inputs within the
    budget are matched whole, exactly as difflib alone would.
    """
    if len(a) * len(b) <= WORD_DIFF_BUDGET:
        return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    prefix = 0
    limit = min(len(a), len(b))
    while prefix < limit and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and a[len(a) - 1 - suffix] == b[len(b) - 1 - suffix]:
        suffix += 1
    a_mid, b_mid = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]
    opcodes = []
    if prefix:
        opcodes.append(("equal", 0, prefix, 0, prefix))
    within = len(a_mid) * len(b_mid) <= WORD_DIFF_BUDGET
    if a_mid and b_mid and (within or not coarse):
        matcher = difflib.SequenceMatcher(None, a_mid, b_mid, autojunk=not within)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            opcodes.append((tag, prefix + i1, prefix + i2, prefix + j1, prefix + j2))
    elif a_mid or b_mid:
        tag = "replace" if a_mid and b_mid else ("delete" if a_mid else "insert")
        opcodes.append((tag, prefix, prefix + len(a_mid), prefix, prefix + len(b_mid)))
    if suffix:
        opcodes.append(("equal", len(a) - suffix, len(a), len(b) - suffix, len(b)))
    return opcodes


def diff_text(old: str, new: str, *, changed_refs: frozenset[int] = frozenset()) -> TextDiff:
    """Word-level difference of two texts, with citations as single tokens."""
    return TextDiff(old=old or "", new=new or "", changed_refs=changed_refs)


# Where a sentence starts: after a stop (and any closing quotes or brackets) and whitespace.
SENTENCE_START_RE = re.compile(r"[.!?][\"”’')\]]*\s+(?=\S)")


def _common_length(old: str, new: str, *, end: bool) -> int:
    """The length of the common beginning (or ``end``) of two texts, by binary search over slices."""
    low, high = 0, min(len(old), len(new))
    while low < high:
        middle = (low + high + 1) // 2
        same = old[-middle:] == new[-middle:] if end else old[:middle] == new[:middle]
        low, high = (middle, high) if same else (low, middle - 1)
    return low


def _common_sentences(old: str, new: str) -> tuple[int, int]:
    """Lengths of the whole sentences two texts share at their beginning and at their end.

    Each cut falls where a sentence starts (a non-space character after a stop
    and whitespace, all inside the shared part), so both texts tokenize there
    as they do whole. One changed sentence among 8,000 leaves only that
    sentence to diff, in time linear in the text.
    """
    shared = _common_length(old, new, end=False)
    prefix = 0
    for match in SENTENCE_START_RE.finditer(old, 0, shared):
        prefix = match.end()
    shared_end = min(_common_length(old, new, end=True), len(old) - prefix, len(new) - prefix)
    suffix = 0
    match = SENTENCE_START_RE.search(old, len(old) - shared_end)
    if match and shared_end:
        suffix = len(old) - match.end()
    return prefix, suffix


def _equal_pieces(text: str, changed_refs: frozenset[int]) -> list[Piece]:
    """Unchanged text as pieces, without a word split."""
    return _pieces(EQUAL, [c for c in MARKER_SPLIT_RE.split(text) if c], changed_refs)


def _compute(old: str, new: str, changed_refs: frozenset[int]):
    """(pieces, citations added, citations removed, re-pointed pairs) of two texts."""
    if old == new:
        # Unchanged text (most sections, most of the time) needs no word split.
        return _equal_pieces(old, changed_refs), [], [], [], []
    prefix, suffix = _common_sentences(old, new)
    a, b = tokenize(old[prefix : len(old) - suffix]), tokenize(new[prefix : len(new) - suffix])
    opcodes = _token_opcodes(a, b)

    # A replaced run that is only citations on both sides, one for one, is a re-pointing.
    # The same number with another credibility ([3] → [3:2]) is a credibility change, not a re-pointing.
    repointed = []
    credibility = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "replace":
            continue
        olds = [t for t in a[i1:i2] if t.strip()]
        news = [t for t in b[j1:j2] if t.strip()]
        old_numbers = [citation_number(t) for t in olds]
        new_numbers = [citation_number(t) for t in news]
        if olds and len(olds) == len(news) and None not in old_numbers and None not in new_numbers:
            for before, after, old_token, new_token in zip(old_numbers, new_numbers, olds, news, strict=True):
                if before != after:
                    repointed.append((before, after))
                elif old_token != new_token:
                    credibility.append(
                        (before, citation_credibility(old_token), citation_credibility(new_token))
                    )

    added = Counter(citations_in(new)) - Counter(citations_in(old))
    removed = Counter(citations_in(old)) - Counter(citations_in(new))
    for before, after in repointed:
        if removed[before] and added[after]:
            removed[before] -= 1
            added[after] -= 1

    pieces = _equal_pieces(old[:prefix], changed_refs)
    for tag, i1, i2, j1, j2 in _coalesce(opcodes, a, b):
        if tag == "equal":
            pieces += _pieces(EQUAL, a[i1:i2], changed_refs)
        else:
            pieces += _pieces(DELETE, a[i1:i2], changed_refs)
            pieces += _pieces(INSERT, b[j1:j2], changed_refs)
    pieces += _equal_pieces(old[len(old) - suffix :], changed_refs)
    return pieces, sorted(added.elements()), sorted(removed.elements()), repointed, credibility


@dataclass
class ReferenceChange:
    number: int
    status: str  # "unchanged", "added", "removed", "repointed", "details"
    old_source: dict | None
    new_source: dict | None
    title: TextDiff | None = None

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"

    @property
    def source(self) -> dict | None:
        return self.new_source or self.old_source


@dataclass
class SectionDiff:
    id: str
    status: str  # "unchanged", "changed", "added", "removed"
    old_number: int | None
    new_number: int | None
    heading: TextDiff
    body: TextDiff
    moved: bool = False
    partners: list[dict] = field(default_factory=list)
    partners_added: list[str] = field(default_factory=list)
    partners_removed: list[str] = field(default_factory=list)
    # Kept partners whose name or description changed: (old name, new name).
    partners_changed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.new_number if self.new_number is not None else self.old_number

    @property
    def label(self) -> str:
        return section_label(self.number)

    @property
    def old_label(self) -> str:
        return section_label(self.old_number)

    @property
    def renumbered(self) -> bool:
        return self.status in {"changed", "unchanged"} and self.old_number != self.new_number

    @property
    def changed(self) -> bool:
        return self.status != "unchanged" or self.moved

    @property
    def citations_affected(self) -> bool:
        """Unchanged text whose citations now point to different sources."""
        return self.body.has_source_changes

    @property
    def collapsed(self) -> bool:
        return not self.changed and not self.citations_affected

    def summary_parts(self) -> list[str]:
        if self.status == "added":
            return [f"+{self.label}"]
        if self.status == "removed":
            return [f"−{self.old_label}"]
        parts = []
        if self.moved:
            parts.append(f"{self.old_label}→{self.label}")
        what = [
            name
            for name, changed in (
                ("heading", self.heading.changed),
                ("body", self.body.changed),
                ("partners", bool(self.partners_added or self.partners_removed or self.partners_changed)),
            )
            if changed
        ]
        if what:
            parts.append(f"{self.label} {'/'.join(what)}")
        return parts


@dataclass
class BriefingDiff:
    title: TextDiff
    subject: TextDiff
    sections: list[SectionDiff]
    references: list[ReferenceChange]

    @property
    def changed(self) -> bool:
        return (
            self.title.changed
            or self.subject.changed
            or any(s.changed for s in self.sections)
            or any(r.changed for r in self.references)
        )

    @property
    def changed_references(self) -> list[ReferenceChange]:
        return [r for r in self.references if r.changed]

    @property
    def unchanged_references(self) -> list[ReferenceChange]:
        return [r for r in self.references if not r.changed]

    @property
    def collapsed_count(self) -> int:
        return sum(1 for s in self.sections if s.collapsed)

    def summary_parts(self) -> list[str]:
        parts = []
        if self.title.changed:
            parts.append("title")
        if self.subject.changed:
            parts.append("subject")
        for section in self.sections:
            parts += section.summary_parts()
        refs = []
        for change in self.references:
            if change.status == "added":
                refs.append(f"+[{change.number}]")
            elif change.status == "removed":
                refs.append(f"−[{change.number}]")
            elif change.status == "repointed":
                refs.append(f"[{change.number}] re-pointed")
            elif change.status == "details":
                refs.append(f"[{change.number}] details")
        if refs:
            parts.append("refs " + " ".join(refs))
        return parts

    def summary(self, limit: int = 8) -> str:
        """A short line such as "§2 body, refs +[13]"."""
        parts = self.summary_parts()
        if not parts:
            return "no change to the text"
        if len(parts) > limit:
            parts = parts[:limit] + [f"and {len(parts) - limit} more"]
        return ", ".join(parts)


def section_label(number: int | None) -> str:
    if number is None:
        return ""
    return "Summary" if number == 0 else f"§{number}"


def _references(state: dict) -> dict[int, dict]:
    refs = state.get("references") or {}
    if isinstance(refs, dict):
        return {int(number): source or {} for number, source in refs.items()}
    return {int(ref["number"]): ref.get("source") or {} for ref in refs}


def _same_source(old: dict, new: dict) -> bool:
    if old.get("id") is not None or new.get("id") is not None:
        return old.get("id") == new.get("id")
    return old.get("url") == new.get("url") and old.get("title") == new.get("title")


def diff_references(old_state: dict, new_state: dict) -> list[ReferenceChange]:
    old, new = _references(old_state), _references(new_state)
    changes = []
    for number in sorted(old.keys() | new.keys()):
        before, after = old.get(number), new.get(number)
        if before is None:
            changes.append(ReferenceChange(number, "added", None, after))
        elif after is None:
            changes.append(ReferenceChange(number, "removed", before, None))
        elif not _same_source(before, after):
            title = diff_text(before.get("title", ""), after.get("title", ""))
            changes.append(ReferenceChange(number, "repointed", before, after, title))
        elif any((before.get(f) or "") != (after.get(f) or "") for f in SOURCE_DETAIL_FIELDS):
            title = diff_text(before.get("title", ""), after.get("title", ""))
            changes.append(ReferenceChange(number, "details", before, after, title))
        else:
            changes.append(ReferenceChange(number, "unchanged", before, after))
    return changes


def _partner_names(section: dict) -> dict[str, str]:
    return {
        p.get("slug") or p.get("name"): p.get("name") or p.get("slug") for p in section.get("partners") or []
    }


def _partners_changed(old: dict, new: dict) -> list[tuple[str, str]]:
    """Partners both sides name (by slug) whose details differ.

    A detail only one side carries (revisions store no description) is not
    a difference.
    """
    before = {p.get("slug") or p.get("name"): p for p in old.get("partners") or []}
    changed = []
    for partner in new.get("partners") or []:
        was = before.get(partner.get("slug") or partner.get("name"))
        if was is not None and any(
            f in was and f in partner and was[f] != partner[f] for f in PARTNER_DETAIL_FIELDS
        ):
            changed.append((was.get("name", ""), partner.get("name", "")))
    return sorted(changed)


def _section_diff(sid, old, new, old_number, new_number, changed_refs, *, moved=False) -> SectionDiff:
    old_partners = _partner_names(old) if old else {}
    new_partners = _partner_names(new) if new else {}
    if old is None:
        status = "added"
    elif new is None:
        status = "removed"
    else:
        status = None
    heading = diff_text((old or {}).get("heading", ""), (new or {}).get("heading", ""))
    body = diff_text((old or {}).get("body", ""), (new or {}).get("body", ""), changed_refs=changed_refs)
    added = sorted(new_partners[k] for k in new_partners.keys() - old_partners.keys())
    removed = sorted(old_partners[k] for k in old_partners.keys() - new_partners.keys())
    renamed = _partners_changed(old, new) if old is not None and new is not None else []
    if status is None:
        changed = heading.changed or body.changed or added or removed or renamed
        status = "changed" if changed else "unchanged"
    return SectionDiff(
        id=sid,
        status=status,
        old_number=old_number,
        new_number=new_number,
        heading=heading,
        body=body,
        moved=moved,
        partners=(new or old).get("partners") or [],
        partners_added=added if old is not None else [],
        partners_removed=removed if new is not None else [],
        partners_changed=renamed,
    )


def diff_states(old_state: dict, new_state: dict) -> BriefingDiff:
    """Everything that differs between two states of one briefing."""
    old_b, new_b = old_state.get("briefing") or {}, new_state.get("briefing") or {}
    references = diff_references(old_state, new_state)
    changed_refs = frozenset(r.number for r in references if r.status == "repointed")

    old_sections = old_state.get("sections") or []
    new_sections = new_state.get("sections") or []
    old_ids = [str(s.get("id")) for s in old_sections]
    new_ids = [str(s.get("id")) for s in new_sections]
    old_by_id = {sid: (n, s) for n, (sid, s) in enumerate(zip(old_ids, old_sections, strict=True))}
    new_by_id = {sid: (n, s) for n, (sid, s) in enumerate(zip(new_ids, new_sections, strict=True))}

    # The longest run of sections kept in order stays put; a kept section
    # outside it has moved. Sections appear in the new order, with removed
    # ones where they used to be.
    sections = []
    matcher = difflib.SequenceMatcher(None, old_ids, new_ids, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for sid in new_ids[j1:j2]:
                (on, old), (nn, new) = old_by_id[sid], new_by_id[sid]
                sections.append(_section_diff(sid, old, new, on, nn, changed_refs))
            continue
        for sid in old_ids[i1:i2]:
            if sid not in new_by_id:
                on, old = old_by_id[sid]
                sections.append(_section_diff(sid, old, None, on, None, changed_refs))
        for sid in new_ids[j1:j2]:
            nn, new = new_by_id[sid]
            if sid in old_by_id:
                on, old = old_by_id[sid]
                sections.append(_section_diff(sid, old, new, on, nn, changed_refs, moved=True))
            else:
                sections.append(_section_diff(sid, None, new, None, nn, changed_refs))

    return BriefingDiff(
        title=diff_text(old_b.get("title", ""), new_b.get("title", "")),
        subject=diff_text(old_b.get("subject", ""), new_b.get("subject", "")),
        sections=sections,
        references=references,
    )
