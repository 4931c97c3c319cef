"""Long text stays workable: linear splitting and debris removal, bounded word diffs, a size limit.

Speed itself is measured by ``manage.py bench_text``; these tests pin the
behaviour at sizes that were pathological (a run of 200,000 characters
without a space used to take minutes) and bound the time loosely, as the
hostile-input tests do.
"""

import random
import time

import pytest
from django.core.management.base import CommandError

from briefings.models import Briefing
from briefings.text.compare import diff_text
from briefings.text.parsing import MAX_SECTION_CHARS, parse_body, render_document
from tests.briefings.admin_forms import change_form_data, section_key
from tests.briefings.test_import import model_counts, run_import, write
from tests.factories import make_briefing, make_user


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def test_a_long_section_splits_into_every_sentence_with_abbreviations_kept():
    body = " ".join(f"Dr. Ruiz met U.S. lender no. {i} in St. Arden [1]." for i in range(8000))
    parsed, seconds = timed(lambda: parse_body(body))
    assert len(parsed.sentences) == 8000
    assert parsed.sentences[41].text == "Dr. Ruiz met U.S. lender no. 41 in St. Arden [1]."
    assert seconds < 5


def test_a_long_run_without_spaces_is_parsed_and_pasted_link_debris_still_removed():
    run = "x" * 200_000
    body = f'A claim [1]. {run} [1]. See the report" target="_blank" rel="noopener">here [1].'
    parsed, seconds = timed(lambda: parse_body(body))
    assert seconds < 5
    assert [s.text for s in parsed.sentences][0] == "A claim [1]."
    assert len(parsed.sentences) == 3
    assert "target=" not in parsed.text
    assert any("broken link fragment" in w.message for w in parsed.warnings)


def test_one_changed_word_in_an_8000_word_sentence_shows_as_that_word():
    words = " ".join(f"word{i % 50} the" for i in range(4000))
    old, new = f"{words} end [1].", f"{words.replace('word7 the', 'changed the', 1)} end [1]."
    diff, seconds = timed(lambda: diff_text(old, new).pieces)
    assert seconds < 5
    changes = [(p.op, p.text) for p in diff if p.op != "equal"]
    assert changes == [("delete", "word7"), ("insert", "changed")]


def test_a_rewritten_long_sentence_is_shown_replaced_in_bounded_time():
    old = " ".join(["the old lender"] * 3000) + " [1]."
    new = " ".join(["a new builder"] * 3000) + " [1]."
    pieces, seconds = timed(lambda: diff_text(old, new).pieces)
    assert seconds < 5
    assert "".join(p.text for p in pieces if p.op != "insert") == old
    assert "".join(p.text for p in pieces if p.op != "delete") == new


def test_one_changed_sentence_among_8000_shows_as_that_sentence_only():
    sentences = [f"Sample sentence {i} about lender no. {i} [1]." for i in range(8000)]
    old = " ".join(sentences)
    sentences[4000] = "A rewritten sample sentence [2]."
    new = " ".join(sentences)
    diff = diff_text(old, new)
    pieces, seconds = timed(lambda: diff.pieces)
    assert seconds < 5
    changes = "".join(p.text for p in pieces if p.op == "insert")
    assert changes.startswith("A rewritten") and "4001" not in changes and "3999" not in changes
    assert "".join(p.text for p in pieces if p.op != "insert") == old
    assert "".join(p.text for p in pieces if p.op != "delete") == new
    assert diff.citations_added == [2] and diff.citations_removed == [1]


@pytest.mark.parametrize("seed", range(200))
def test_any_edit_of_a_few_sentences_keeps_both_texts_whole_in_the_diff(seed):
    """The diff skips the sentences both texts share: whatever the edit, each side is its text."""
    rng = random.Random(seed)
    pool = [
        "Arden lends.",
        "Belmont builds [1].",
        "Corvia “guards” [2].",
        "It is dry! ",
        "Why? [1]",
        "No [3].",
    ]
    old_sentences = [rng.choice(pool) for _ in range(rng.randint(0, 8))]
    new_sentences = list(old_sentences)
    for _ in range(rng.randint(1, 3)):
        where = rng.randint(0, len(new_sentences))
        action = rng.choice(["insert", "delete", "change"])
        if action == "insert" or not new_sentences:
            new_sentences.insert(where, rng.choice(pool))
        elif action == "delete":
            new_sentences.pop(min(where, len(new_sentences) - 1))
        else:
            new_sentences[min(where, len(new_sentences) - 1)] += rng.choice([" more", "  [4]", "."])
    old, new = " ".join(old_sentences), rng.choice([" ", "  "]).join(new_sentences)
    diff = diff_text(old, new)
    assert "".join(p.text for p in diff.pieces if p.op != "insert") == old
    assert "".join(p.text for p in diff.pieces if p.op != "delete") == new
    assert (old == new) == all(p.op == "equal" for p in diff.pieces)


def oversized():
    sentence = "An oversized sample sentence about the reservoir is cited [1]. "
    return sentence * (MAX_SECTION_CHARS // len(sentence) + 1)


@pytest.mark.django_db
def test_an_import_with_an_oversized_section_is_refused_naming_the_line(tmp_path):
    text = render_document(
        "Sample question: an oversized section?",
        [("Executive summary", "A sample summary [1]."), ("Arden: the lender", oversized())],
    )
    path = write(tmp_path, text)
    before = model_counts()
    with pytest.raises(CommandError) as caught:
        run_import(path, "--slug", "oversized")
    assert f"a section may hold at most {MAX_SECTION_CHARS:,}" in str(caught.value)
    assert str(caught.value).startswith(f"{path}:")
    assert model_counts() == before


@pytest.mark.django_db
def test_the_admin_refuses_an_oversized_section_and_keeps_the_rest(client):
    briefing = make_briefing()
    client.force_login(make_user(username="ed", group="Editors"))
    data = change_form_data(client, briefing)
    data[section_key(data, 1)] = oversized()
    response = client.post(f"/admin/briefings/briefing/{briefing.pk}/change/", data)
    assert response.status_code == 200
    assert "a section may hold at most" in response.content.decode()
    assert Briefing.objects.get(pk=briefing.pk).edit_version == briefing.edit_version
