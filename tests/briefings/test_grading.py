"""Source grades, citation credibility, judgments, the publish gate and the sourcing summary."""

import json
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing, ClaimCitation, Publication, PublishedReference
from briefings.publishing.publish import PublishError, rebuild_derived
from briefings.publishing.review import submit_for_review
from briefings.publishing.snapshot import render_snapshot
from sources.models import Source
from tests.briefings.admin_forms import approval, change_form_data
from tests.briefings.history_helpers import revise, set_body
from tests.factories import make_briefing, make_source, make_user, publish, publisher

pytestmark = pytest.mark.django_db

XSS = "<script>alert('x')</script>"


def model_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def graded_briefing():
    """A known briefing: 4 sources (2 news B, 1 government C, 1 ungraded other), judgments, credibility."""
    sources = {
        1: make_source("Arden review", kind="news", grade="B"),
        2: make_source("Belmont wire", kind="news", grade="B"),
        3: make_source("Ministry statement", kind="government", grade="C"),
        4: make_source(f"Ungraded {XSS}", kind="other"),
        5: make_source("Listed but never cited", kind="data", grade="A"),
    }
    return make_briefing(
        sections=[
            (
                "Executive summary",
                "Arden lends [1:2]. Belmont builds [2] [2:1]. "
                "The desk expects more lending [judgment: high].",
            ),
            (
                "Arden: the lender",
                "Arden and Belmont agree [1] [2:3]. The ministry denies it [3:5] [judgment: low].\n\n"
                f"A reader's {XSS} claim [4]. Nobody will say so [judgment: moderate].",
                ["Arden"],
            ),
        ],
        references=sources,
    )


# Grades on sources: the constraint, the admin.


def test_the_database_refuses_a_grade_outside_a_to_f():
    source = make_source(grade="B")
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(grade="G")
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(grade="b")
    Source.objects.filter(pk=source.pk).update(grade="")
    assert Source.objects.get(pk=source.pk).grade == ""


def test_the_database_refuses_a_credibility_outside_1_to_6():
    briefing = make_briefing(sections=[("Executive summary", "Arden lends [1:2].")])
    publish(briefing)
    citation = ClaimCitation.objects.get(claim__section__briefing=briefing)
    assert citation.credibility == 2
    for bad in (0, 7):
        with pytest.raises(IntegrityError), transaction.atomic():
            ClaimCitation.objects.filter(pk=citation.pk).update(credibility=bad)


def test_the_source_admin_lists_filters_and_edits_the_grade():
    client = Client()
    client.force_login(make_user(username="edna", group="Editors"))
    source = make_source("Graded wire", grade="D")
    listing = client.get(reverse("admin:sources_source_changelist"), {"grade__exact": "D"}).content.decode()
    assert "Graded wire" in listing and "D — not usually reliable" in listing
    form = client.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    assert 'name="grade"' in form and "A — completely reliable" in form and "Not yet graded" in form


# The admin: saving [n:c] and [judgment: …].


def editor_client():
    client = Client()
    client.force_login(make_user(username="eddie", group="Editors"))
    return client


def test_the_admin_saves_credibility_and_judgment_markers_and_warns_only_about_unmarked_sentences():
    briefing = make_briefing()
    client = editor_client()
    data = change_form_data(client, briefing)
    data["sections-1-body"] = "Arden lends [1:2]. Arden will lend again [judgment: high]. Nobody says why."
    response = client.post(reverse("admin:briefings_briefing_change", args=[briefing.pk]), data, follow=True)
    assert response.status_code == 200
    body = briefing.sections.order_by("position")[1].body
    assert body == "Arden lends [1:2]. Arden will lend again [judgment: high]. Nobody says why."
    page = client.get(reverse("admin:briefings_briefing_change", args=[briefing.pk])).content.decode()
    assert "Nobody says why." in page and "mark it as the desk&#x27;s judgment with [judgment: low]" in page
    assert "Arden will lend again" not in page.split("sentence has no citation")[1][:200]


@pytest.mark.parametrize(
    ("marker", "fragment"),
    [("[1:7]", "&#x27;[1:7]&#x27; is not a citation"), ("[judgement: high]", "is not a judgment marker")],
)
def test_the_admin_refuses_a_bad_marker_beside_its_section_and_writes_nothing(marker, fragment):
    briefing = make_briefing()
    client = editor_client()
    data = change_form_data(client, briefing)
    data["sections-1-body"] = f"Arden lends {marker}."
    before = model_counts()
    response = client.post(reverse("admin:briefings_briefing_change", args=[briefing.pk]), data)
    assert response.status_code == 200
    assert fragment in response.content.decode()
    assert model_counts() == before


