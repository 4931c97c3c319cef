"""`manage.py import_briefing`: all or nothing, one revision per import, clear errors."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from reversion.models import Revision

from briefings.editing.draft import current_draft
from briefings.editing.working_copy import write as write_draft
from briefings.models import Briefing, Partner, ReviewEvent, Section
from sources.models import Reference, Source
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SAMPLE = """Sample question: who shapes Estmark's water?
Executive summary
Arden lends [1]. Belmont builds [2] [1].
1. Arden: the lender
Arden refinanced the debt [1]. Its officials rarely comment.
2. The limits of support: what nobody can do
Nobody can make it rain [2] [3].
"""

# The same briefing with its uncited sentence marked as a judgment: publishing refuses SAMPLE.
PUBLISHABLE = SAMPLE.replace(
    "Its officials rarely comment.", "Its officials rarely comment [judgment: moderate]."
)


def write(tmp_path, text, name="briefing.txt"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run_import(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_briefing", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def model_counts():
    """Row counts of every model, reversion's included: 'the database is as it was'."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_imports_the_seed_briefing(seed_text):
    out, err = run_import(seed_text, "--slug", "venezuela", "--subject", "Venezuela")
    briefing = Briefing.objects.get(slug="venezuela")
    assert briefing.title.startswith("What role do Russia, China, and Iran play")
    assert briefing.subject == "Venezuela"
    assert briefing.status == Briefing.Status.DRAFT
    sections = list(briefing.sections.order_by("position"))
    assert len(sections) == 6
    assert sections[0].heading == "Executive summary"
    assert [[p.name for p in s.partners.all()] for s in sections] == [
        [],
        ["Russia"],
        ["China"],
        ["Iran"],
        [],
        [],
    ]
    refs = list(briefing.references.select_related("source").order_by("number"))
    assert [r.number for r in refs] == list(range(1, 13))
    assert all(r.source.details_pending for r in refs)
    assert len({r.source_id for r in refs}) == 12
    assert "target=" not in sections[0].body
    assert "[4] [5]." in sections[0].body
    assert f"{seed_text}:3: warning: removed a broken link fragment" in err
    assert "14 claims, 30 citations" in out
    assert "partners: Russia, China, Iran" in out
    assert Revision.objects.count() == 1


def test_imports_a_sample_and_warns_about_an_uncited_sentence(tmp_path):
    path = write(tmp_path, SAMPLE)
    out, err = run_import(path, "--slug", "estmark")
    briefing = Briefing.objects.get(slug="estmark")
    assert briefing.title == "Sample question: who shapes Estmark's water?"
    assert briefing.sections.count() == 3
    assert (
        briefing.sections.get(position=1).body
        == "Arden refinanced the debt [1]. Its officials rarely comment."
    )
    assert f"{path}:5: warning: sentence has no citation: 'Its officials rarely comment.'" in err
    assert list(Partner.objects.values_list("name", flat=True)) == ["Arden"]
    assert sorted(briefing.references.values_list("number", flat=True)) == [1, 2, 3]
    assert "Imported" in out
    revision = Revision.objects.get()
    assert revision.comment == "Imported (new briefing)"


def test_reimporting_the_same_file_changes_nothing_and_writes_no_revision(tmp_path, seed_text):
    run_import(seed_text, "--slug", "venezuela")
    before = model_counts()
    out, _ = run_import(seed_text, "--slug", "venezuela")
    assert "Nothing changed" in out
    assert model_counts() == before
    assert Section.objects.count() == 6
    assert Reference.objects.count() == 12
    assert Source.objects.count() == 12
    assert Partner.objects.count() == 3


