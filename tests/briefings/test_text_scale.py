"""Long text stays workable: linear splitting and debris removal, bounded word diffs, a size limit.

Speed itself is measured by ``manage.py bench_text``; these tests pin the
behaviour at sizes that were pathological (a run of 200,000 characters
without a space used to take minutes) and bound the time loosely, as the
hostile-input tests do.
"""

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
