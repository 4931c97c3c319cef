"""The briefing text format and its citation markers.

One small, pure module (no Django imports) shared by the importer, the admin
and publishing, so that "the text" and "the claims" can never drift apart.

The document format (see ``docs/import-format.md``)::

    <question: the briefing's title>
    Executive summary
    <summary paragraph>
    1. <Heading>
    <paragraph>

    <another paragraph of section 1>
    2. <Heading>
    ...
    References
    [1] <title> | <publisher> | <URL> | <date> | <kind>

A section body holds one or more paragraphs; stored, they are separated by
one blank line (``PARAGRAPH_BREAK``). Sentences never run across a paragraph
break. Inside a paragraph a citation is ``[n]`` with ``n`` a positive integer (no
spaces, no leading zero) naming
entry ``n`` of the briefing's reference list. A sentence carries the citations
written in or right after it, in the order written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

# Reference numbers must fit a PostgreSQL ``integer``.
MAX_REFERENCE_NUMBER = 2_147_483_647

SUMMARY_HEADING = "Executive summary"
REFERENCES_HEADING = "References"
# A References entry: ``[n] title | publisher | URL | date | kind``, and optionally ``| details pending``.
REFERENCE_FIELDS = ("title", "publisher", "URL", "date", "kind")
DETAILS_PENDING = "details pending"
REFERENCE_FORMAT = "[n] title | publisher | URL | date | kind"
REFERENCE_FORMAT_FULL = "[n] title | publisher | URL | date | kind [| grade X] [| details pending]"
# The optional grade field: the source's Admiralty reliability grade, A to F, one capital letter.
GRADE_FIELD_RE = re.compile(r"grade ([A-F])")
REFERENCE_START_RE = re.compile(r"^\[([^\[\]\n]*)\](.*)$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

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
# ``[n:c]`` also states the information's credibility c, 1 to 6 (the Admiralty
# code's second character): one digit, no spaces. ``[n]`` leaves it unstated.
CREDIBILITY_DIGIT = r"[1-6]"
CITATION_RE = re.compile(rf"\[({CITATION_NUMBER})(?::({CREDIBILITY_DIGIT}))?\]")
CITATION_CONTENT_RE = re.compile(rf"({CITATION_NUMBER})(?::({CREDIBILITY_DIGIT}))?")
# Information credibility, 1 to 6.
CREDIBILITY_LABELS = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}
# ``[judgment: low]`` marks a sentence as the desk's own judgment, with its
# confidence (ICD 203). One spelling: lower case, one space after the colon.
JUDGMENT_LEVELS = ("low", "moderate", "high")
JUDGMENT_RE = re.compile(r"\[judgment: (low|moderate|high)\]")
JUDGMENT_SPELLINGS = ", ".join(f"[judgment: {level}]" for level in JUDGMENT_LEVELS)
# What a misspelt judgment marker looks like: "[judgement: …]", "[Judgment: high]", "[judgment: medium]".
JUDGMENT_LIKE_RE = re.compile(r"^\s*judge?ment\b", re.I)
SECTION_HEADING_RE = re.compile(r"^(\d{1,9})\.\s+(\S.*)$")
# C0 control characters other than tab, line feed and carriage return: never
# typed on purpose, invisible in an editor, and PostgreSQL refuses NUL in text.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
HEADING_CITATION_ERROR = "a heading cannot carry citations; put them in the paragraph"

# Debris of an HTML link pasted as text, e.g.
# ``Venezuela" target="_blank" rel="noopener noreferrer">``: a word closed by a
# quote, one or more ``name="value"`` attributes, and a closing ``>``.
# The word starts where a run of word characters starts (the lookbehind): without
# it the engine retries from every position of a long run without spaces, which
# is quadratic (2 MB of text never finished).
LINK_DEBRIS_RE = re.compile(r'[ \t]*(?<![^\s"\[\]<>])[^\s"\[\]<>]*"(?:\s+[a-zA-Z-]+="[^"]*")+\s*>')

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

# Paragraphs are separated by a blank line: stored as exactly one, written back as one.
PARAGRAPH_BREAK = "\n\n"
# One or more lines holding nothing but spaces or tabs, between two lines of text.
BLANK_LINES_RE = re.compile(r"[ \t]*\n(?:[ \t]*\n)+[ \t]*")


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
    # One per citation, aligned with ``citations``: the c of ``[n:c]``, or None for ``[n]``.
    credibility: tuple[int | None, ...] = ()
    # "low", "moderate" or "high" when the sentence is marked ``[judgment: …]``.
    judgment: str | None = None

    @property
    def unsupported(self) -> bool:
        """Neither cited nor marked as a judgment: publishing refuses it."""
        return not self.citations and self.judgment is None


@dataclass(frozen=True)
class Paragraph:
    text: str
    # Empty when the body has errors: a body with a bad marker is not split into sentences.
    sentences: tuple[Sentence, ...] = ()


@dataclass
class ParsedBody:
    text: str  # the cleaned body, as stored: paragraphs separated by PARAGRAPH_BREAK
    paragraphs: list[Paragraph] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)

    @property
    def sentences(self) -> list[Sentence]:
        return [sentence for paragraph in self.paragraphs for sentence in paragraph.sentences]

    @property
    def citations(self) -> list[int]:
        return [n for sentence in self.sentences for n in sentence.citations]

    @property
    def claims(self) -> list[Sentence]:
        return [s for s in self.sentences if s.citations]

    @property
    def unsupported(self) -> list[Sentence]:
        """Sentences with neither a citation nor a judgment marker."""
        return [s for s in self.sentences if s.unsupported]


@dataclass
class ParsedSection:
    number: int  # 0 for the executive summary
    heading: str
    body: ParsedBody
    line: int  # line of the heading

    @property
    def partner_name(self) -> str | None:
        return partner_from_heading(self.heading) if self.number else None


@dataclass(frozen=True)
class ParsedReference:
    """One line of a document's References block: entry ``number`` and its source's details."""

    number: int
    title: str
    publisher: str
    url: str
    published_on: date | None
    kind: str  # as written; "" for the default. The importer checks it against the choices.
    details_pending: bool
    line: int
    grade: str = ""  # "A" to "F" as written in a ``grade X`` field; "" when not given


@dataclass
class ParsedDocument:
    title: str
    sections: list[ParsedSection]
    title_line: int = 1
    # None when the document has no References block (the format before it had one).
    references: list[ParsedReference] | None = None

    @property
    def warnings(self) -> list[Issue]:
        return [w for section in self.sections for w in section.body.warnings]

    @property
    def reference_numbers(self) -> list[int]:
        return sorted({n for s in self.sections for n in s.body.citations})


def parse_citation(content: str) -> tuple[int, int | None] | None:
    """``(number, credibility)`` of a citation marker's brackets (``3`` or ``3:2``), or None."""
    match = CITATION_CONTENT_RE.fullmatch(content)
    if match is None:
        return None
    number = int(match.group(1))
    if number > MAX_REFERENCE_NUMBER:
        return None
    return number, int(match.group(2)) if match.group(2) else None