def test_reimport_applies_edits_to_the_working_copy(tmp_path):
    path = write(tmp_path, SAMPLE)
    run_import(path, "--slug", "estmark")
    briefing = Briefing.objects.get(slug="estmark")
    ids = list(briefing.sections.order_by("position").values_list("pk", flat=True))
    edited = SAMPLE.replace("1. Arden: the lender", "1. Belmont: the builder").replace(
        "Nobody can make it rain [2] [3].", "Nobody can make it rain [2] [4]."
    )
    run_import(write(tmp_path, edited, "edited.txt"), "--slug", "estmark")
    assert list(briefing.sections.order_by("position").values_list("pk", flat=True)) == ids
    section = briefing.sections.get(position=1)
    assert section.heading == "Belmont: the builder"
    assert [p.name for p in section.partners.all()] == ["Belmont"]
    assert sorted(briefing.references.values_list("number", flat=True)) == [1, 2, 3, 4]
    # The new revision records the new partner on the section (not the old one).
    revision = Revision.objects.order_by("-pk").first()
    version = revision.version_set.get(object_id=str(section.pk), content_type__model="section")
    assert version.field_dict["partners"] == [Partner.objects.get(name="Belmont").pk]


def test_dry_run_writes_nothing(tmp_path, seed_text):
    before = model_counts()
    out, err = run_import(seed_text, "--slug", "venezuela", "--dry-run")
    assert "Would import" in out
    assert "14 claims, 30 citations" in out
    assert "broken link fragment" in err
    assert model_counts() == before
    # Also as an update of an existing briefing.
    run_import(seed_text, "--slug", "venezuela")
    before = model_counts()
    run_import(write(tmp_path, SAMPLE), "--slug", "venezuela", "--dry-run")
    assert model_counts() == before
    assert Briefing.objects.get(slug="venezuela").title.startswith("What role")


MALFORMED = [
    pytest.param(b"", 1, "the file is empty", id="empty"),
    pytest.param(
        b"Title\nExecutive summary\nArden lends [1].\n" + b"Bad \xff byte [1].\n",
        4,
        "not UTF-8",
        id="not-utf8",
    ),
    pytest.param("Title\nSummary\nArden lends [1].\n", 2, "Executive summary", id="no-summary"),
    pytest.param(
        "Title\nExecutive summary\nArden lends [1].\n1. One\nA [1].\n3. Three\nB [1].\n",
        6,
        "section numbered 3, expected 2",
        id="out-of-sequence",
    ),
    pytest.param("Title\nExecutive summary\nArden lends [1].\n1. One\nA [0].\n", 5, "'[0]'", id="zero"),
    pytest.param("Title\nExecutive summary\nArden lends [abc].\n", 3, "'[abc]'", id="letters"),
    pytest.param("Title\nExecutive summary\nArden lends [1].\nAnd [ ].\n", 4, "'[ ]'", id="blank"),
    pytest.param("Title\nExecutive summary\nArden lends [1].\nAnd [ 5 ].\n", 4, "'[ 5 ]'", id="spaces"),
    pytest.param("Title\nExecutive summary\nArden lends [05].\n", 3, "'[05]'", id="leading-zero"),
    pytest.param(
        "Title\nExecutive summary\nArden lends [99999999999].\n", 3, "'[99999999999]'", id="too-big"
    ),
    pytest.param(
        "Title\nExecutive summary\nArden lends [1].\n1. One\nA [1].\n2. "
        + " ".join(["Abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzab"] * 4)
        + ": a partner name too long to store\nB [1].\n",
        6,
        "section 2 cannot be stored",
        id="partner-name-too-long",
    ),
    pytest.param("T" * 501 + "\nExecutive summary\nArden lends [1].\n", 1, "title", id="title-too-long"),
    pytest.param(
        "Title\nExecutive summary\nArden lends [1].\n1. Arden: the lender [1]\nA [1].\n",
        4,
        "a heading cannot carry citations; put them in the paragraph",
        id="heading-with-citation",
    ),
    pytest.param(
        "Title\nExecutive summary\nArden lends [1].\n1. " + "Long heading " * 40 + "\nA [1].\n",
        4,
        "section 1 cannot be stored (heading: Ensure this value has at most 500 characters",
        id="heading-too-long",
    ),
    pytest.param(
        "Title\nExecutive summary\nArden lends [1].\nA NUL \x00 here [1].\n",
        4,
        "control character U+0000",
        id="nul-byte",
    ),
]