# The publish gate.


def test_publishing_refuses_an_unmarked_uncited_sentence_naming_its_section_and_writes_nothing():
    long = "This sentence cites nothing and goes on for quite a while so that the quote is cut " * 2
    briefing = make_briefing(
        sections=[
            ("Executive summary", "Arden lends [1]."),
            ("Arden: the lender", f"Arden lends [1]. {long.strip()}."),
        ]
    )
    user = publisher()
    before = model_counts()
    with pytest.raises(PublishError) as refused:
        publish(briefing, user=user)
    (problem,) = refused.value.problems
    assert problem.startswith("§1 “Arden: the lender”: the sentence “This sentence cites nothing")
    assert "...”" in problem  # quoted to its first 80 characters
    assert "[judgment: low], [judgment: moderate] or [judgment: high]" in problem
    assert model_counts() == before
    revise(briefing, set_body(1, f"Arden lends [1]. {long.strip()} [judgment: low]."))
    assert publish(briefing).number == 1


def test_the_review_page_refuses_to_publish_and_says_which_sentence(settings):
    settings.ASSAY_ALLOW_SELF_APPROVAL = True
    briefing = make_briefing(sections=[("Executive summary", f"Arden lends [1]. Nobody {XSS} cites this.")])
    submit_for_review(briefing=briefing, user=make_user(username="edith", group="Editors"), message="Ready.")
    client = Client()
    client.force_login(make_user(username="rhea", group="Reviewers"))
    url = reverse("admin:briefings_briefing_review", args=[briefing.pk])
    page = client.get(url).content.decode()
    assert "cannot be published yet" in page
    assert "Executive summary: the sentence “Nobody &lt;script&gt;" in page
    assert XSS not in page
    post = {**approval(briefing), "action": "approve", "kind": "first", "note": "First."}
    post["opened_at"] = timezone.now().isoformat()
    before = model_counts()
    response = client.post(url, post)
    assert response.status_code == 200
    assert "has no citation and is not marked as a judgment" in response.content.decode()
    assert model_counts() == before
    assert not Publication.objects.filter(briefing=briefing).exists()


UNMARKED = """Question: does Arden lend?
Executive summary
Arden lends [1]. The desk has no source for this sentence.
1. Arden: the lender
Arden refinanced the debt [1:2].
"""


