"""`manage.py export_briefing`: the working copy or a publication, in the import format."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from briefings.models import Briefing, Section
from sources.models import Source
from tests.factories import make_briefing, publish

pytestmark = pytest.mark.django_db

SAMPLE = """Sample question: who shapes Estmark's water?

Executive summary
Arden lends [1].   Belmont builds [2] [1].
1. Arden: the lender
Arden refinanced the debt [1].
Its officials rarely comment, e.g. on rates.
2. The limits of support: what nobody can do
Nobody can make it rain [2] [3]. Markup <b>stays</b> {{ as }} typed [3].
"""


def export(slug, *args):
    out = StringIO()
    call_command("export_briefing", slug, *args, stdout=out)
    return out.getvalue()


def normalise(text):
    """Lines without blank ones, each with runs of whitespace collapsed."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


# SAMPLE as the format writes it back: a paragraph on one line, no blank lines, and the
# reference list the import made (placeholders, their details pending).
SAMPLE_EXPORTED = """Sample question: who shapes Estmark's water?
Executive summary
Arden lends [1]. Belmont builds [2] [1].
1. Arden: the lender
Arden refinanced the debt [1]. Its officials rarely comment, e.g. on rates.
2. The limits of support: what nobody can do
Nobody can make it rain [2] [3]. Markup <b>stays</b> {{ as }} typed [3].
References
[1] Source [1] of “estmark” — details needed | | | | other | details pending
[2] Source [2] of “estmark” — details needed | | | | other | details pending
[3] Source [3] of “estmark” — details needed | | | | other | details pending
"""


def without_references(text):
    return text.split("\nReferences\n", 1)[0] + "\n"


def test_the_sample_round_trips(tmp_path):
    path = tmp_path / "sample.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    call_command("import_briefing", str(path), "--slug", "estmark", stdout=StringIO(), stderr=StringIO())
    exported = export("estmark")
    assert exported == SAMPLE_EXPORTED
    # And the export imports again to the same working copy.
    again = tmp_path / "again.txt"
    again.write_text(exported, encoding="utf-8")
    call_command("import_briefing", str(again), "--slug", "estmark", stdout=StringIO(), stderr=StringIO())
    assert export("estmark") == exported


def test_the_seed_round_trips_without_the_removed_fragment(seed_text, tmp_path):
    call_command("import_briefing", str(seed_text), "--slug", "v", stdout=StringIO(), stderr=StringIO())
    original = seed_text.read_text(encoding="utf-8")
    fragment = 'Venezuela" target="_blank" rel="noopener noreferrer">'
    assert fragment in original
    assert normalise(without_references(export("v"))) == normalise(original.replace(fragment, " "))


def test_export_of_a_publication_is_what_was_published(tmp_path):
    briefing = make_briefing(
        title="Sample question?",
        sections=[("Executive summary", "Published text [1]."), ("Arden: the lender", "Arden [1].")],
    )
    publish(briefing)
    Section.objects.filter(briefing=briefing, position=0).update(body="Edited later [1].")
    source = briefing.references.get().source
    Source.objects.filter(pk=source.pk).update(title="Retitled after publication")
    published = export(briefing.slug, "--publication", "1")
    assert published == (
        "Sample question?\nExecutive summary\nPublished text [1].\n1. Arden: the lender\nArden [1].\n"
        f"References\n[1] {source.title} | | | | other\n"
    )
    assert "[1] Retitled after publication | | | | other" in export(briefing.slug)
    assert "Edited later [1]." in export(briefing.slug)


def test_export_writes_to_a_file(tmp_path):
    briefing = make_briefing()
    target = tmp_path / "out.txt"
    call_command("export_briefing", briefing.slug, "--output", str(target))
    assert target.read_text(encoding="utf-8") == export(briefing.slug)


def test_export_errors_name_what_is_missing():
    briefing = make_briefing()
    with pytest.raises(CommandError, match="no such briefing"):
        export("no-such-slug")
    with pytest.raises(CommandError, match="no publication 1"):
        export(briefing.slug, "--publication", "1")
    empty = Briefing.objects.create(title="Empty", slug="empty")
    with pytest.raises(CommandError, match="no sections"):
        export(empty.slug)
