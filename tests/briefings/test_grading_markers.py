"""The text format's credibility ``[n:c]`` and judgment ``[judgment: …]`` markers, and ``grade X`` entries."""

import pytest

from briefings.text.compare import citation_number, diff_text
from briefings.text.parsing import FormatError, parse_body, parse_document, render_document


def test_a_citation_may_state_the_credibility_of_what_it_supports():
    body = parse_body("Arden lends [3:2] [1]. Belmont builds [4:6].")
    assert not body.errors
    first, second = body.sentences
    assert first.citations == (3, 1)
    assert first.credibility == (2, None)
    assert second.citations == (4,)
    assert second.credibility == (6,)
    assert body.citations == [3, 1, 4]


@pytest.mark.parametrize(
    "marker", ["[3:7]", "[3:0]", "[3:]", "[3: 2]", "[3:02]", "[3 :2]", "[:2]", "[3:2:1]"]
)
def test_any_other_credibility_spelling_is_an_error_naming_the_marker(marker):
    body = parse_body(f"Arden lends {marker}.")
    assert body.errors
    assert repr(marker) in body.errors[0].message
    assert "[n:c]" in body.errors[0].message


def test_a_judgment_marker_marks_the_sentence_with_its_confidence():
    body = parse_body(
        "Arden will lend again [judgment: moderate]. It lends [1] [judgment: high]. Belmont builds."
    )
    assert not body.errors
    judged, cited_judged, plain = body.sentences
    assert (judged.judgment, judged.citations) == ("moderate", ())
    assert (cited_judged.judgment, cited_judged.citations) == ("high", (1,))
    assert plain.judgment is None
    # Only the sentence with neither a citation nor a judgment is warned about, with how to fix it.
    assert [s.text for s in body.unsupported] == ["Belmont builds."]
    (warning,) = body.warnings
    assert "'Belmont builds.'" in warning.message
    assert "[judgment: low], [judgment: moderate] or [judgment: high]" in warning.message


@pytest.mark.parametrize(
    "marker",
    ["[judgement: high]", "[Judgment: high]", "[judgment: medium]", "[judgment:high]", "[judgment: High]"],
)
def test_a_misspelt_judgment_is_an_error_giving_the_accepted_spellings(marker):
    body = parse_body(f"Arden will lend again {marker}.")
    (error,) = body.errors
    assert repr(marker) in error.message
    assert "[judgment: low], [judgment: moderate], [judgment: high]" in error.message


def test_two_judgments_in_one_sentence_are_an_error():
    body = parse_body("Arden will lend [judgment: low] [judgment: high].")
    assert body.errors and "more than one judgment marker" in body.errors[0].message


def test_a_bad_marker_in_a_file_names_its_line():
    text = "Title\nExecutive summary\nOne [1:2].\n\nTwo [judgment: low].\n\nThree [judgement: low].\n"
    with pytest.raises(FormatError) as caught:
        parse_document(text)
    assert caught.value.line == 7
    assert "[judgement: low]" in caught.value.message
    text = "Title\nExecutive summary\nOne [1].\n1. Arden\nFine [2:3].\nBad [2:9].\n"
    with pytest.raises(FormatError) as caught:
        parse_document(text)
    assert caught.value.line == 6
    assert "'[2:9]'" in caught.value.message


def test_a_judgment_marker_cannot_go_in_a_heading():
    with pytest.raises(FormatError) as caught:
        parse_document("Title\nExecutive summary\nOne [1].\n1. Arden [judgment: low]\nText [1].\n")
    assert caught.value.line == 4


@pytest.mark.parametrize("marker", ["[3:2]", "[3]", "[3:7]", "[3:]", "[3: 2]", "[judgment: low]"])
def test_the_compare_engine_reads_citations_as_the_parser_does(marker):
    parsed = parse_body(f"Arden lends {marker}.")
    if parsed.errors or not parsed.citations:
        assert citation_number(marker) is None
    else:
        assert parsed.citations == [citation_number(marker)]


def test_a_credibility_change_is_one_changed_token_and_is_reported():
    diff = diff_text("Arden lends [3] money [4:2].", "Arden lends [3:2] money [4:5].")
    deleted = [p.text for p in diff.pieces if p.is_delete]
    inserted = [p.text for p in diff.pieces if p.is_insert]
    assert deleted == ["[3]", "[4:2]"]
    assert inserted == ["[3:2]", "[4:5]"]
    assert diff.credibility_changed == [(3, None, 2), (4, 2, 5)]
    # Not a re-pointing, and the citations themselves are neither added nor removed.
    assert diff.repointed == []
    assert diff.citations_added == [] and diff.citations_removed == []


def test_a_references_entry_may_give_a_grade_and_details_pending_in_either_order():
    text = (
        "Title\nExecutive summary\nOne [1] [2] [3] [4].\nReferences\n"
        "[1] One | | | | news | grade B\n"
        "[2] Two | | | | | details pending | grade F\n"
        "[3] Three | | | | | grade A | details pending\n"
        "[4] Four | | | |\n"
    )
    refs = parse_document(text).references
    assert [(r.grade, r.details_pending) for r in refs] == [
        ("B", False),
        ("F", True),
        ("A", True),
        ("", False),
    ]
    written = render_document("Title", [("Executive summary", "One [1] [2] [3] [4].")], refs)
    assert "[1] One | | | | news | grade B\n" in written
    assert "[3] Three | | | | | grade A | details pending\n" in written
    assert [(r.grade, r.details_pending) for r in parse_document(written).references] == [
        ("B", False),
        ("F", True),
        ("A", True),
        ("", False),
    ]


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("[1] One | | | | | grade G", "'grade G' is not a grade: write 'grade A' to 'grade F'"),
        ("[1] One | | | | | grade b", "'grade b' is not a grade"),
        ("[1] One | | | | | Grade B", "'Grade B' is not a grade"),
        ("[1] One | | | | | grade B | grade C", "'grade C' is given twice"),
        ("[1] One | | | | | details pending | details pending", "'details pending' is given twice"),
        ("[1] One | | | | | reliable", "a field after the kind can only be 'grade X'"),
        ("[1:2] One | | | |", "[1:2] is not a reference number"),
    ],
)
def test_a_bad_grade_field_is_an_error_naming_its_line(entry, fragment):
    text = f"Title\nExecutive summary\nOne [1].\nReferences\n{entry}\n"
    with pytest.raises(FormatError) as caught:
        parse_document(text)
    assert caught.value.line == 5
    assert fragment in caught.value.message
