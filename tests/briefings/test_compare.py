"""The diff engine on plain states: no database."""

from briefings.text.compare import diff_states, diff_text, tokenize


def state(sections, references=None, title="Sample question?", subject="Estmark"):
    return {
        "briefing": {"title": title, "subject": subject},
        "sections": [
            {
                "id": sid,
                "heading": heading,
                "body": body,
                "partners": [{"slug": p.lower(), "name": p} for p in partners],
            }
            for sid, heading, body, *rest in sections
            for partners in [rest[0] if rest else []]
        ],
        "references": [
            {
                "number": n,
                "source": {"id": sid, "title": f"Source {sid}", "url": f"https://example.org/{sid}"},
            }
            for n, sid in (references or {}).items()
        ],
    }


def ops(diff):
    return [(p.op, p.text) for p in diff.pieces]


def test_tokens_join_back_to_the_text_and_a_marker_is_one_token():
    text = "Arden's loan [12] rose, by 4.5% [3] — see [sic]."
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert "[12]" in tokens and "[3]" in tokens and "[sic]" in tokens
    assert "12" not in tokens


def test_a_changed_citation_reads_as_re_pointed_not_as_a_changed_digit():
    diff = diff_text("Arden lends money [7].", "Arden lends money [17].")
    assert diff.repointed == [(7, 17)]
    assert diff.citations_added == [] and diff.citations_removed == []
    assert ("delete", "[7]") in ops(diff) and ("insert", "[17]") in ops(diff)
    assert all(p.cite in (7, 17) for p in diff.pieces if p.op != "equal")


def test_added_and_removed_citations_are_reported():
    diff = diff_text("A claim [1]. Another [2].", "A claim [1] [5]. Another.")
    assert diff.citations_added == [5]
    assert diff.citations_removed == [2]


def test_word_changes_separated_by_spaces_read_as_one_change():
    diff = diff_text("the old red car", "a new blue car")
    assert ops(diff) == [("delete", "the old red"), ("insert", "a new blue"), ("equal", " car")]
    assert "".join(p.text for p in diff.left) == "the old red car"
    assert "".join(p.text for p in diff.right) == "a new blue car"


def test_identical_states_have_no_changes_and_every_section_collapses():
    a = state([(1, "Executive summary", "Summary [1]."), (2, "Arden: lender", "Arden lends [1].")], {1: 10})
    diff = diff_states(a, a)
    assert not diff.changed
    assert all(s.collapsed for s in diff.sections)
    assert diff.summary() == "no change to the text"


def test_a_moved_section_reads_as_moved_not_deleted_and_added():
    a = state(
        [(1, "Summary", "S."), (2, "Arden", "A."), (3, "Brill", "B."), (4, "Corran", "C."), (5, "D", "D.")]
    )
    b = state(
        [(1, "Summary", "S."), (3, "Brill", "B."), (4, "Corran", "C."), (5, "D", "D."), (2, "Arden", "A.")]
    )
    diff = diff_states(a, b)
    statuses = {s.id: (s.status, s.moved) for s in diff.sections}
    assert statuses["2"] == ("unchanged", True)
    assert not any(s.status in ("added", "removed") for s in diff.sections)
    moved = next(s for s in diff.sections if s.moved)
    assert (moved.old_label, moved.label) == ("§1", "§4")
    assert diff.summary() == "§1→§4"
    # Sections that merely shifted up are not "moved".
    assert [s.id for s in diff.sections if s.moved] == ["2"]


def test_added_removed_and_edited_sections_with_partners_in_the_summary():
    a = state(
        [(1, "Summary", "S [1]."), (2, "Arden", "Arden lends [1].", ["Arden"]), (3, "Old", "Gone [2].")],
        {1: 10, 2: 20},
    )
    b = state(
        [
            (1, "Summary", "S [1]."),
            (2, "Arden", "Arden lends more [1] [13].", ["Arden", "Brill"]),
            (9, "New", "N."),
        ],
        {1: 10, 13: 30},
    )
    diff = diff_states(a, b)
    by_id = {s.id: s for s in diff.sections}
    assert by_id["2"].partners_added == ["Brill"]
    assert by_id["2"].body.citations_added == [13]
    assert by_id["3"].status == "removed"
    assert by_id["9"].status == "added"
    assert diff.summary() == "§1 body/partners, −§2, +§2, refs −[2] +[13]"


