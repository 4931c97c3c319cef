"""Time an 8,000-sentence section end to end: import, publish, change one sentence, publish, compare.

    python manage.py bench_long_section --runs 5
    DATABASE_URL=postgres://... python manage.py bench_long_section --sentences 8000 --runs 5

Each run, inside a transaction rolled back at the end (nothing is left
behind), writes a briefing file in the import format (docs/import-format.md)
with an executive summary and one section of ``--sentences`` cited sentences
(in paragraphs of 200), then

1. parses and imports it through ``import_briefing``'s code path
   (``parse_document`` and ``working_copy.import_briefing``, as the command);
2. publishes it through ``publish_briefing`` (version 1);
3. changes one sentence in the middle, imports the file again and publishes
   version 2;
4. requests the public compare page ``/briefings/<slug>/compare/v1...v2/``
   with Django's test client (DEBUG and the page cache off).

It prints the median of each step over the runs and of steps 1-3 together;
the bar is under 2 s for steps 1-3 and under 500 ms for the compare page.
"""

import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import Client, override_settings

from briefings.editing.working_copy import import_briefing
from briefings.models import Briefing
from briefings.publishing.publish import publish_briefing
from briefings.text.parsing import parse_document

SLUG = "zz-bench-long-section-throwaway"
REFERENCES = 20
PARAGRAPH = 200
WORDS = (
    *("ministry", "loan", "grid", "water", "dam", "tariff", "treaty", "port", "rail", "pledge"),
    *("audit", "envoy", "reserve", "export", "import", "drought", "border", "ration", "credit"),
)


class Rollback(Exception):
    pass


def briefing_file(sentences, *, changed=None):
    """The file's text; ``changed`` (a sentence index) gets different words."""
    rng = random.Random(11)  # noqa: S311 -- repeatable filler text, not security
    body = []
    for n in range(sentences):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 14)))
        if n == changed:
            words = "a corrected figure replaces " + words
        body.append(f"{words.capitalize()} number {n} [{rng.randint(1, REFERENCES)}].")
    paragraphs = [" ".join(body[i : i + PARAGRAPH]) for i in range(0, len(body), PARAGRAPH)]
    references = [
        f"[{n}] Bench source {n} | Bench publisher | https://bench.example/{n} | 2024-01-0{1 + n % 9} | news"
        for n in range(1, REFERENCES + 1)
    ]
    return "\n".join(
        [
            "Sample question: what does one very long section cost?",
            "Executive summary",
            "A short summary cites the first source [1].",
            "1. The long section",
            "\n\n".join(paragraphs),
            "References",
            *references,
        ]
    )


class Command(BaseCommand):
    help = "Time importing, publishing and comparing a briefing with one 8,000-sentence section."

    def add_arguments(self, parser):
        parser.add_argument("--sentences", type=int, default=8000)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, sentences, runs, **options):
        if sentences < 2 or runs < 1:
            raise CommandError("--sentences must be at least 2 and --runs at least 1.")
        if Briefing.objects.filter(slug=SLUG).exists():
            raise CommandError(f"A briefing with the throwaway slug {SLUG!r} exists; remove it first.")
        first, second = briefing_file(sentences), briefing_file(sentences, changed=sentences // 2)
        steps = {name: [] for name in ("import v1", "publish v1", "import v2", "publish v2", "compare page")}
        totals = []
        with override_settings(DEBUG=False, ASSAY_PAGE_CACHE=False):
            for _ in range(runs):
                try:
                    with transaction.atomic():
                        self.run(first, second, steps, totals)
                        raise Rollback
                except Rollback:
                    pass
        self.stdout.write(f"One section of {sentences} sentences; median of {runs} runs (rolled back):")
        for name, times in steps.items():
            self.stdout.write(f"{name:>40}: {statistics.median(times):8.0f} ms")
        self.stdout.write(f"{'import, publish, import, publish':>40}: {statistics.median(totals):8.0f} ms")

    def run(self, first, second, steps, totals):
        user = get_user_model().objects.create_superuser(username="zz-bench-long-section", password=None)

        def timed(name, call):
            started = time.perf_counter()
            result = call()
            steps[name].append((time.perf_counter() - started) * 1000)
            return result

        def import_text(text):
            return import_briefing(document=parse_document(text), slug=SLUG, subject=None, user=user)

        result = timed("import v1", lambda: import_text(first))
        briefing = result.briefing
        timed(
            "publish v1", lambda: publish_briefing(briefing=briefing, user=user, note="First.", operator=True)
        )
        timed("import v2", lambda: import_text(second))
        briefing = Briefing.objects.get(pk=briefing.pk)
        timed(
            "publish v2",
            lambda: publish_briefing(briefing=briefing, user=user, note="Corrected a figure.", operator=True),
        )
        totals.append(sum(steps[name][-1] for name in ("import v1", "publish v1", "import v2", "publish v2")))
        client = Client()
        response = timed(
            "compare page", lambda: client.get(f"/briefings/{SLUG}/compare/v1...v2/", secure=True)
        )
        if response.status_code != 200 or b"a corrected figure replaces" not in response.content.lower():
            raise CommandError(f"The compare page answered {response.status_code} without the change.")
