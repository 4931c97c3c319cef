"""An 8,000-sentence section end to end: import, publish, revise one sentence, publish, compare.

    python manage.py bench_long_section --runs 5

Each run works inside a transaction that is rolled back, so the database is
left as it was (point it at a scratch database all the same). The import
goes through ``parse_document`` and ``import_briefing`` (the importer's and
the admin import page's path), publishing through ``publish_briefing`` (the
one door), and the public compare page through the test client with DEBUG
and the page cache off, so every request renders the diff.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client, override_settings

from briefings.editing.working_copy import import_briefing
from briefings.publishing import generation
from briefings.publishing.publish import publish_briefing
from briefings.text.parsing import parse_document

SENTENCES = 8000


def document_text(changed=None):
    """A sample briefing whose summary holds 8,000 cited sentences; ``changed`` rewrites one of them."""
    sentences = [
        f"Sample sentence {i}: Dr. Ruiz of the St. Arden water board met U.S. lender no. {i} [1]."
        for i in range(SENTENCES)
    ]
    if changed is not None:
        sentences[changed] = f"Sample sentence {changed} was revised: the lender withdrew [1]."
    return "\n".join(
        [
            "Sample benchmark question: how long can one section be?",
            "Executive summary",
            " ".join(sentences),
            "1. Arden: the lender",
            "Arden lends [1].",
            "References",
            "[1] Sample benchmark source | Sample Publisher | https://example.org/bench | 2025-01-31 | news",
        ]
    )


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Medians of importing, publishing and comparing a briefing with an 8,000-sentence section."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, runs, **options):
        timings = {}
        with override_settings(DEBUG=False, ASSAY_PAGE_CACHE=False):
            for _ in range(runs):
                try:
                    with transaction.atomic():
                        self.run_once(timings)
                        raise Rollback
                except Rollback:
                    pass
        self.stdout.write(f"{connection.vendor}: {SENTENCES:,}-sentence section, median of {runs} runs")
        for label, values in timings.items():
            self.stdout.write(f"{label:>45}: {statistics.median(values):8.1f} ms (max {max(values):.1f})")

    def run_once(self, timings):
        def timed(label, call):
            started = time.perf_counter()
            result = call()
            timings.setdefault(label, []).append((time.perf_counter() - started) * 1000)
            return result

        user = get_user_model().objects.create_superuser(username="bench-long-section", password=None)
        slug = "sample-bench-long-section"
        result = timed(
            "parse and import (v1)",
            lambda: import_briefing(document=parse_document(document_text()), slug=slug, user=user),
        )
        briefing = result.briefing
        timed(
            "publish v1",
            lambda: publish_briefing(briefing=briefing, user=user, note="Sample v1.", operator=True),
        )
        timed(
            "parse and import one changed sentence",
            lambda: import_briefing(
                document=parse_document(document_text(changed=SENTENCES // 2)), slug=slug, user=user
            ),
        )
        timed(
            "publish v2",
            lambda: publish_briefing(briefing=briefing, user=user, note="Sample v2.", operator=True),
        )
        client = Client()
        url = f"/briefings/{slug}/compare/v1...v2/"
        for label, query in (("public compare, inline", ""), ("public compare, side by side", "?view=side")):
            caches[generation.ALIAS].clear()
            response = timed(label, lambda query=query: client.get(url + query, secure=True))
            assert response.status_code == 200, response.status_code
            assert b"was revised" in response.content
        steps = ("parse and import (v1)", "publish v1", "parse and import one changed sentence", "publish v2")
        total = sum(timings[step][-1] for step in (*steps, "public compare, inline"))
        timings.setdefault("total: import, publish, revise, publish, compare", []).append(total)
