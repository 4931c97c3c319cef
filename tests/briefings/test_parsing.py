"""The briefing text format: markers, sentences, clean-up, headings and whole documents."""

from datetime import date

import pytest

from briefings.text.compare import citation_number
from briefings.text.parsing import (
    MAX_REFERENCE_NUMBER,
    FormatError,
    ParsedReference,
    clean_paragraph,
    normalise_body,
    parse_body,
    parse_document,
    parse_marker,
    partner_from_heading,
    render_document,
    split_sentences,
)

SAMPLE = """Sample question: who shapes Estmark's water?
Executive summary
Arden lends [1]. Belmont builds [2] [1].
1. Arden: the lender
Arden refinanced the debt [1].
2. The limits of support: what nobody can do
Nobody can make it rain [2].
"""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (str(MAX_REFERENCE_NUMBER), MAX_REFERENCE_NUMBER),
        ("0", None),
        ("", None),
        (" ", None),
        ("abc", None),
        ("-1", None),
        ("1.5", None),
        ("sic", None),
        (" 5 ", None),
        ("5 ", None),
        ("05", None),
        (str(MAX_REFERENCE_NUMBER + 1), None),
        ("99999999999", None),
    ],
)
def test_a_marker_is_a_positive_integer_that_fits_the_database(content, expected):
    assert parse_marker(content) == expected


def test_sentences_split_on_full_stops_but_not_after_abbreviations_or_initialisms():
    text = (
        "U.S. pressure grew after Dr. Ruiz spoke at the U.N. on Monday [1]. "
        "Arms arrived, e.g. radars and jets [2]! Did it work? Nobody knows."
    )
    assert split_sentences(text) == [
        "U.S. pressure grew after Dr. Ruiz spoke at the U.N. on Monday [1].",
        "Arms arrived, e.g. radars and jets [2]!",
        "Did it work?",
        "Nobody knows.",
    ]


def test_a_marker_written_after_the_full_stop_belongs_to_the_sentence_before():
    assert split_sentences("Arden lends. [3] [4] Belmont builds [5].") == [
        "Arden lends. [3] [4]",
        "Belmont builds [5].",
    ]


def test_citations_keep_the_order_written_and_repeats():
    body = parse_body("Arden and Belmont both lend [5] [1] [5]. Corvia patrols [2].")
    assert [s.citations for s in body.sentences] == [(5, 1, 5), (2,)]
    assert body.citations == [5, 1, 5, 2]
    assert body.errors == []


def test_a_sentence_without_citation_is_kept_and_warned_about():
    body = parse_body("Arden lends [1]. This sentence cites nothing. Belmont builds [2].", line=7)
    assert [s.text for s in body.sentences] == [
        "Arden lends [1].",
        "This sentence cites nothing.",
        "Belmont builds [2].",
    ]
    assert [s.text for s in body.claims] == ["Arden lends [1].", "Belmont builds [2]."]
    assert len(body.warnings) == 1
    assert body.warnings[0].line == 7
    assert "no citation" in body.warnings[0].message
    assert "This sentence cites nothing." in body.warnings[0].message


@pytest.mark.parametrize("marker", ["[0]", "[abc]", "[ ]", "[]", "[99999999999]", "[sic]"])
def test_a_bad_marker_is_an_error_naming_it(marker):
    body = parse_body(f"Arden lends [1]. Belmont builds {marker}.", line=4)
    assert len(body.errors) == 1
    assert marker in body.errors[0].message
    assert body.errors[0].line == 4
    assert body.sentences == []


def test_pasted_link_debris_is_removed_with_a_warning_and_the_markers_stay():
    text = 'Recent events revealed limits [4] Estmark" target="_blank" rel="noopener noreferrer">[5].'
    cleaned, warnings = clean_paragraph(text, line=3)
    assert cleaned == "Recent events revealed limits [4] [5]."
    assert len(warnings) == 1
    assert warnings[0].line == 3
    assert 'target="_blank"' in warnings[0].message
    assert str(warnings[0]).startswith("line 3: removed a broken link fragment")


def test_ordinary_quotes_and_angle_brackets_are_not_debris():
    text = 'He said "enough" [1]. Rates rose > 5% [2].'
    assert clean_paragraph(text) == (text, [])


