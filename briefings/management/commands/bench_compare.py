"""Time the admin compare page on a large history.

Builds, inside a transaction that is rolled back at the end (nothing is left
behind), a throwaway briefing with 40 sections and 500 revisions, then
renders the compare page of two far-apart revisions through the test client
N times and prints the median and other figures. Also times the history page.

    python manage.py bench_compare            # SQLite by default
    DATABASE_URL=postgres://... python manage.py bench_compare --runs 30
"""

import random
import statistics
import time
from dataclasses import replace

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from briefings.editing.draft import Draft, SectionDraft, current_draft
from briefings.editing.working_copy import write
from briefings.models import Briefing, Partner, RevisionContents
from sources.models import Source

SLUG = "zz-bench-compare-throwaway"
WORDS = (
    *("ministry", "loan", "grid", "water", "dam", "tariff", "treaty", "port", "rail", "pledge"),
    *("audit", "envoy", "reserve", "export", "import", "drought", "border", "ration", "credit"),
    *("bond", "default", "harvest", "pipeline", "refinery", "quota", "sanction"),
)


class Rollback(Exception):
    pass


def sentence(rng, refs):
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16)))
    return f"{words.capitalize()} [{rng.randint(1, refs)}]."


class Command(BaseCommand):
    help = "Time the compare page of two far-apart revisions of a 40-section, 500-revision briefing."

    def add_arguments(self, parser):
        parser.add_argument("--sections", type=int, default=40)
        parser.add_argument("--revisions", type=int, default=500)
        parser.add_argument("--references", type=int, default=60)
        parser.add_argument("--runs", type=int, default=20)

    def handle(self, *args, **options):
        if Briefing.objects.filter(slug=SLUG).exists():
            self.stderr.write(f"A briefing with the throwaway slug {SLUG!r} exists; remove it first.")
            return
        try:
            with transaction.atomic():
                self.run(options)
                raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: the throwaway briefing and its history are gone.")

    def run(self, options):
        rng = random.Random(42)  # noqa: S311 -- repeatable filler text, not security
        start = time.perf_counter()
        briefing, revision_ids = self.build(rng, options)
        built = time.perf_counter() - start
        revisions = RevisionContents.objects.filter(briefing_id=briefing.pk).values("revision_id")
        versions = Version.objects.filter(revision_id__in=revisions).count()
        self.stdout.write(
            f"Database: {connection.vendor}. Built {options['sections']} sections, "
            f"{len(revision_ids)} revisions ({versions} versions) in {built:.1f}s."
        )

        user = User.objects.create_superuser(username="zz-bench-compare", email="", password=None)
        client = Client()
        client.force_login(user)
        compare = reverse("admin:briefings_briefing_compare", args=[briefing.pk])
        history = reverse("admin:briefings_briefing_history", args=[briefing.pk])
        far_from, far_to = revision_ids[len(revision_ids) // 50], revision_ids[-len(revision_ids) // 50]
        far = f"{compare}?from={far_from}&to={far_to}"
        pages = {
            f"compare rev {far_from} → {far_to}, inline": far,
            f"compare rev {far_from} → {far_to}, side by side": f"{far}&view=side",
            "compare working copy → first revision": f"{compare}?from={revision_ids[0]}&to=working",
            "history, page 1 (50 revisions)": history,
            "history, page 5": f"{history}?p=5",
        }
        for label, url in pages.items():
            self.time_page(client, label, url, options["runs"])

    def time_page(self, client, label, url, runs):
        response = client.get(url)  # warm caches, as a running server would be
        assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        timings.sort()
        p90 = timings[min(len(timings) - 1, int(len(timings) * 0.9))]
        self.stdout.write(
            f"{label}: median {statistics.median(timings):.1f} ms, min {timings[0]:.1f}, "
            f"p90 {p90:.1f}, max {timings[-1]:.1f} over {runs} runs; {len(response.content) // 1024} KiB"
        )

    def build(self, rng, options):
        """The briefing and its history, written through the one write path, one revision per edit."""
        n_sections, n_refs = options["sections"], options["references"]
        partners = [
            Partner.objects.get_or_create(slug=f"zz-bench-partner-{i}", defaults={"name": f"ZZ bench {i}"})[0]
            for i in range(5)
        ]
        sources = [Source(title=f"ZZ bench source {i}", publisher="Bench desk") for i in range(n_refs + 20)]
        Source.objects.bulk_create(sources)
        sources = list(Source.objects.filter(title__startswith="ZZ bench source").order_by("pk"))
        draft = Draft(
            title="ZZ bench: throwaway",
            slug=SLUG,
            subject="Bench",
            sections=tuple(
                SectionDraft(
                    id=None,
                    heading="Executive summary" if position == 0 else f"Partner {position}: a theme",
                    body=" ".join(sentence(rng, n_refs) for _ in range(8)),
                    partners=frozenset([partners[position % len(partners)].pk]),
                )
                for position in range(n_sections)
            ),
            references=tuple((number, sources[number - 1].pk) for number in range(1, n_refs + 1)),
        )
        briefing = write(draft=draft, user=None, comment="Bench: created").briefing
        for n in range(1, options["revisions"]):
            draft = current_draft(briefing)
            sections = list(draft.sections)
            index = rng.randrange(n_sections)
            sentences = sections[index].body.split(". ")
            sentences[rng.randrange(len(sentences))] = sentence(rng, n_refs).rstrip(".")
            sections[index] = replace(sections[index], body=". ".join(sentences))
            references = dict(draft.references)
            if n % 25 == 0:  # now and then a reference points to another source
                references[rng.randint(1, n_refs)] = sources[n_refs + rng.randrange(20)].pk
            if n % 50 == 0:  # and a section moves
                a, b = rng.sample(range(1, n_sections), 2)
                sections[a], sections[b] = sections[b], sections[a]
            draft = draft.replace(sections=tuple(sections), references=tuple(references.items()))
            write(draft=draft, briefing=briefing, user=None, comment=f"Bench: edit {n}")
        numbers = list(
            RevisionContents.objects.filter(briefing_id=briefing.pk)
            .order_by("number")
            .values_list("number", flat=True)
        )
        return briefing, numbers
