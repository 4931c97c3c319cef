"""Text processing at sizes that used to be quadratic: medians of splitting, cleaning and diffing.

    python manage.py bench_text --runs 5

Pure Python (no database): the parser and the citation-aware diff that
import, the admin, publishing and every compare page use.
"""

import random
import statistics
import time

from django.core.management.base import BaseCommand

from briefings.text.compare import diff_text
from briefings.text.parsing import parse_body


def median_ms(call, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


class Command(BaseCommand):
    help = "Medians of parsing and diffing long sections (8,000 sentences, long runs, long sentences)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, runs, **options):
        section = " ".join(f"Dr. Ruiz met U.S. lender no. {i} in St. Arden [1]." for i in range(8000))
        changed = section.replace("lender no. 4000 ", "lender no. 4000 again ", 1)
        words = " ".join(f"word{i % 50} the" for i in range(4000))
        rng = random.Random(1)  # noqa: S311 (reproducible sample text)
        vocabulary = ["the", "a", "dam", "lender", "water", "[1]"]
        rewritten = (
            " ".join(rng.choice(vocabulary) for _ in range(8000)) + ".",
            " ".join(rng.choice(vocabulary) for _ in range(8000)) + ".",
        )
        cases = [
            ("parse an 8,000-sentence section", lambda: parse_body(section)),
            ("parse a 40 KB run without spaces", lambda: parse_body("A claim [1]. " + "x" * 40_000)),
            ("parse a 900 KB run without spaces", lambda: parse_body("A claim [1]. " + "x" * 900_000)),
            ("diff one sentence changed of 8,000", lambda: diff_text(section, changed).pieces),
            (
                "diff one word changed in an 8,000-word sentence",
                lambda: diff_text(words + ".", words.replace("word7 the", "new the", 1) + ".").pieces,
            ),
            ("diff a rewritten 8,000-word sentence", lambda: diff_text(*rewritten).pieces),
        ]
        for label, call in cases:
            self.stdout.write(f"{label:>50}: median {median_ms(call, runs):9.1f} ms over {runs} runs")