@pytest.mark.parametrize(("content", "line", "fragment"), MALFORMED)
@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_a_malformed_file_is_file_line_problem_and_changes_nothing(
    tmp_path, content, line, fragment, existing
):
    if existing:
        run_import(write(tmp_path, SAMPLE, "good.txt"), "--slug", "estmark")
    path = write(tmp_path, content)
    before = model_counts()
    with pytest.raises(CommandError) as caught:
        run_import(path, "--slug", "estmark")
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: ")
    assert fragment in message
    assert caught.value.returncode != 0
    assert model_counts() == before
    if existing:
        assert Briefing.objects.get(slug="estmark").title == "Sample question: who shapes Estmark's water?"


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        run_import(tmp_path / "nope.txt")


def test_markup_and_template_syntax_are_stored_as_typed(tmp_path):
    text = (
        "Is <b>this</b> {{ x }} safe?\n"
        "Executive summary\n"
        "Arden wrote <script>alert(1)</script> [1]. It said {% now 'Y' %} and {{ x }} [2].\n"
        "1. Arden: <i>italic</i> heading\n"
        "A & B < C [1].\n"
    )
    run_import(write(tmp_path, text), "--slug", "markup")
    briefing = Briefing.objects.get(slug="markup")
    assert briefing.title == "Is <b>this</b> {{ x }} safe?"
    sections = list(briefing.sections.order_by("position"))
    assert sections[0].body == (
        "Arden wrote <script>alert(1)</script> [1]. It said {% now 'Y' %} and {{ x }} [2]."
    )
    assert sections[1].heading == "Arden: <i>italic</i> heading"
    assert sections[1].body == "A & B < C [1]."


def test_reimport_with_fewer_sections_deletes_the_extra_ones_in_one_revision(tmp_path):
    run_import(write(tmp_path, SAMPLE), "--slug", "estmark")
    shorter = SAMPLE.split("2. The limits")[0]
    revisions = Revision.objects.count()
    _, err = run_import(write(tmp_path, shorter, "short.txt"), "--slug", "estmark")
    briefing = Briefing.objects.get(slug="estmark")
    assert list(briefing.sections.order_by("position").values_list("heading", flat=True)) == [
        "Executive summary",
        "Arden: the lender",
    ]
    assert Revision.objects.count() == revisions + 1
    assert "references no longer cited: [3]" in err
    assert briefing.references.count() == 3


@pytest.mark.parametrize("slug", ["x y", "", "café", "a/b", "s" * 201])
def test_a_bad_slug_option_is_reported_as_the_option(tmp_path, slug):
    path = write(tmp_path, SAMPLE)
    with pytest.raises(CommandError) as caught:
        run_import(path, "--slug", slug)
    assert str(caught.value).startswith(f"--slug {slug!r}: not a valid slug (ASCII letters, numbers")
    assert not Briefing.objects.exists()


def test_a_title_that_gives_no_slug_asks_for_one(tmp_path):
    path = write(tmp_path, "\n" + SAMPLE.replace("Sample question: who shapes Estmark's water?", "Кто?"))
    with pytest.raises(CommandError) as caught:
        run_import(path)
    assert str(caught.value) == (
        f"{path}:2: the title gives no usable slug "
        "(slugs are ASCII letters, numbers and hyphens); pass --slug"
    )
    assert not Briefing.objects.exists()
    run_import(path, "--slug", "kto")
    assert Briefing.objects.get(slug="kto").title == "Кто?"


def publishing_args(note):
    if not User.objects.filter(username="rhea").exists():
        make_user(username="rhea", group="Reviewers")
    return ("--publish", "--note", note, "--user", "rhea")


