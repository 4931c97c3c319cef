"""manage.py check_sources: check every source's URL, and record what was found."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from sources import linkcheck
from sources.models import LinkCheck, Source

MAX_CONCURRENCY = 32
MAX_TIMEOUT = 300


def printable(text):
    """Editor-typed text for a terminal: control characters shown as escapes, never obeyed."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


def describe(row):
    if row.state == LinkCheck.State.BLOCKED:
        return f"blocked   {row.error}"
    if row.state == LinkCheck.State.DEAD:
        return f"DEAD      {row.status_code or '-'} {row.error}"
    what = "CHANGED  " if row.state == LinkCheck.State.CHANGED else "ok       "
    text = f"{what} {row.status_code}"
    if row.redirects:
        n = len(row.redirects)
        text += f" after {n} redirect{'s' if n > 1 else ''} to {row.final_url}"
    return text


class Command(BaseCommand):
    help = (
        "Fetch every source's URL (robots.txt respected, redirects followed and recorded) and record its "
        "status, final URL and content hash; dead links and changed content are flagged in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only-due",
            action="store_true",
            help=f"Only sources never checked or last checked more than ASSAY_LINK_CHECK_DAYS "
            f"({settings.ASSAY_LINK_CHECK_DAYS}) days ago.",
        )
        parser.add_argument(
            "--concurrency", type=int, default=4, help=f"Fetches at once, 1 to {MAX_CONCURRENCY} (default 4)."
        )
        parser.add_argument(
            "--allow-private",
            action="store_true",
            help="Also fetch URLs on loopback, private or link-local addresses (an intranet; tests).",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=10.0,
            help="Seconds to wait for one URL, redirects included (default 10).",
        )

    def handle(self, *args, only_due, concurrency, timeout, allow_private, **options):
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise CommandError(f"--concurrency must be from 1 to {MAX_CONCURRENCY}, not {concurrency}.")
        if not 0 < timeout <= MAX_TIMEOUT:
            raise CommandError(
                f"--timeout must be more than 0 and at most {MAX_TIMEOUT} seconds, not {timeout:g}."
            )
        sources = Source.objects.exclude(url="").order_by("pk")
        if only_due:
            due = timezone.now() - datetime.timedelta(days=settings.ASSAY_LINK_CHECK_DAYS)
            sources = sources.filter(Q(link_check__isnull=True) | Q(link_check__checked_at__lt=due))
        sources = list(sources.only("pk", "title", "url"))
        total = len(sources)
        counts = dict.fromkeys(LinkCheck.State, 0)
        for done, (source, result) in enumerate(
            linkcheck.check(sources, concurrency=concurrency, timeout=timeout, allow_private=allow_private), 1
        ):
            row = linkcheck.record(source, result, now=timezone.now())
            counts[row.state] += 1
            self.stdout.write(
                f"[{done}/{total}] {describe(row)} · {printable(source.url)} · source {source.pk} "
                f"“{printable(source.title)}”"
            )
        summary = ", ".join(f"{n} {LinkCheck.State(state).label.lower()}" for state, n in counts.items() if n)
        checked = f"Checked {total} source{'' if total == 1 else 's'}"
        self.stdout.write(checked + (f": {summary}." if total else "."))
