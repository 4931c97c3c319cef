"""The References block: export writes the reference list and source details, import reads them back."""

import re
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from reversion.models import Revision

from briefings.models import Briefing, Partner
from briefings.text.parsing import parse_document
from sources.models import Source, normalise_url
from tests.briefings.test_import import model_counts, run_import, write
from tests.factories import make_briefing, make_source

pytestmark = pytest.mark.django_db


def export(slug, *args):
    out = StringIO()
    call_command("export_briefing", slug, *args, stdout=out)
    return out.getvalue()


def details(briefing):
    return [
        (
            ref.number,
            ref.source.title,
            ref.source.publisher,
            ref.source.url,
            ref.source.published_on,
            ref.source.kind,
            ref.source.details_pending,
        )
        for ref in Briefing.objects.get(slug=briefing).references.select_related("source").order_by("number")
    ]


@pytest.fixture
def sourced():
    """A briefing whose sources have every detail, one with a bar and a backslash in its title."""
    return make_briefing(
        slug="estmark",
        sections=[
            ("Executive summary", "Arden lends [1]. Belmont builds [2].\n\nCorvia patrols [3] [4]."),
            ("Arden: the lender", "Arden lends [1] [4].", ["Arden"]),
        ],
        references={
            1: make_source(
                "Water portfolio review",
                publisher="Arden Development Bank",
                url="https://example.org/assay-sample/review",
                published_on=date(2024, 3, 1),
                kind=Source.Kind.ANALYSIS,
            ),
            2: make_source("Drought | statement \\ 2024", publisher="Estmark Ministry", kind="government"),
            3: make_source("Source [3] — details needed", details_pending=True),
            4: make_source("River data", url="https://data.example.org/river", kind="data"),
        },
    )


@pytest.fixture
def fresh_database():
    """Empty every table, as a new installation is (the test's transaction brings it all back)."""

    def flush():
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with foreign-key checks still pending in this transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("flush", interactive=False, verbosity=0)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    yield flush
    # flush re-creates content types under new ids; the rollback brings back the old ones.
    ContentType.objects.clear_cache()


def test_a_briefing_round_trips_through_a_fresh_database_with_its_sources(sourced, tmp_path, fresh_database):
    exported = export("estmark")
    assert "\nReferences\n" in exported
    assert "[2] Drought \\| statement \\\\ 2024 | Estmark Ministry | | | government\n" in exported
    assert "[3] Source [3] — details needed | | | | other | details pending\n" in exported
    before = details("estmark")
    bodies = list(sourced.sections.order_by("position").values_list("heading", "body"))

    fresh_database()
    assert Source.objects.count() == Briefing.objects.count() == 0

    out, _ = run_import(write(tmp_path, exported), "--slug", "estmark")
    assert "4 new references" in out
    assert details("estmark") == before
    briefing = Briefing.objects.get(slug="estmark")
    assert list(briefing.sections.order_by("position").values_list("heading", "body")) == bodies
    assert Source.objects.count() == 4
    assert export("estmark") == exported


def test_importing_an_export_again_changes_nothing(sourced, tmp_path):
    exported = export("estmark")
    sources, revisions = Source.objects.count(), Revision.objects.count()
    out, _ = run_import(write(tmp_path, exported), "--slug", "estmark", "--force")
    assert "Nothing changed" in out
    assert (Source.objects.count(), Revision.objects.count()) == (sources, revisions)


FILE = """Sample question: who shapes Estmark's water?
Executive summary
Arden lends [1]. Belmont builds [2] [3].
1. Belmont: the builder
Belmont builds [2].
References
[1] Water review | Arden Bank | HTTPS://Example.ORG/assay-sample/review/ | 2024-03-01 | news

[2] Pipes | Belmont Works | https://example.org/pipes | | analysis
"""


