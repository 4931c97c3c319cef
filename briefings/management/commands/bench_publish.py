"""Time publishing a briefing with one large section.

Builds, inside a transaction that is rolled back at the end (nothing is left
behind), a throwaway briefing: the executive summary, ``--sections`` small
sections and one large section of ``--paragraphs`` paragraphs of
``--sentences`` cited sentences each. Then publishes it ``--runs`` times (each
publication rolled back to a savepoint, so every run is a first publication)
and prints the median and other figures, and how many paragraphs were split
into sentences per publication.

    python manage.py bench_publish            # SQLite by default
    DATABASE_URL=postgres://... python manage.py bench_publish --runs 30
"""

import random
import statistics
import time

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from briefings.editing.draft import Draft, SectionDraft
from briefings.editing.working_copy import write
from briefings.models import Briefing
from briefings.publishing.publish import publish_briefing
from briefings.text import parsing
from sources.models import Source

SLUG = "zz-bench-publish-throwaway"
WORDS = (
    *("ministry", "loan", "grid", "water", "dam", "tariff", "treaty", "port", "rail", "pledge"),
    *("audit", "envoy", "reserve", "export", "import", "drought", "border", "ration", "credit"),
)


class Rollback(Exception):
    pass


def sentence(rng, refs):
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16)))
    return f"{words.capitalize()} [{rng.randint(1, refs)}] [{rng.randint(1, refs)}]."


class Command(BaseCommand):
    help = "Time publishing a briefing with one large section (everything is rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--sections", type=int, default=10, help="small sections besides the large one")
        parser.add_argument("--paragraphs", type=int, default=40, help="paragraphs of the large section")
        parser.add_argument("--sentences", type=int, default=25, help="sentences per paragraph")
        parser.add_argument("--references", type=int, default=40)
        parser.add_argument("--runs", type=int, default=15)

    def handle(self, *args, **options):
        if Briefing.objects.filter(slug=SLUG).exists():
            self.stderr.write(f"A briefing with the throwaway slug {SLUG!r} exists; remove it first.")
            return
        try:
            with transaction.atomic():
                self.run(options)
                raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: the throwaway briefing and its publications are gone.")

    def run(self, options):
        rng = random.Random(7)  # noqa: S311 -- repeatable filler text, not security
        refs = options["references"]
        sources = Source.objects.bulk_create(Source(title=f"Bench source {n}") for n in range(1, refs + 1))
        large = "\n\n".join(
            " ".join(sentence(rng, refs) for _ in range(options["sentences"]))
            for _ in range(options["paragraphs"])
        )
        sections = [SectionDraft(id=None, heading="Executive summary", body=sentence(rng, refs))]
        sections += [
            SectionDraft(id=None, heading=f"Theme {n}", body=" ".join(sentence(rng, refs) for _ in range(5)))
            for n in range(1, options["sections"] + 1)
        ]
        sections.append(SectionDraft(id=None, heading="The large section", body=large))
        user = User.objects.create_superuser(username="zz-bench-publish", email="", password=None)
        draft = Draft(
            title="Bench question?",
            slug=SLUG,
            subject="",
            sections=tuple(sections),
            references=tuple((n, source.pk) for n, source in enumerate(sources, 1)),
        )
        briefing = write(draft=draft, user=user, comment="bench").briefing

        splits = []
        real = parsing.split_sentences

        def counting(text):
            splits.append(1)
            return real(text)

        parsing.split_sentences = counting
        times, per_run = [], []
        try:
            for _ in range(options["runs"]):
                splits.clear()
                start = time.perf_counter()
                with transaction.atomic():
                    publish_briefing(briefing=briefing, user=user, note="Bench.", operator=True, force=True)
                    times.append(time.perf_counter() - start)
                    transaction.set_rollback(True)
                per_run.append(len(splits))
        finally:
            parsing.split_sentences = real
        paragraphs = sum(len(parsing.split_paragraphs(s.body)) for s in sections)
        sentences = sum(
            len(parsing.split_sentences(p)) for s in sections for p in parsing.split_paragraphs(s.body)
        )
        self.stdout.write(
            f"Database: {connection.vendor}. {len(sections)} sections, {paragraphs} paragraphs, "
            f"{sentences} sentences, large section {len(large):,} characters."
        )
        self.stdout.write(
            f"Publish ({options['runs']} runs): median {statistics.median(times) * 1000:.0f} ms, "
            f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms; "
            f"paragraphs split into sentences per publication: {statistics.median(per_run):.0f}."
        )