def parse_marker(content: str) -> int | None:
    """The reference number in a citation marker's brackets, or None if it is not one."""
    citation = parse_citation(content)
    return citation[0] if citation else None


def parse_number(content: str) -> int | None:
    """A bare reference number (``3``, not ``3:2``), or None."""
    citation = parse_citation(content)
    return citation[0] if citation and citation[1] is None and ":" not in content else None


def parse_judgment(content: str) -> str | None:
    """The confidence of a judgment marker's brackets (``judgment: high``), or None."""
    match = JUDGMENT_RE.fullmatch(f"[{content}]")
    return match.group(1) if match else None


def marker_error(content: str) -> str | None:
    """Why ``[content]`` is not a marker the format accepts, or None if it is one."""
    if parse_citation(content) is not None or parse_judgment(content) is not None:
        return None
    marker = f"[{content}]"
    if JUDGMENT_LIKE_RE.match(content):
        return (
            f"{marker!r} is not a judgment marker: write exactly {JUDGMENT_SPELLINGS} "
            "(lower case, one space after the colon)"
        )
    return (
        f"{marker!r} is not a citation: a marker must be [n] or [n:c], with n a whole number "
        f"from 1 to {MAX_REFERENCE_NUMBER} and c a credibility from 1 to 6 (no spaces, no leading "
        f"zero), or a judgment marker {JUDGMENT_SPELLINGS}"
    )