def test_parse_body_without_cleaning_keeps_text_as_typed():
    text = 'Limits [4] Estmark" target="_blank">[5].'
    assert parse_body(text, clean=False).text == text


@pytest.mark.parametrize(
    ("heading", "partner"),
    [
        ("Russia: the principal military patron", "Russia"),
        ("Arden: the lender", "Arden"),
        ("United States of America: the rival", "United States of America"),
        ("Bank of Arden: a lender", "Bank of Arden"),
        ("The limits of external support: capability gaps", None),
        ("A note: on sources", None),
        ("Strategic signaling, sanctions and the post-crisis calculus", None),
        ("strategic signals: lower case", None),
        ("One two three four five: too long to be a name", None),
        (": nothing before the colon", None),
    ],
)
def test_partner_from_heading(heading, partner):
    assert partner_from_heading(heading) == partner


def test_parse_document_reads_title_summary_and_numbered_sections():
    document = parse_document(SAMPLE)
    assert document.title == "Sample question: who shapes Estmark's water?"
    assert [(s.number, s.heading, s.line) for s in document.sections] == [
        (0, "Executive summary", 2),
        (1, "Arden: the lender", 4),
        (2, "The limits of support: what nobody can do", 6),
    ]
    assert [s.partner_name for s in document.sections] == [None, "Arden", None]
    assert document.reference_numbers == [1, 2]
    assert document.sections[0].body.citations == [1, 2, 1]


def test_a_paragraph_may_run_over_several_lines_and_blank_lines_are_ignored():
    document = parse_document("Title\n\nExecutive summary\nFirst line [1].\nSecond line [2].\n\n")
    assert document.sections[0].body.text == "First line [1]. Second line [2]."


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "empty"),
        ("   \n\n", 1, "empty"),
        ("Executive summary\nText [1].\n", 1, "question"),
        ("Title\nSummary\nText [1].\n", 2, "Executive summary"),
        ("Title\n", 1, "Executive summary"),
        ("Title\nExecutive summary\n1. One\nText [1].\n", 2, "no paragraph"),
        ("Title\nExecutive summary\nText [1].\n2. Two\nText [1].\n", 4, "expected 1"),
        ("Title\nExecutive summary\nText [1].\n1. One\nA [1].\n1. One again\nB [1].\n", 6, "expected 2"),
        ("Title\nExecutive summary\nText [1].\n1. One\nA [1].\nExecutive summary\nB.\n", 6, "second"),
        ("Title\nExecutive summary\nText [1].\n1. One\nA [1].\nB [0].\n", 6, "[0]"),
        ("Title\nExecutive summary\nText [abc].\n", 3, "[abc]"),
        ("Title\nExecutive summary\nText [1].\n1. One\nA [1] and [n].\n", 5, "[n]"),
        ("Title\nExecutive summary\nText [1].\n1. One\nA [1].\n2. Two\n", 6, "section 2 has no paragraph"),
    ],
)
def test_a_malformed_document_names_the_first_bad_line(text, line, fragment):
    with pytest.raises(FormatError) as caught:
        parse_document(text)
    assert caught.value.line == line
    assert fragment in caught.value.message


def test_render_document_writes_the_import_format_back():
    document = parse_document(SAMPLE)
    text = render_document(document.title, [(s.heading, s.body.text) for s in document.sections])
    assert text == SAMPLE