def test_an_entry_reuses_the_source_with_the_same_normalise_url(tmp_path):
    existing = make_source("Water review (the desk's title)", url="https://example.org/assay-sample/review")
    out, err = run_import(write(tmp_path, FILE), "--slug", "estmark")
    briefing = Briefing.objects.get(slug="estmark")
    refs = {ref.number: ref.source for ref in briefing.references.select_related("source")}
    assert refs[1] == existing
    existing.refresh_from_db()
    assert existing.title == "Water review (the desk's title)"  # a shared source is not changed by a file
    assert refs[2].title == "Pipes" and refs[2].kind == "analysis" and not refs[2].details_pending
    assert refs[3].details_pending  # cited, not listed: a placeholder, as without a block
    assert "1 naming sources already stored" in out
    assert f"{tmp_path / 'briefing.txt'}:7: warning: reference [1] is the existing source" in err
    assert "its title, publisher, date, kind in the file differ and were not applied" in err
    assert "cited but not in the References block, given placeholder sources: [3]" in err


@pytest.mark.parametrize(
    ("url", "same"),
    [
        ("https://example.org/a/b", True),
        ("HTTPS://EXAMPLE.org/a/b/", True),
        ("https://example.org:443/a/b#section-2", True),
        ("http://example.org/a/b", False),
        ("https://example.org/A/b", False),
        ("https://example.org/a/b?page=2", False),
        ("https://other.example.org/a/b", False),
    ],
)
def test_urls_compare_by_case_of_scheme_and_host_default_port_trailing_slash_and_fragment_only(url, same):
    source = make_source(url="https://example.org/a/b")
    assert (normalise_url(url) == normalise_url(source.url)) is same
    assert (Source.objects.by_normalised_url([url]).get(normalise_url(url)) == source) is same


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "[2] Pipes | Belmont Works | | 2024-02-30 | analysis",
            "'2024-02-30' is not a date written YYYY-MM-DD",
        ),
        ("[2] Pipes | Belmont Works | | | blog", "kind 'blog' is not one of news, analysis, government"),
        ("[2] Pipes | Belmont Works | not a url | | news", "reference [2]: url: Enter a valid URL."),
        (
            "[2] " + "P" * 501 + " | | | |",
            "reference [2]: title: Ensure this value has at most 500 characters",
        ),
        ("[2] Pipes | Belmont Works | https://example.org/pipes", "reference [2] has 3 fields, expected 5"),
        ("[1] Again | | | |", "reference [1] is listed twice (first on line 7)"),
    ],
)
def test_a_malformed_entry_names_its_line_and_nothing_is_written(tmp_path, entry, message):
    lines = FILE.splitlines()
    lines[8] = entry
    path = write(tmp_path, "\n".join(lines) + "\n")
    before = model_counts()
    with pytest.raises(CommandError) as caught:
        run_import(path, "--slug", "estmark")
    assert str(caught.value).startswith(f"{path}:9: ")
    assert message in str(caught.value)
    assert model_counts() == before
    # The partner the file's heading names was not created either.
    assert not Partner.objects.filter(name="Belmont").exists()


def test_a_file_without_a_references_block_imports_as_before(tmp_path):
    text = FILE.split("References\n")[0]
    out, err = run_import(write(tmp_path, text), "--slug", "estmark")
    refs = Briefing.objects.get(slug="estmark").references.select_related("source")
    assert [(r.number, r.source.details_pending) for r in refs.order_by("number")] == [
        (1, True),
        (2, True),
        (3, True),
    ]
    assert "3 new references" in out
    assert "References block" not in err


@pytest.mark.parametrize("doc", ["README.md", "docs/import-format.md"])
def test_the_documented_references_block_parses(doc):
    text = (Path(settings.BASE_DIR) / doc).read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(References\n.*?)```", text, re.S)
    assert blocks, f"{doc} shows no References block"
    for block in blocks:
        document = parse_document("Title\nExecutive summary\nA claim [1].\n" + block)
        assert document.references and all(entry.title for entry in document.references)