# The most one section body may hold (about 15,000 sentences): parsing, comparing
# and publishing stay well inside a worker's timeout up to this size.
MAX_SECTION_CHARS = 1_000_000

# Closing quotes and brackets that may follow a full stop: "... 'U.S.'" still ends on "U.S.".
CLOSERS = "\"”’')"
# The longest word looked at before a full stop; abbreviations and initialisms are short.
# Bounding it keeps splitting linear even in a long run of text without spaces.
LONGEST_WORD = 64


def _ends_sentence(text: str, end: int) -> bool:
    """Whether the full stop (or ! ?) ending at ``end`` closes a sentence.

    Not after an abbreviation or an initialism: "U.S. pressure", "Dr. Ruiz".
    Looks only at the word before ``end``, so splitting a paragraph is linear.
    """
    stop = end
    while stop > 0 and text[stop - 1] in CLOSERS:
        stop -= 1
    start = stop
    while start > 0 and stop - start < LONGEST_WORD and not text[start - 1].isspace():
        start -= 1
    word = text[start:stop]
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


def normalise_line_ends(text: str) -> str:
    """CRLF and CR (what a browser's textarea sends) as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_paragraphs(text: str) -> list[str]:
    """The paragraphs of a body: split at blank lines, each stripped, none empty."""
    pieces = BLANK_LINES_RE.split(normalise_line_ends(text or ""))
    return [piece.strip() for piece in pieces if piece.strip()]


def normalise_body(text: str) -> str:
    """A body as it is stored: LF line ends, paragraphs separated by exactly one blank line.

    Nothing else changes: text inside a paragraph (a single line break
    included) is kept as typed. Saving a body unchanged therefore gives back
    the same string, whatever line ends the browser sent.
    """
    return PARAGRAPH_BREAK.join(split_paragraphs(text))


def parse_body(
    text: str, line: int | None = None, *, clean: bool = True, lines: list[int] | None = None
) -> ParsedBody:
    """Parse a section body (one or more paragraphs) into sentences and their citations.

    Errors are markers that are not ``[positive integer]``; warnings are
    sentences without a citation and removed link debris. ``lines`` gives
    each paragraph's first line (the importer's), else ``line`` is used for all.
    """
    if len(text or "") > MAX_SECTION_CHARS:
        body = ParsedBody(text=text)
        body.errors.append(
            Issue(
                f"this section is {len(text):,} characters long; a section may hold at most "
                f"{MAX_SECTION_CHARS:,}: split it into several sections",
                line,
            )
        )
        body.paragraphs = []
        return body
    paragraphs = split_paragraphs(text)
    body = ParsedBody(text="")
    texts = []
    for index, paragraph in enumerate(paragraphs):
        where = lines[index] if lines is not None and index < len(lines) else line
        if clean:
            paragraph, removed = clean_paragraph(paragraph, where)
            body.warnings += removed
        if paragraph:
            texts.append((paragraph, where))
    body.text = PARAGRAPH_BREAK.join(paragraph for paragraph, _ in texts)
    for paragraph, where in texts:
        for match in MARKER_RE.finditer(paragraph):
            if (error := marker_error(match.group(1))) is not None:
                body.errors.append(Issue(error, where))
    if body.errors:
        body.paragraphs = [Paragraph(text=paragraph) for paragraph, _ in texts]
        return body
    for paragraph, where in texts:
        sentences = []
        for sentence in split_sentences(paragraph):
            parsed = sentence_from_text(sentence)
            if parsed is None:
                body.errors.append(
                    Issue(
                        f"sentence {sentence_preview(sentence)!r} has more than one judgment marker: "
                        "give it one confidence",
                        where,
                    )
                )
                parsed = Sentence(text=sentence, citations=())
            sentences.append(parsed)
            if parsed.unsupported:
                body.warnings.append(Issue(unsupported_warning(sentence), where))
        body.paragraphs.append(Paragraph(text=paragraph, sentences=tuple(sentences)))
    if body.errors:
        body.paragraphs = [Paragraph(text=paragraph) for paragraph, _ in texts]
    return body


def sentence_preview(sentence: str, length: int = 60) -> str:
    """The start of a sentence, to name it in a message."""
    return sentence if len(sentence) <= length else sentence[: length - 3] + "..."


def unsupported_warning(sentence: str) -> str:
    return (
        f"sentence has no citation: {sentence_preview(sentence)!r} — cite a source, or mark it as "
        "the desk's judgment with [judgment: low], [judgment: moderate] or [judgment: high]; "
        "it cannot be published as it is"
    )


def sentence_from_text(sentence: str) -> Sentence | None:
    """A sentence's citations, their credibility and its judgment; None if it has two judgments.

    Every marker in ``sentence`` must already be valid (``marker_error`` is None).
    """
    numbers, credibility, judgments = [], [], []
    for match in MARKER_RE.finditer(sentence):
        citation = parse_citation(match.group(1))
        if citation is not None:
            numbers.append(citation[0])
            credibility.append(citation[1])
        else:
            judgments.append(parse_judgment(match.group(1)))
    if len(judgments) > 1:
        return None
    return Sentence(
        text=sentence,
        citations=tuple(numbers),
        credibility=tuple(credibility),
        judgment=judgments[0] if judgments else None,
    )


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
    """Parse a whole briefing; raise FormatError naming the first bad line.

    Within a section, a blank line separates paragraphs (several blank lines
    count as one); blank lines around headings are ignored. A line
    ``References`` ends the sections and starts the References block.
    """
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
    current: tuple[int, int, str] = (0, content[1][0], SUMMARY_HEADING)
    # The current section's paragraphs, each a list of (line number, text).
    paragraphs: list[list[tuple[int, str]]] = [[]]

    def close() -> None:
        number, heading_line, heading = current
        kept = [paragraph for paragraph in paragraphs if paragraph]
        if not kept:
            label = "the executive summary" if number == 0 else f"section {number}"
            raise FormatError(heading_line, f"{label} has no paragraph")
        texts = [" ".join(text for _, text in paragraph) for paragraph in kept]
        firsts = [paragraph[0][0] for paragraph in kept]
        body = parse_body(PARAGRAPH_BREAK.join(texts), firsts[0], lines=firsts)
        if body.errors:
            # Name the exact line the first bad marker is on.
            bad = body.errors[0]
            for n, text in (pair for paragraph in kept for pair in paragraph):
                if any(marker_error(m.group(1)) is not None for m in MARKER_RE.finditer(text)):
                    raise FormatError(n, bad.message)
            raise FormatError(bad.line or firsts[0], bad.message)
        sections.append(ParsedSection(number, heading, body, heading_line))

    summary_index = next(i for i, (n, _) in enumerate(numbered) if n == content[1][0])
    references_at = None
    for index in range(summary_index + 1, len(numbered)):
        n, line = numbered[index]
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
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
            paragraphs = [[]]
        elif line.lower() == SUMMARY_HEADING.lower():
            raise FormatError(n, f"a second '{SUMMARY_HEADING}' line")
        elif line.lower() == REFERENCES_HEADING.lower():
            references_at = index
            break
        else:
            paragraphs[-1].append((n, line))
    close()
    references = None
    if references_at is not None:
        references = parse_references(numbered[references_at + 1 :])
    return ParsedDocument(title=title, sections=sections, title_line=title_line, references=references)


def split_reference_fields(text: str) -> list[str]:
    """Split an entry's details at ``|``; ``\\|`` is a literal bar and ``\\\\`` a backslash."""
    fields, current, index = [], [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in "|\\":
            current.append(text[index + 1])
            index += 2
            continue
        if char == "|":
            fields.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    fields.append("".join(current).strip())
    return fields


def escape_reference_field(value: str) -> str:
    """A source detail as written in an entry: on one line, with ``|`` and ``\\`` escaped."""
    return " ".join((value or "").split()).replace("\\", "\\\\").replace("|", "\\|")


def parse_references(numbered: list[tuple[int, str]]) -> list[ParsedReference]:
    """The entries of a References block; ``numbered`` is ``(line number, stripped line)`` after it."""
    entries: list[ParsedReference] = []
    first_line: dict[int, int] = {}
    for n, line in numbered:
        if not line:
            continue
        if line.lower() == REFERENCES_HEADING.lower():
            raise FormatError(n, f"a second '{REFERENCES_HEADING}' line")
        start = REFERENCE_START_RE.match(line)
        if start is None:
            raise FormatError(
                n,
                f"expected a reference entry '{REFERENCE_FORMAT}': after the '{REFERENCES_HEADING}' "
                "line only reference entries may follow (sections come before it)",
            )
        number = parse_number(start.group(1))
        if number is None:
            raise FormatError(
                n,
                f"[{start.group(1)}] is not a reference number: an entry starts with [n], n a whole "
                f"number from 1 to {MAX_REFERENCE_NUMBER}",
            )
        if number in first_line:
            raise FormatError(n, f"reference [{number}] is listed twice (first on line {first_line[number]})")
        fields = split_reference_fields(start.group(2))
        if not len(REFERENCE_FIELDS) <= len(fields) <= len(REFERENCE_FIELDS) + 2:
            raise FormatError(
                n,
                f"reference [{number}] has {len(fields)} field{'s' if len(fields) != 1 else ''}, expected "
                f"{len(REFERENCE_FIELDS)} separated by '|': {REFERENCE_FORMAT} (leave a field empty, "
                "but keep its '|'; write a '|' inside a field as '\\|'), optionally followed by "
                f"'| grade X' and '| {DETAILS_PENDING}'",
            )
        pending, grade = False, ""
        for extra in fields[len(REFERENCE_FIELDS) :]:
            grade_match = GRADE_FIELD_RE.fullmatch(extra)
            if extra.lower() == DETAILS_PENDING and not pending:
                pending = True
            elif grade_match and not grade:
                grade = grade_match.group(1)
            elif extra.lower() == DETAILS_PENDING or GRADE_FIELD_RE.fullmatch(extra):
                raise FormatError(n, f"reference [{number}]: {extra!r} is given twice")
            elif extra.lower().startswith("grade"):
                raise FormatError(
                    n,
                    f"reference [{number}]: {extra!r} is not a grade: write 'grade A' to 'grade F' "
                    "(the source's reliability, A completely reliable … F cannot be judged)",
                )
            else:
                raise FormatError(
                    n,
                    f"reference [{number}]: a field after the kind can only be 'grade X' (X from A to F) "
                    f"or '{DETAILS_PENDING}', not {extra!r}: {REFERENCE_FORMAT_FULL}",
                )
        title, publisher, url, written_date, kind = fields[: len(REFERENCE_FIELDS)]
        if not title:
            raise FormatError(n, f"reference [{number}] has no title")
        published_on = None
        if written_date:
            try:
                if not ISO_DATE_RE.match(written_date):
                    raise ValueError
                published_on = date.fromisoformat(written_date)
            except ValueError:
                raise FormatError(
                    n, f"reference [{number}]: {written_date!r} is not a date written YYYY-MM-DD"
                ) from None
        first_line[number] = n
        entries.append(
            ParsedReference(
                number=number,
                title=title,
                publisher=publisher,
                url=url,
                published_on=published_on,
                kind=kind,
                details_pending=pending,
                line=n,
                grade=grade,
            )
        )
    return entries


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


def render_document(
    title: str, sections: list[tuple[str, str]], references: list[ParsedReference] | None = None
) -> str:
    """Write a briefing back in the import format.

    ``sections`` is ``[(heading, body), …]`` with the executive summary first;
    each paragraph is written on one line, with a blank line between
    paragraphs. ``references``, if any, are written as the References block
    (``ParsedReference.line`` is ignored).
    """
    out = [title.strip(), SUMMARY_HEADING]
    for index, (heading, body) in enumerate(sections):
        if index:
            out.append(f"{index}. {heading.strip()}")
        paragraphs = [" ".join(paragraph.split()) for paragraph in split_paragraphs(body)]
        out.append("\n\n".join(paragraphs))
    if references:
        out.append(REFERENCES_HEADING)
        for ref in sorted(references, key=lambda r: r.number):
            fields = [
                ref.title,
                ref.publisher,
                ref.url,
                ref.published_on.isoformat() if ref.published_on else "",
                ref.kind,
            ]
            if ref.grade:
                fields.append(f"grade {ref.grade}")
            if ref.details_pending:
                fields.append(DETAILS_PENDING)
            written = [escape_reference_field(f) for f in fields]
            # An empty field is a bare "|": "[2] Title | | | |".
            out.append(
                f"[{ref.number}] {written[0]}" + "".join(f" | {f}" if f else " |" for f in written[1:])
            )
    return "\n".join(out) + "\n"