def test_import_with_publish_imports_and_publishes_through_the_one_door(tmp_path):
    out, _ = run_import(write(tmp_path, PUBLISHABLE), "--slug", "estmark", *publishing_args("First."))
    assert "Published as version 1." in out
    briefing = Briefing.objects.get(slug="estmark")
    assert briefing.status == Briefing.Status.PUBLISHED
    publication = briefing.publications.get()
    assert (publication.number, publication.note, publication.published_by.username) == (1, "First.", "rhea")
    # Recorded in the review history, as an operator's publication.
    event = ReviewEvent.objects.get(briefing=briefing)
    assert (event.kind, event.user.username, event.publication) == (
        ReviewEvent.Kind.PUBLISHED,
        "rhea",
        publication,
    )


def test_publishing_from_the_command_line_needs_a_user_who_may_publish(tmp_path):
    path = write(tmp_path, SAMPLE)
    with pytest.raises(CommandError, match="--publish needs --user NAME"):
        run_import(path, "--slug", "estmark", "--publish", "--note", "First.")
    make_user(username="edith", group="Editors")
    with pytest.raises(CommandError, match="Only reviewers may publish"):
        run_import(path, "--slug", "estmark", "--publish", "--note", "First.", "--user", "edith")
    assert not Briefing.objects.exists()


def test_publishing_an_unchanged_briefing_from_the_command_line_is_refused_unless_forced(tmp_path):
    path = write(tmp_path, PUBLISHABLE)
    run_import(path, "--slug", "estmark", *publishing_args("First."))
    with pytest.raises(CommandError, match="no changes since its last publication"):
        run_import(path, "--slug", "estmark", *publishing_args("Again."))
    out, _ = run_import(path, "--slug", "estmark", *publishing_args("Re-rendered."), "--force")
    assert "Published as version 2." in out


def test_reimporting_over_a_later_admin_save_is_refused_unless_forced(tmp_path):
    path = write(tmp_path, SAMPLE)
    run_import(path, "--slug", "estmark")
    briefing = Briefing.objects.get(slug="estmark")
    editor = make_user(username="amira", group="Editors")
    draft = current_draft(briefing)
    write_draft(
        draft=draft.replace(subject="Edited in the admin"), briefing=briefing, user=editor, comment="Mine"
    )
    before = model_counts()
    edited = SAMPLE.replace("Arden refinanced the debt [1].", "Arden forgave the debt [1].")
    with pytest.raises(CommandError) as caught:
        run_import(write(tmp_path, edited, "older.txt"), "--slug", "estmark")
    message = str(caught.value)
    assert "changed after its last import: revision #2 (edited by amira" in message
    assert "“Mine”" in message and "--force" in message
    assert model_counts() == before
    run_import(write(tmp_path, edited, "older.txt"), "--slug", "estmark", "--force")
    assert Briefing.objects.get(slug="estmark").sections.get(position=1).body.startswith("Arden forgave")


@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_a_refused_publish_rolls_back_the_import(tmp_path, monkeypatch, existing):
    # Stand in for a rule only publishing knows with a real refusal from
    # publish_briefing; the database is real throughout. (The uncited-sentence
    # gate is such a rule: tests/briefings/test_grading.py tests it end to end.)
    from briefings.publishing import publish as publishing

    if existing:
        run_import(write(tmp_path, SAMPLE, "good.txt"), "--slug", "estmark")
    monkeypatch.setattr(
        publishing, "publication_problems", lambda briefing, working=None: ["§1 “Arden”: a new rule"]
    )
    edited = SAMPLE.replace("Arden refinanced the debt [1].", "Arden forgave the debt [4].")
    args = publishing_args("Update.")
    before = model_counts()
    with pytest.raises(CommandError) as caught:
        run_import(write(tmp_path, edited), "--slug", "estmark", *args)
    assert caught.value.returncode != 0
    assert "cannot publish, nothing was written: §1 “Arden”: a new rule" in str(caught.value)
    assert model_counts() == before
    if existing:
        body = Briefing.objects.get(slug="estmark").sections.get(position=1).body
        assert body.startswith("Arden refinanced the debt [1].")
