"""The briefing text format and its citation markers.

One small, pure module (no Django imports) shared by the importer, the admin
and publishing, so that "the text" and "the claims" can never drift apart.

The document format (see ``docs/import-format.md``)::

    <question: the briefing's title>
    Executive summary
    <summary paragraph>
    1. <Heading>
    <paragraph>
    2. <Heading>
    ...

Inside a paragraph a citation is ``[n]`` with ``n`` a positive integer (no
spaces, no leading zero) naming
entry ``n`` of the briefing's reference list. A sentence carries the citations
written in or right after it, in the order written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Reference numbers must fit a PostgreSQL ``integer``.
MAX_REFERENCE_NUMBER = 2_147_483_647

SUMMARY_HEADING = "Executive summary"

# Anything in square brackets is a citation marker; its content must be a
# positive integer. "[sic]" in prose is therefore an error, on purpose: an
# editor sees it at once instead of a silently dropped citation.
MARKER_RE = re.compile(r"\[([^\[\]\n]*)\]")
# A citation is exactly ``[n]``: no spaces inside the brackets and no leading
# zero, so every citation has one spelling and the compare engine
# (briefings/compare.py) finds the same citations the parser accepts.
# At most ten digits: a longer number is beyond MAX_REFERENCE_NUMBER anyway, and
# int() refuses more than 4,300 digits.
CITATION_NUMBER = r"[1-9][0-9]{0,9}"
CITATION_RE = re.compile(rf"\[({CITATION_NUMBER})\]")
SECTION_HEADING_RE = re.compile(r"^(\d{1,9})\.\s+(\S.*)$")
# C0 control characters other than tab, line feed and carriage return: never
# typed on purpose, invisible in an editor, and PostgreSQL refuses NUL in text.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
HEADING_CITATION_ERROR = "a heading cannot carry citations; put them in the paragraph"

# Debris of an HTML link pasted as text, e.g.
# ``Venezuela" target="_blank" rel="noopener noreferrer">``: a word closed by a
# quote, one or more ``name="value"`` attributes, and a closing ``>``.
LINK_DEBRIS_RE = re.compile(r'[ \t]*[^\s"\[\]<>]*"(?:\s+[a-zA-Z-]+="[^"]*")+\s*>')

# Words ending in a full stop that do not end a sentence.
ABBREVIATIONS = frozenset(
    {
        *("mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr"),
        *("gen", "col", "lt", "capt", "sgt", "adm", "sen", "rep", "gov", "pres"),
        *("no", "vol", "fig", "ch", "pp", "e.g", "i.e", "etc", "vs", "cf", "al", "approx", "est"),
        *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
        *("inc", "ltd", "co", "corp"),
    }
)
INITIALISM_RE = re.compile(r"^(?:[A-Za-z]\.)+$")
SENTENCE_END_RE = re.compile(r"[.!?][\"”’')]*(?=\s|$)")


class FormatError(ValueError):
    """A malformed document: ``line`` is 1-based, ``message`` says what is wrong."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Issue:
    """A warning or error about a paragraph, located by line when known."""

    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class Sentence:
    text: str
    citations: tuple[int, ...]


@dataclass
class ParsedBody:
    text: str  # the cleaned paragraph, as stored
    sentences: list[Sentence] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)

    @property
    def citations(self) -> list[int]:
        return [n for sentence in self.sentences for n in sentence.citations]

    @property
    def claims(self) -> list[Sentence]:
        return [s for s in self.sentences if s.citations]


@dataclass
class ParsedSection:
    number: int  # 0 for the executive summary
    heading: str
    body: ParsedBody
    line: int  # line of the heading

    @property
    def partner_name(self) -> str | None:
        return partner_from_heading(self.heading) if self.number else None


@dataclass
class ParsedDocument:
    title: str
    sections: list[ParsedSection]
    title_line: int = 1

    @property
    def warnings(self) -> list[Issue]:
        return [w for section in self.sections for w in section.body.warnings]

    @property
    def reference_numbers(self) -> list[int]:
        return sorted({n for s in self.sections for n in s.body.citations})