def test_a_reference_pointing_to_another_source_flags_its_unchanged_citations():
    a = state([(1, "Summary", "Claim [4]. Other [1].")], {1: 10, 4: 40})
    b = state([(1, "Summary", "Claim [4]. Other [1].")], {1: 10, 4: 41})
    diff = diff_states(a, b)
    (ref4,) = diff.changed_references
    assert (ref4.number, ref4.status) == (4, "repointed")
    section = diff.sections[0]
    assert section.status == "unchanged" and section.citations_affected and not section.collapsed
    flagged = [p.cite for p in section.body.pieces if p.source_changed]
    assert flagged == [4]
    assert diff.summary() == "refs [4] re-pointed"


def test_title_subject_and_source_details_changes():
    a = state([(1, "Summary", "S [1].")], {1: 10}, title="Old question?", subject="Estmark")
    b = state([(1, "Summary", "S [1].")], {1: 10}, title="New question?", subject="Westmark")
    b["references"][0]["source"]["title"] = "Source 10, revised"
    diff = diff_states(a, b)
    assert diff.title.changed and diff.subject.changed
    assert diff.references[0].status == "details"
    assert diff.summary() == "title, subject, refs [1] details"


def test_references_may_be_a_mapping_with_string_keys_as_json_gives_them():
    a = {"briefing": {}, "sections": [], "references": {"2": {"id": 1}}}
    b = {"briefing": {}, "sections": [], "references": {"2": {"id": 2}}}
    assert diff_states(a, b).references[0].status == "repointed"


def test_long_summaries_are_cut_short():
    a = state([(i, f"H{i}", "x") for i in range(20)])
    b = state([(i, f"H{i}", "y") for i in range(20)])
    summary = diff_states(a, b).summary(limit=3)
    assert summary == "Summary body, §1 body, §2 body, and 17 more"


def test_a_source_no_longer_pending_or_of_another_kind_is_a_change():
    source = {"id": 4, "title": "A report", "publisher": "", "url": "", "published_on": None}
    old = {"sections": [], "references": [{"number": 1, "source": {**source, "details_pending": True}}]}
    new = {"sections": [], "references": [{"number": 1, "source": {**source, "details_pending": False}}]}
    diff = diff_states(old, new)
    assert diff.changed and diff.references[0].status == "details"
    kinds = [{**source, "kind": "report"}, {**source, "kind": "news"}]
    assert diff_states(
        {"references": [{"number": 1, "source": kinds[0]}]},
        {"references": [{"number": 1, "source": kinds[1]}]},
    ).changed
    # The old internal rating (schema 2) was never shown: no change. A grade is public: a change.
    rated = [{**source, "reliability": "high"}, {**source, "reliability": "low"}]
    assert not diff_states(
        {"references": [{"number": 1, "source": rated[0]}]},
        {"references": [{"number": 1, "source": rated[1]}]},
    ).changed
    graded = [{**source, "grade": "B"}, {**source, "grade": "D"}]
    regraded = diff_states(
        {"references": [{"number": 1, "source": graded[0]}]},
        {"references": [{"number": 1, "source": graded[1]}]},
    )
    assert regraded.changed and regraded.references[0].status == "details"
    # A schema 2 source (no grade) against the same source ungraded in schema 3 is no change.
    assert not diff_states(
        {"references": [{"number": 1, "source": rated[0]}]},
        {"references": [{"number": 1, "source": {**source, "grade": ""}}]},
    ).changed


def test_a_renamed_or_redescribed_partner_is_a_change_of_its_section():
    def with_partner(**partner):
        section = {"id": 1, "heading": "Arden", "body": "Arden lends.", "partners": [partner]}
        return {"sections": [section]}

    old = with_partner(slug="arden", name="Arden", description="A lender.")
    renamed = diff_states(old, with_partner(slug="arden", name="Arden Bank", description="A lender."))
    assert renamed.changed and renamed.sections[0].partners_changed == [("Arden", "Arden Bank")]
    assert renamed.summary() == "Summary partners"
    assert diff_states(old, with_partner(slug="arden", name="Arden", description="A bank.")).changed
    # A revision's state stores no description: that is not a difference.
    assert not diff_states(with_partner(slug="arden", name="Arden"), old).changed