def test_the_command_line_refuses_to_publish_an_unmarked_sentence_and_writes_nothing(tmp_path):
    make_user(username="rhea", group="Reviewers")
    path = tmp_path / "b.txt"
    path.write_text(UNMARKED, encoding="utf-8")
    before = model_counts()
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_briefing", str(path), "--publish", "--user", "rhea", "--note", "First.",
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip
    message = str(refused.value)
    assert message.startswith(f"{path}: cannot publish, nothing was written: Executive summary: the sentence")
    assert "“The desk has no source for this sentence.”" in message
    assert model_counts() == before
    path.write_text(
        UNMARKED.replace("this sentence.", "this sentence [judgment: moderate]."), encoding="utf-8"
    )
    call_command(
        "import_briefing", str(path), "--publish", "--user", "rhea", "--note", "First.",
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    assert Briefing.objects.get().publications.count() == 1


def test_load_sample_publishes_the_project_sample_with_its_judgments_and_grades():
    call_command("load_sample", stdout=StringIO())
    publication = Publication.objects.get()
    sourcing = publication.snapshot["sourcing"]
    assert {row["confidence"]: row["count"] for row in sourcing["judgments"]} == {
        "low": 1,
        "moderate": 1,
        "high": 1,
    }
    assert {row["grade"]: row["count"] for row in sourcing["by_grade"]} == {"B": 1, "C": 1, "F": 1, "": 3}


# The snapshot (schema 3) and the derived rows.


def test_the_snapshot_carries_grades_credibility_judgments_and_the_summary():
    briefing = graded_briefing()
    publication = publish(briefing)
    snapshot = publication.snapshot
    assert snapshot["schema_version"] == publication.schema_version == 3
    assert snapshot["schema"].endswith("/briefing-snapshot/v3")
    summary = snapshot["sections"][0]["paragraphs"][0]
    assert summary == [
        {"text": "Arden lends [1:2].", "citations": [1], "credibility": [2], "judgment": None},
        {
            "text": "Belmont builds [2] [2:1].",
            "citations": [2, 2],
            "credibility": [None, 1],
            "judgment": None,
        },
        {
            "text": "The desk expects more lending [judgment: high].",
            "citations": [],
            "credibility": [],
            "judgment": "high",
        },
    ]
    grades = {ref["number"]: ref["source"]["grade"] for ref in snapshot["references"]}
    assert grades == {1: "B", 2: "B", 3: "C", 4: "", 5: "A"}
    assert "reliability" not in snapshot["references"][0]["source"]
    assert snapshot["sourcing"] == {
        "sources": 4,  # [5] is listed but cited by no sentence
        "by_kind": [
            {"kind": "news", "count": 2},
            {"kind": "government", "count": 1},
            {"kind": "other", "count": 1},
        ],
        "by_grade": [{"grade": "", "count": 1}, {"grade": "B", "count": 2}, {"grade": "C", "count": 1}],
        "cited_sentences": 5,
        # "Arden lends", "Belmont builds [2] [2:1]" (one source twice), the ministry's, the reader's
        "single_source_sentences": 4,
        "judgments": [
            {"confidence": "low", "count": 1},
            {"confidence": "moderate", "count": 1},
            {"confidence": "high", "count": 1},
        ],
    }
    # Derived rows: each citation keeps its credibility, each published copy its source's grade.
    rows = ClaimCitation.objects.filter(claim__section__publication=publication).order_by(
        "claim__section__number", "claim__ordinal", "position"
    )
    assert [(c.reference_number, c.credibility) for c in rows] == [
        (1, 2),
        (2, None),
        (2, 1),
        (1, None),
        (2, 3),
        (3, 5),
        (4, None),
    ]
    assert dict(
        PublishedReference.objects.filter(publication=publication).values_list("number", "grade")
    ) == {
        1: "B",
        2: "B",
        3: "C",
        4: "",
        5: "A",
    }


def test_the_reader_page_shows_grades_credibility_judgments_and_the_summary_escaped(client):
    briefing = graded_briefing()
    publish(briefing)
    page = client.get(reverse("briefings:briefing-detail", args=[briefing.slug])).content.decode()
    # The reference list, with plain-language grades.
    assert '<span class="grade">Grade B — usually reliable</span>' in page
    assert "Grade C — fairly reliable" in page
    # Tooltips: grade and credibility where given; only the grade, or nothing, otherwise.
    assert "(B2: usually reliable source; probably true)" in page
    assert "(B: usually reliable source)" in page
    assert "(C5: fairly reliable source; improbable)" in page
    # Judgments: labelled in words, the marker itself not shown.
    assert page.count('<span class="judgment-label">Judgment · high confidence</span>') == 1
    assert '<span class="judgment"><span class="judgment-label">Judgment · low confidence</span>' in page
    assert "[judgment:" not in page
    # The summary, near the top, and the scale.
    summary = page.split('id="sourcing"')[1].split("</section>")[0]
    assert "4 sources cited: 2 news report, 1 government or official statement, 1 other." in summary
    assert "Grade B — usually reliable: 2" in summary and "Not yet graded: 1" in summary
    assert "5 cited sentences, 4 of them resting on a single source." in summary
    assert "3 judgments by the desk: 1 low confidence, 1 moderate confidence, 1 high confidence." in summary
    assert page.index('id="sourcing"') < page.index('id="summary"')
    assert 'href="#grading"' in page and '<h2 id="grading-heading">How sources are graded</h2>' in page
    # Editors' text stays text.
    assert XSS not in page
    assert "&lt;script&gt;" in page


def test_the_briefing_page_keeps_its_query_count_with_grades_and_judgments(client, django_assert_num_queries):
    briefing = graded_briefing()
    publish(briefing)
    with django_assert_num_queries(2):
        response = client.get(reverse("briefings:briefing-detail", args=[briefing.slug]))
    assert "How this briefing is sourced" in response.content.decode()
    with django_assert_num_queries(2):
        response = client.get(reverse("briefings:publication-detail", args=[briefing.slug, 1]))
    assert "How this briefing is sourced" in response.content.decode()


def test_the_source_page_and_claim_list_show_the_grade_and_credibility(client):
    briefing = graded_briefing()
    publish(briefing)
    source = Source.objects.get(title="Arden review")
    page = client.get(reverse("sources:source-detail", args=[source.pk])).content.decode()
    assert "<dt>Reliability</dt><dd>Grade B — usually reliable</dd>" in page
    assert "(B2: usually reliable source; probably true)" in page
    ungraded = Source.objects.get(title__startswith="Ungraded")
    page = client.get(reverse("sources:source-detail", args=[ungraded.pk])).content.decode()
    assert "<dt>Reliability</dt><dd>Not yet graded</dd>" in page
    claims = client.get(reverse("briefings:claim-list")).content.decode()
    assert "Judgment · low confidence" in claims and "[judgment:" not in claims


def test_the_json_export_carries_the_new_fields(client):
    briefing = graded_briefing()
    publish(briefing)
    exported = client.get(reverse("briefings:publication-json", args=[briefing.slug, 1])).json()
    snapshot = exported["snapshot"]
    assert snapshot["schema_version"] == 3
    assert snapshot["references"][0]["source"]["grade"] == "B"
    assert snapshot["sections"][0]["paragraphs"][0][1]["credibility"] == [None, 1]
    assert snapshot["sections"][0]["paragraphs"][0][2]["judgment"] == "high"
    assert snapshot["sourcing"]["single_source_sentences"] == 4


# Export and import: credibility, judgments and grades come back.


@pytest.mark.parametrize("publication", [False, True])
def test_export_and_import_round_trip_credibility_judgments_and_grades(tmp_path, publication):
    briefing = graded_briefing()
    publish(briefing)
    out = StringIO()
    args = ["--publication", "1"] if publication else []
    call_command("export_briefing", briefing.slug, *args, stdout=out)
    text = out.getvalue()
    assert (
        "Arden lends [1:2]. Belmont builds [2] [2:1]. The desk expects more lending [judgment: high]." in text
    )
    assert "[1] Arden review | | | | news | grade B\n" in text
    assert "[4] Ungraded" in text and "| other\n" in text  # no grade field when ungraded
    path = tmp_path / "export.txt"
    path.write_text(text, encoding="utf-8")
    make_user(username="rhea", group="Reviewers")
    call_command(
        "import_briefing", str(path), "--slug", "copy", "--publish", "--user", "rhea", "--note", "Copied.",
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    copy = Publication.objects.get(briefing__slug="copy").snapshot
    original = Publication.objects.get(briefing=briefing).snapshot
    assert copy["sections"][1]["paragraphs"] == original["sections"][1]["paragraphs"]
    assert copy["sourcing"] == original["sourcing"]
    # The sources have no URL, so the copy made new ones, with the grades the file gave.
    assert [r["source"]["grade"] for r in copy["references"]] == ["B", "B", "C", "", "A"]
    assert {r["source"]["id"] for r in copy["references"]}.isdisjoint(
        {r["source"]["id"] for r in original["references"]}
    )


def test_an_import_does_not_regrade_a_shared_source_and_warns(tmp_path):
    source = make_source("Shared wire", url="https://example.org/wire", grade="B")
    path = tmp_path / "b.txt"
    path.write_text(
        "Question?\nExecutive summary\nArden lends [1].\nReferences\n"
        "[1] Shared wire | | https://example.org/wire | | other | grade D\n",
        encoding="utf-8",
    )
    err = StringIO()
    call_command("import_briefing", str(path), "--slug", "b", stdout=StringIO(), stderr=err)
    source.refresh_from_db()
    assert source.grade == "B"
    assert "its grade in the file differ" in err.getvalue()
    # A file without a grade field says nothing about it: no warning.
    path.write_text(
        "Question?\nExecutive summary\nArden lends [1].\nReferences\n"
        "[1] Shared wire | | https://example.org/wire | | other\n",
        encoding="utf-8",
    )
    err = StringIO()
    call_command("import_briefing", str(path), "--slug", "c", stdout=StringIO(), stderr=err)
    assert "differ" not in err.getvalue()


# Schemas 1 and 2 stay readable and render as before.


def v2_publication(briefing):
    """A publication as schema 2 stored it: sentences by paragraph, ``reliability``, no grades or summary."""
    sources = {ref.number: ref.source for ref in briefing.references.select_related("source")}
    snapshot = {
        "schema": "https://assay.example/schemas/briefing-snapshot/v2",
        "schema_version": 2,
        "briefing": {"slug": briefing.slug, "title": briefing.title, "subject": briefing.subject},
        "sections": [
            {
                "id": briefing.sections.get().pk,
                "number": 0,
                "anchor": "summary",
                "heading": "Executive summary",
                "body": "Arden lends [1]. Nobody knows why.\n\nBelmont builds [2] [1].",
                "partners": [],
                "paragraphs": [
                    [
                        {"text": "Arden lends [1].", "citations": [1]},
                        {"text": "Nobody knows why.", "citations": []},
                    ],
                    [{"text": "Belmont builds [2] [1].", "citations": [2, 1]}],
                ],
            }
        ],
        "references": [
            {
                "number": n,
                "source": {
                    "id": source.pk,
                    "title": source.title,
                    "publisher": "",
                    "url": "",
                    "published_on": None,
                    "kind": "news",
                    "reliability": "high",
                    "details_pending": False,
                },
            }
            for n, source in sorted(sources.items())
        ],
    }
    return Publication.objects.create(
        briefing=briefing,
        number=1,
        kind=Publication.Kind.FIRST,
        note="Published under schema 2.",
        title=briefing.title,
        subject=briefing.subject,
        schema_version=2,
        snapshot=snapshot,
        rendered_html=render_snapshot(snapshot),
        published_by=publisher(),
        published_at=timezone.now(),
    )


@pytest.fixture
def v2_briefing():
    return make_briefing(
        sections=[("Executive summary", "Arden lends [1]. Nobody knows why.\n\nBelmont builds [2] [1].")],
        references={1: make_source(grade="A"), 2: make_source()},
    )


V2_HTML_PARAGRAPH = re.compile(
    r'<span class="claim" id="[^"]+"><bdi>Arden lends </bdi><sup class="citation" id="summary-cite-1">'
)


def test_a_schema_2_publication_renders_as_before_without_grades_or_summary(v2_briefing, client):
    publication = v2_publication(v2_briefing)
    html = publication.rendered_html
    assert V2_HTML_PARAGRAPH.search(html)
    # An uncited sentence published before the gate stays as it was: no judgment label, no grade.
    assert "<bdi>Nobody knows why.</bdi>" in html
    assert "judgment" not in html and "Grade" not in html and "cite-grading" not in html
    rebuild_derived(publication)
    assert set(ClaimCitation.objects.values_list("credibility", flat=True)) == {None}
    assert set(PublishedReference.objects.values_list("grade", flat=True)) == {""}
    page = client.get(reverse("briefings:publication-detail", args=[v2_briefing.slug, 1])).content.decode()
    assert "Nobody knows why." in page
    assert 'id="sourcing"' not in page and 'id="grading"' not in page
    exported = client.get(reverse("briefings:publication-json", args=[v2_briefing.slug, 1])).json()
    assert exported["snapshot"]["schema_version"] == 2
    assert exported["snapshot"]["references"][0]["source"]["reliability"] == "high"
    out = StringIO()
    call_command("export_briefing", v2_briefing.slug, "--publication", "1", stdout=out)
    assert "Arden lends [1]. Nobody knows why." in out.getvalue()
    assert "grade" not in out.getvalue()


def test_a_schema_2_publication_compares_with_a_schema_3_one(v2_briefing, client):
    v2_publication(v2_briefing)
    revise(
        v2_briefing,
        set_body(0, "Arden lends [1:1]. Nobody knows why [judgment: low].\n\nBelmont builds [2] [1]."),
    )
    publish(v2_briefing, note="Graded.")
    response = client.get(reverse("briefings:publication-compare", args=[v2_briefing.slug, 1, 2]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Credibility of citation" in content and "not stated → 1" in content


# The seed: its uncited sentences are refused by name until marked.


def test_the_seed_is_refused_until_its_uncited_sentences_are_marked(seed_text, tmp_path):
    from briefings.text.parsing import parse_document

    make_user(username="rhea", group="Reviewers")
    text = seed_text.read_text(encoding="utf-8")
    document = parse_document(text)
    unmarked = [s.text for section in document.sections for s in section.body.unsupported]
    args = ["--slug", "seed", "--publish", "--user", "rhea", "--note", "First.", "--force"]
    if unmarked:
        with pytest.raises(CommandError) as refused:
            call_command("import_briefing", str(seed_text), *args, stdout=StringIO(), stderr=StringIO())
        assert "has no citation and is not marked as a judgment" in str(refused.value)
        assert unmarked[0][:40] in str(refused.value)
        assert not Briefing.objects.filter(slug="seed").exists()
        # Mark each as a judgment (in a copy of the file, never in the project) and it publishes.
        for sentence in unmarked:
            stop = len(sentence) - len(sentence.rstrip(".!?\"”’')"))
            marked = (
                sentence[: len(sentence) - stop] + " [judgment: moderate]" + sentence[len(sentence) - stop :]
            )
            text = text.replace(sentence, marked, 1)
        seed_text = tmp_path / "seed.txt"
        seed_text.write_text(text, encoding="utf-8")
    call_command("import_briefing", str(seed_text), *args, stdout=StringIO(), stderr=StringIO())
    publication = Publication.objects.get(briefing__slug="seed")
    judged = sum(row["count"] for row in publication.snapshot["sourcing"]["judgments"])
    assert judged == len(unmarked)
    assert json.dumps(publication.snapshot)  # stored and readable
