"""Time the reader pages (home, briefing, lists, filters, search, partner and source pages) on generated data.

Performance figures come from here, not from timed tests. Everything the
command creates is rolled back at the end, so it can run against any
development database: `manage.py bench_reader_pages --briefings 200`.
"""

import statistics
import time

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from briefings.editing.draft import Draft, SectionDraft
from briefings.editing.working_copy import write
from briefings.models import Partner
from briefings.publishing.publish import publish_briefing
from sources.models import Source

WORDS = [
    "river",
    "dam",
    "loan",
    "tariff",
    "drought",
    "harbour",
    "grain",
    "turbine",
    "reservoir",
    "pipeline",
    "treaty",
    "levy",
]


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Print the median time and query count of each reader page on generated data (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--briefings", type=int, default=100, help="Briefings to generate (default 100).")
        parser.add_argument("--runs", type=int, default=15, help="Requests per page (default 15).")

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                source_id = self.generate(options["briefings"])
                if connection.vendor == "postgresql":
                    # Fresh rows have no planner statistics: without this, PostgreSQL
                    # guesses huge row counts and spends most of each query JIT-compiling.
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE")
                self.measure(options["runs"], source_id)
                raise _Rollback
        except _Rollback:
            pass

    def generate(self, count):
        publisher = User.objects.create_superuser(username="zz-bench-publisher", email="", password=None)
        partners = [
            Partner.objects.create(name=f"Bench partner {n}", slug=f"bench-partner-{n}") for n in range(8)
        ]
        shared = Source.objects.create(title="Bench shared source", publisher="Bench outlet", kind="news")
        for n in range(count):
            sections = []
            for position in range(6):
                words = " ".join(WORDS[(n + position + k) % len(WORDS)] for k in range(8))
                body = " ".join(f"Claim {k} about {words} [{k % 4 + 1}]." for k in range(6))
                partner = (
                    frozenset([partners[(n + position) % len(partners)].pk]) if position else frozenset()
                )
                sections.append(SectionDraft(None, f"Bench heading {position}", body, partner))
            references = [(1, shared.pk)]
            for number in range(2, 5):
                source = Source.objects.create(
                    title=f"Bench source {n}-{number}", publisher=f"Outlet {number}", kind="analysis"
                )
                references.append((number, source.pk))
            draft = Draft(
                f"Bench question {n}", f"bench-{n}", f"S{n % 5}", tuple(sections), tuple(references)
            )
            briefing = write(draft=draft, user=publisher, comment="Bench").briefing
            publish_briefing(briefing=briefing, user=publisher, note="Bench publication.", operator=True)
        return shared.pk

    def measure(self, runs, source_id):
        client = Client()
        connection.queries_log.clear()
        urls = [
            "/",
            "/briefings/bench-0/",
            "/briefings/bench-0/v1/",
            "/briefings/",
            "/briefings/?partner=bench-partner-1&subject=S1",
            "/claims/",
            "/claims/?partner=bench-partner-2&text=tariff",
            f"/claims/?source={source_id}",
            "/sources/",
            "/sources/?kind=analysis&publisher=Outlet+2",
            f"/sources/{source_id}/",
            "/partners/bench-partner-3/",
            "/search/?q=tariff+drought",
            "/search/?q=turbine",
        ]
        self.stdout.write(f"{'page':55} {'median ms':>10} {'queries':>8}  ({connection.vendor}, {runs} runs)")
        for url in urls:
            timings = []
            for _ in range(runs):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    self.stderr.write(f"{url}: HTTP {response.status_code}")
            self.stdout.write(f"{url:55} {statistics.median(timings):10.1f} {len(queries):8}")