class TestSeedBriefing:
    @pytest.fixture
    def document(self, seed_text):
        return parse_document(seed_text.read_text(encoding="utf-8"))

    def test_title_summary_and_five_sections(self, document):
        assert document.title.startswith("What role do Russia, China, and Iran play")
        assert document.title.endswith("defense and foreign policy?")
        assert [s.number for s in document.sections] == [0, 1, 2, 3, 4, 5]
        assert document.sections[0].heading == "Executive summary"

    def test_partners_come_from_sections_one_to_three_only(self, document):
        assert [s.partner_name for s in document.sections] == [None, "Russia", "China", "Iran", None, None]

    def test_twelve_references_fourteen_claims_thirty_citations(self, document):
        assert document.reference_numbers == list(range(1, 13))
        assert sum(len(s.body.claims) for s in document.sections) == 14
        assert sum(len(s.body.citations) for s in document.sections) == 30

    def test_citation_order_within_a_claim_is_kept(self, document):
        claims = [claim.citations for s in document.sections for claim in s.body.claims]
        assert claims[0] == (1, 2, 3)
        assert claims[1] == (4, 5)
        assert (5, 1) in claims
        assert (11, 12, 1) in claims

    def test_link_debris_is_removed_with_a_warning_naming_line_three(self, document):
        summary = document.sections[0].body
        assert "target=" not in summary.text
        assert "noopener" not in summary.text
        assert "[4] [5]." in summary.text
        debris = [w for w in document.warnings if "broken link fragment" in w.message]
        assert [w.line for w in debris] == [3]
        assert all(w.line == 3 for w in debris)


DOC = "Title\nExecutive summary\nText [1].\n1. One\nA [1].\n{line}\nB [2].\n"


def test_a_citation_in_the_next_sections_heading_is_an_error_naming_the_line():
    with pytest.raises(FormatError) as caught:
        parse_document(DOC.format(line="2. Belmont: the builder [3]"))
    assert caught.value.line == 6
    assert caught.value.message == "a heading cannot carry citations; put them in the paragraph"


def test_a_long_line_numbered_as_the_next_section_is_a_heading_whatever_its_length():
    heading = "Belmont: " + "the builder " * 40
    document = parse_document(DOC.format(line=f"2. {heading}"))
    assert [s.number for s in document.sections] == [0, 1, 2]
    assert document.sections[2].heading == heading.strip()
    assert document.sections[1].body.text == "A [1]."


def test_a_paragraph_line_opening_with_another_number_stays_paragraph_text():
    document = parse_document(DOC.format(line="1990. The year the dam opened [2]."))
    assert [s.number for s in document.sections] == [0, 1]
    assert document.sections[1].body.text == "A [1]. 1990. The year the dam opened [2]. B [2]."


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x1f"])
def test_a_control_character_is_an_error_naming_its_line(char):
    with pytest.raises(FormatError) as caught:
        parse_document(f"Title\nExecutive summary\nText [1].\n1. One\nA{char} [1].\n")
    assert caught.value.line == 5
    assert caught.value.message.startswith(f"control character U+{ord(char):04X}")


def test_tabs_and_windows_line_ends_are_not_control_errors():
    document = parse_document("Title\r\nExecutive summary\r\nText\t[1].\r\n")
    assert document.sections[0].body.text == "Text\t[1]."


@pytest.mark.parametrize("marker", ["[5]", "[12]", "[ 5 ]", "[5 ]", "[05]", "[0]", "[ ]", "[sic]"])
def test_the_parser_and_the_compare_engine_agree_on_what_is_a_citation(marker):
    parsed = parse_body(f"Arden lends {marker}.")
    accepted = not parsed.errors
    assert accepted == (citation_number(marker) is not None)
    if accepted:
        assert parsed.citations == [citation_number(marker)]


# Paragraphs: a blank line separates them, in a body and in a file.


def test_a_body_holds_paragraphs_separated_by_one_blank_line():
    body = parse_body("Arden lends [1]. Belmont builds [2].\r\n\r\n\r\n  \r\nCorvia patrols [3].")
    assert body.text == "Arden lends [1]. Belmont builds [2].\n\nCorvia patrols [3]."
    assert [[s.text for s in p.sentences] for p in body.paragraphs] == [
        ["Arden lends [1].", "Belmont builds [2]."],
        ["Corvia patrols [3]."],
    ]
    assert body.citations == [1, 2, 3]


def test_a_sentence_never_runs_across_a_paragraph_break():
    # No full stop before the break: still two sentences, each with its own citation.
    body = parse_body("Arden lends [1]\n\nBelmont builds [2].")
    assert [(s.text, s.citations) for s in body.sentences] == [
        ("Arden lends [1]", (1,)),
        ("Belmont builds [2].", (2,)),
    ]


def test_normalise_body_keeps_text_inside_a_paragraph_as_typed():
    typed = "First line [1],\r\nsame paragraph.\r\n\r\n\r\nSecond paragraph [2]."
    assert normalise_body(typed) == "First line [1],\nsame paragraph.\n\nSecond paragraph [2]."
    assert normalise_body(normalise_body(typed)) == normalise_body(typed)