def parse_marker(content: str) -> int | None:
    """The reference number in a marker's brackets, or None if it is not one."""
    if not re.fullmatch(CITATION_NUMBER, content):
        return None
    number = int(content)
    if number > MAX_REFERENCE_NUMBER:
        return None
    return number


def _ends_sentence(text: str, end: int) -> bool:
    """Whether the full stop (or ! ?) ending at ``end`` closes a sentence.

    Not after an abbreviation or an initialism: "U.S. pressure", "Dr. Ruiz".
    """
    words = text[:end].rstrip("\"”’')").split()
    word = words[-1] if words else ""
    if not word.endswith("."):
        return True
    return not (word.rstrip(".").lower() in ABBREVIATIONS or INITIALISM_RE.match(word))


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences; markers stay with the sentence they follow."""
    pieces: list[str] = []
    start = 0
    for match in SENTENCE_END_RE.finditer(text):
        end = match.end()
        if not _ends_sentence(text, end):
            continue
        piece = text[start:end].strip()
        if piece:
            pieces.append(piece)
        start = end
    rest = text[start:].strip()
    if rest:
        pieces.append(rest)
    # "... a claim. [3] Next sentence": a leading marker belongs to the sentence before.
    merged: list[str] = []
    for piece in pieces:
        lead = re.match(r"^((?:\[[^\[\]\n]*\]\s*)+)(.*)$", piece, re.S)
        if lead and merged:
            merged[-1] = f"{merged[-1]} {lead.group(1).strip()}"
            piece = lead.group(2).strip()
        if piece:
            merged.append(piece)
    return merged


def clean_paragraph(text: str, line: int | None = None) -> tuple[str, list[Issue]]:
    """Remove pasted-link debris; return the cleaned text and a warning per removal."""
    warnings: list[Issue] = []

    def remove(match: re.Match) -> str:
        warnings.append(Issue(f"removed a broken link fragment {match.group(0).strip()!r}", line))
        return " "

    cleaned = LINK_DEBRIS_RE.sub(remove, text)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip()
    return cleaned, warnings


def parse_body(text: str, line: int | None = None, *, clean: bool = True) -> ParsedBody:
    """Parse one paragraph into sentences and their citations.

    Errors are markers that are not ``[positive integer]``; warnings are
    sentences without a citation and removed link debris.
    """
    warnings: list[Issue] = []
    if clean:
        text, warnings = clean_paragraph(text, line)
    else:
        text = text.strip()
    body = ParsedBody(text=text, warnings=warnings)
    for match in MARKER_RE.finditer(text):
        if parse_marker(match.group(1)) is None:
            body.errors.append(
                Issue(
                    f"{match.group(0)!r} is not a citation: a marker must be [n] with n "
                    f"a whole number from 1 to {MAX_REFERENCE_NUMBER}",
                    line,
                )
            )
    if body.errors:
        return body
    for sentence in split_sentences(text):
        numbers = tuple(int(m.group(1)) for m in MARKER_RE.finditer(sentence))
        body.sentences.append(Sentence(text=sentence, citations=numbers))
        if not numbers:
            preview = sentence if len(sentence) <= 60 else sentence[:57] + "..."
            body.warnings.append(Issue(f"sentence has no citation: {preview!r}", line))
    return body


def partner_from_heading(heading: str) -> str | None:
    """The partner a heading names, as in ``Russia: the principal patron``.

    The part before the first colon names a partner when it reads as a proper
    name: at most four words, each capitalised, not opening with an article.
    "The limits of external support: ..." is therefore a cross-cutting theme.
    """
    if ":" not in heading:
        return None
    prefix = heading.split(":", 1)[0].strip()
    words = prefix.split()
    if not words or len(words) > 4:
        return None
    if words[0].lower() in {"the", "a", "an"}:
        return None
    if not all(word[0].isupper() for word in words if word.lower() not in {"of", "and", "de"}):
        return None
    return prefix


def parse_document(text: str) -> ParsedDocument:
    """Parse a whole briefing; raise FormatError naming the first bad line."""
    control = CONTROL_RE.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        raise FormatError(
            line, f"control character U+{ord(control.group()):04X}: remove it, it cannot be stored"
        )
    if not text.strip():
        raise FormatError(1, "the file is empty")
    lines = text.splitlines()
    numbered = [(i + 1, line.strip()) for i, line in enumerate(lines)]
    content = [(n, line) for n, line in numbered if line]
    title_line, title = content[0]
    if title.lower() == SUMMARY_HEADING.lower():
        raise FormatError(title_line, "the first line must be the briefing's question (its title)")
    if len(content) < 2 or content[1][1].lower() != SUMMARY_HEADING.lower():
        where = content[1][0] if len(content) > 1 else title_line
        raise FormatError(where, f"expected a line '{SUMMARY_HEADING}' after the title")

    sections: list[ParsedSection] = []
    current: tuple[int, int, str] | None = (0, content[1][0], SUMMARY_HEADING)
    paragraph: list[tuple[int, str]] = []

    def close() -> None:
        number, heading_line, heading = current
        if not paragraph:
            label = "the executive summary" if number == 0 else f"section {number}"
            raise FormatError(heading_line, f"{label} has no paragraph")
        first_line = paragraph[0][0]
        body = parse_body(" ".join(text for _, text in paragraph), first_line)
        if body.errors:
            # Name the exact line the first bad marker is on.
            bad = body.errors[0]
            for n, text in paragraph:
                if any(parse_marker(m.group(1)) is None for m in MARKER_RE.finditer(text)):
                    raise FormatError(n, bad.message)
            raise FormatError(first_line, bad.message)
        sections.append(ParsedSection(number, heading, body, heading_line))

    for n, line in content[2:]:
        heading = SECTION_HEADING_RE.match(line)
        if heading and _is_heading(line, int(heading.group(1)), current[0] + 1):
            if MARKER_RE.search(line):
                raise FormatError(n, HEADING_CITATION_ERROR)
            close()
            number = int(heading.group(1))
            expected = len(sections)
            if number != expected:
                raise FormatError(
                    n, f"section numbered {number}, expected {expected}: sections run 1, 2, 3 …"
                )
            current = (number, n, heading.group(2).strip())
            paragraph = []
        elif line.lower() == SUMMARY_HEADING.lower():
            raise FormatError(n, f"a second '{SUMMARY_HEADING}' line")
        else:
            paragraph.append((n, line))
    close()
    return ParsedDocument(title=title, sections=sections, title_line=title_line)


def _is_heading(line: str, number: int, expected: int) -> bool:
    """Whether an ``N. text`` line starts a section rather than continuing a paragraph.

    Numbered ``expected`` (the next section), it is a heading whatever it holds,
    so a citation or an over-long heading is reported instead of silently
    merging two sections. Otherwise only a short line without citations is one
    (and its number is then reported as out of sequence): a paragraph line
    such as ``1990. The year [2] ...`` stays paragraph text.
    """
    if number == expected:
        return True
    return not MARKER_RE.search(line) and len(line) <= 300


def heading_error(heading: str) -> str | None:
    """Why ``heading`` cannot be a section heading, or None (the admin applies the import's rule)."""
    return HEADING_CITATION_ERROR if MARKER_RE.search(heading) else None


def render_document(title: str, sections: list[tuple[str, str]]) -> str:
    """Write a briefing back in the import format.

    ``sections`` is ``[(heading, body), …]`` with the executive summary first.
    """
    out = [title.strip(), SUMMARY_HEADING]
    for index, (heading, body) in enumerate(sections):
        if index:
            out.append(f"{index}. {heading.strip()}")
        out.append(" ".join(body.split()))
    return "\n".join(out) + "\n"