def test_a_file_section_may_hold_several_paragraphs_with_their_own_lines():
    document = parse_document(
        "Title\nExecutive summary\nOne [1].\n\n\nTwo, first line [2]\nand second line.\n"
        "1. Arden: the lender\n\nArden lends [1].\n\nNothing here.\n\n"
    )
    summary, arden = document.sections
    assert summary.body.text == "One [1].\n\nTwo, first line [2] and second line."
    assert arden.body.text == "Arden lends [1].\n\nNothing here."
    # The uncited sentence is reported on the line of its own paragraph.
    assert [w.line for w in arden.body.warnings] == [12]


def test_a_bad_marker_in_a_later_paragraph_names_its_line():
    with pytest.raises(FormatError) as caught:
        parse_document("Title\nExecutive summary\nOne [1].\n\nTwo [x].\n")
    assert caught.value.line == 5


def test_paragraphs_are_written_back_with_a_blank_line_and_read_again():
    text = "Title\nExecutive summary\nOne [1].\n\nTwo [2].\n1. Arden: the lender\nArden [1].\n"
    document = parse_document(text)
    assert render_document(document.title, [(s.heading, s.body.text) for s in document.sections]) == text


# The References block.

WITH_REFERENCES = """Title
Executive summary
One [1]. Two [2] [3].
References
[1] Water review | Arden Bank | https://example.org/review | 2024-03-01 | analysis
[2] A title with a \\| bar and a \\\\ backslash | | | |
[3] Source [3] — details needed | | | | other | details pending
"""


def test_the_references_block_lists_each_entry_and_its_details():
    document = parse_document(WITH_REFERENCES)
    first, second, third = document.references
    assert first == ParsedReference(
        number=1,
        title="Water review",
        publisher="Arden Bank",
        url="https://example.org/review",
        published_on=date(2024, 3, 1),
        kind="analysis",
        details_pending=False,
        line=5,
    )
    assert (second.title, second.publisher, second.url, second.published_on, second.kind) == (
        "A title with a | bar and a \\ backslash",
        "",
        "",
        None,
        "",
    )
    assert third.details_pending and third.title == "Source [3] — details needed"
    assert document.sections[0].body.text == "One [1]. Two [2] [3]."
    text = render_document(
        document.title, [(s.heading, s.body.text) for s in document.sections], document.references
    )
    assert text == WITH_REFERENCES


def test_a_file_without_a_references_block_has_none():
    assert parse_document(SAMPLE).references is None


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("1 | Title | | | |", "expected a reference entry '[n] title | publisher | URL | date | kind'"),
        ("[0] Title | | | |", "[0] is not a reference number"),
        ("[1] Title | Publisher", "reference [1] has 2 fields, expected 5 separated by '|'"),
        ("[1] Title | | | | | | |", "reference [1] has 8 fields"),
        (
            "[1] Title | | | | news | maybe",
            "a field after the kind can only be 'grade X' (X from A to F) or 'details pending'",
        ),
        ("[1]  | Publisher | | |", "reference [1] has no title"),
        ("[1] Title | | | 2024-13-01 |", "'2024-13-01' is not a date written YYYY-MM-DD"),
        ("[1] Title | | | 1 March 2024 |", "'1 March 2024' is not a date"),
        ("2. Arden: a section after the references", "sections come before it"),
    ],
)
def test_a_malformed_reference_line_is_named_with_what_is_wrong(entry, fragment):
    text = f"Title\nExecutive summary\nOne [1].\nReferences\n[2] Fine | | | |\n{entry}\n"
    with pytest.raises(FormatError) as caught:
        parse_document(text)
    assert caught.value.line == 6
    assert fragment in caught.value.message


def test_a_reference_listed_twice_names_both_lines():
    with pytest.raises(FormatError) as caught:
        parse_document("Title\nExecutive summary\nOne [1].\nReferences\n[1] A | | | |\n\n[1] B | | | |\n")
    assert caught.value.line == 7
    assert "reference [1] is listed twice (first on line 5)" in caught.value.message
