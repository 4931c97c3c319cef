"""Build a corpus of published briefings quickly, then time every public page on it.

    manage.py bench_corpus --briefings 10000 [--claims-per-briefing 100]   # build
    manage.py bench_corpus --measure [--runs 7]                            # time
    ASSAY_PAGE_CACHE=0 manage.py bench_corpus --briefings 500 --measure    # both

Building writes into the configured database and keeps what it writes (use
a scratch database): briefings, sections, references, sources and partners
are inserted in bulk, and each briefing is published through the same
snapshot builder and renderer as ``publish_briefing``
(publishing/snapshot.py) and the same derived-row builder
(``publish.rebuild_derived_many``), a batch at a time. Every tenth
briefing has a second publication. Each claim cites one or two sources;
every tenth cites one shared "heavily cited" source, so its source page
lists a tenth of all claims; the first partner is named by one section of
every briefing.

Measuring requests every public page in-process with Django's test client
(DEBUG off, the page cache off and emptied before every request, so each
request is a miss) and prints, per page, the median time, the slowest,
the query count and the page's size.
"""

import random
import re
import statistics
import time
from datetime import timedelta

from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from briefings.models import Briefing, Claim, Partner, Publication, PublishedSection, Section
from briefings.publishing import generation
from briefings.publishing.publish import rebuild_derived_many
from briefings.publishing.snapshot import build_snapshot, render_snapshot
from sources.models import Reference, Source

HEAVY_SOURCE = "Corpus: the heavily cited source"
POPULAR_SOURCES = 1000
OWN_SOURCES = 10  # per briefing, besides the heavy one and two popular ones
SECTIONS = 7  # the executive summary and six more
PARTNERS = 40
SUBJECTS = 50
SEARCH_WORDS = ("reservoir", "tariff")
TEXT_WORD = "turbine"

_rng = random.Random(8)  # noqa: S311 - sample text, not secrets
WORDS = sorted(
    {
        "".join(_rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(_rng.randint(4, 9)))
        for _ in range(400)
    }
) + ["river", "dam", "loan", "tariff", "drought", "harbour", "grain", "turbine", "reservoir", "pipeline"]


def claim_counts(total):
    base, extra = divmod(total, SECTIONS)
    return [base + (1 if i < extra else 0) for i in range(SECTIONS)]


class Command(BaseCommand):
    help = "Build a corpus of published briefings (--briefings N) and/or time every public page (--measure)."

    def add_arguments(self, parser):
        parser.add_argument("--briefings", type=int, default=0, help="Briefings to build (default: none).")
        parser.add_argument(
            "--claims-per-briefing", type=int, default=100, help="Cited sentences per briefing (default 100)."
        )
        parser.add_argument("--batch", type=int, default=200, help="Briefings per transaction (default 200).")
        parser.add_argument("--measure", action="store_true", help="Time every public page.")
        parser.add_argument(
            "--runs", type=int, default=7, help="Requests per page when measuring (default 7)."
        )

    def handle(self, *args, **options):
        if not options["briefings"] and not options["measure"]:
            raise CommandError("Give --briefings N to build, --measure to time, or both.")
        if options["briefings"]:
            self.build(options["briefings"], options["claims_per_briefing"], options["batch"])
        if options["measure"]:
            self.measure(options["runs"])

    # Building

    def build(self, count, claims_per_briefing, batch):
        if claims_per_briefing < SECTIONS:
            raise CommandError(f"--claims-per-briefing must be at least {SECTIONS}.")
        start = time.perf_counter()
        first = Briefing.objects.filter(slug__startswith="corpus-").count()
        with transaction.atomic():
            partners = self.partners()
            heavy, popular = self.shared_sources()
        rng = random.Random(first)  # noqa: S311 - sample text, not secrets
        done = 0
        while done < count:
            size = min(batch, count - done)
            with transaction.atomic():
                self.build_batch(
                    range(first + done, first + done + size),
                    claims_per_briefing,
                    partners,
                    heavy,
                    popular,
                    rng,
                )
            done += size
            elapsed = time.perf_counter() - start
            self.stderr.write(f"  {done}/{count} briefings, {elapsed:.0f} s")
        generation.advance()
        self.analyze()
        self.stdout.write(
            f"Built {count} briefings in {time.perf_counter() - start:.0f} s: now "
            f"{Briefing.objects.count()} briefings, {Publication.objects.count()} publications, "
            f"{Source.objects.count()} sources, {PublishedSection.objects.count()} published sections, "
            f"{self.count_claims()} claims ({connection.vendor})."
        )

    def count_claims(self):
        return Claim.objects.count()

    def partners(self):
        existing = {p.slug: p for p in Partner.objects.filter(slug__startswith="corpus-partner-")}
        missing = [
            Partner(
                name=f"Corpus partner {n}", slug=f"corpus-partner-{n}", description=f"Partner number {n}."
            )
            for n in range(PARTNERS)
            if f"corpus-partner-{n}" not in existing
        ]
        Partner.objects.bulk_create(missing)
        by_slug = {p.slug: p for p in Partner.objects.filter(slug__startswith="corpus-partner-")}
        return [by_slug[f"corpus-partner-{n}"] for n in range(PARTNERS)]

    def shared_sources(self):
        heavy = Source.objects.filter(title=HEAVY_SOURCE).first()
        if heavy is None:
            heavy = Source.objects.create(
                title=HEAVY_SOURCE, publisher="Corpus wire", url="https://corpus.example/heavy", kind="news"
            )
        popular = list(
            Source.objects.filter(url__startswith="https://corpus.example/popular/").order_by("pk")
        )
        if not popular:
            popular = Source.objects.bulk_create(
                Source(
                    title=f"Corpus popular source {n}",
                    publisher=f"Corpus outlet {n % 200}",
                    url=f"https://corpus.example/popular/{n}",
                    kind=("news", "analysis", "government", "academic", "data")[n % 5],
                    published_on=timezone.now().date() - timedelta(days=n),
                )
                for n in range(POPULAR_SOURCES)
            )
        return heavy, popular

    def sentence(self, rng, citations):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16)))
        markers = " ".join(f"[{n}]" for n in citations)
        return f"{words.capitalize()} {markers}."

    def build_batch(self, numbers, claims_per_briefing, partners, heavy, popular, rng):
        now = timezone.now()
        briefings = Briefing.objects.bulk_create(
            Briefing(
                title=f"Corpus question {n}: how do {rng.choice(WORDS)} and {rng.choice(WORDS)} shape it?",
                slug=f"corpus-{n}",
                subject=f"Subject {n % SUBJECTS}",
                status=Briefing.Status.PUBLISHED,
            )
            for n in numbers
        )
        own = Source.objects.bulk_create(
            Source(
                title=f"Corpus source {n}-{k}: {rng.choice(WORDS)} {rng.choice(WORDS)}",
                publisher=f"Corpus outlet {(n * 7 + k) % 500}",
                url=f"https://corpus.example/{n}/{k}",
                kind=("news", "analysis", "government", "academic", "data", "other")[(n + k) % 6],
                published_on=(now - timedelta(days=(n * 13 + k) % 3000)).date(),
                details_pending=(n + k) % 17 == 0,
            )
            for n in numbers
            for k in range(OWN_SOURCES)
        )
        references = []
        sections = []
        section_partners = []
        counts = claim_counts(claims_per_briefing)
        for index, (n, briefing) in enumerate(zip(numbers, briefings, strict=True)):
            ref_sources = [heavy, popular[(n * 7) % len(popular)], popular[(n * 11 + 3) % len(popular)]]
            ref_sources += own[index * OWN_SOURCES : (index + 1) * OWN_SOURCES]
            references += [
                Reference(briefing=briefing, number=number, source=source)
                for number, source in enumerate(ref_sources, 1)
            ]
            claim = 0
            for position, claims in enumerate(counts):
                sentences = []
                for _ in range(claims):
                    claim += 1
                    cited = [1] if claim % 10 == 0 else [rng.randint(2, len(ref_sources))]
                    if claim % 4 == 0:
                        cited.append(rng.randint(2, len(ref_sources)))
                    sentences.append(self.sentence(rng, cited))
                if position == 0:
                    heading, names = "Executive summary", []
                elif position == 1:
                    heading, names = f"{partners[0].name}: the main actor", [partners[0]]
                else:
                    partner = partners[1 + (n + position) % (PARTNERS - 1)]
                    heading, names = f"{partner.name}: {rng.choice(WORDS)}", [partner]
                sections.append(
                    Section(briefing=briefing, position=position, heading=heading, body=" ".join(sentences))
                )
                section_partners.append(names)
        Section.objects.bulk_create(sections)
        through = Section.partners.through
        through.objects.bulk_create(
            through(section_id=section.pk, partner_id=partner.pk)
            for section, names in zip(sections, section_partners, strict=True)
            for partner in names
        )
        Reference.objects.bulk_create(references)
        publications = []
        current = []
        for n, briefing in zip(numbers, briefings, strict=True):
            snapshot = build_snapshot(briefing)
            html = render_snapshot(snapshot)
            at = now - timedelta(minutes=10 * (100_000 - n))
            versions = 2 if n % 10 == 0 else 1
            for number in range(1, versions + 1):
                publication = Publication(
                    briefing=briefing,
                    number=number,
                    kind=Publication.Kind.FIRST if number == 1 else Publication.Kind.UPDATE,
                    note="First publication." if number == 1 else "Updated figures.",
                    title=briefing.title,
                    subject=briefing.subject,
                    snapshot=snapshot,
                    rendered_html=html,
                    published_at=at + timedelta(minutes=number - 1),
                )
                publications.append(publication)
            current.append(publication)
        Publication.objects.bulk_create(publications)
        rebuild_derived_many(current)

    def analyze(self):
        if connection.vendor == "postgresql":
            # Fresh rows have no planner statistics or visibility map; VACUUM cannot run in a transaction.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    # Measuring

    def pages(self):
        briefing = Publication.objects.current().filter(number=2).select_related("briefing").first()
        if briefing is None:
            raise CommandError("No briefing with two publications: build a corpus first (--briefings N).")
        slug = briefing.briefing.slug
        partner = (
            Partner.objects.annotate(n=Count("published_sections"))
            .order_by("-n")
            .values_list("slug", flat=True)
            .first()
        )
        heavy = Source.objects.filter(title=HEAVY_SOURCE).values_list("pk", flat=True).first()
        if heavy is None:
            raise CommandError("No heavily cited source: build a corpus first (--briefings N).")
        subject = briefing.subject or "Subject 1"
        publisher = "Corpus outlet 7"
        since = (briefing.published_at - timedelta(days=30)).date().isoformat()
        two = "+".join(SEARCH_WORDS)
        return [
            "/",
            "/?page=last",
            "/briefings/",
            f"/briefings/?partner={partner}",
            f"/briefings/?subject={subject.replace(' ', '+')}",
            f"/briefings/?updated_from={since}",
            f"/briefings/?partner={partner}&page=last",
            "/claims/",
            "/claims/?page=2",
            "/claims/?page=last",
            f"/claims/?partner={partner}",
            f"/claims/?partner={partner}&page=last",
            f"/claims/?source={heavy}",
            f"/claims/?source={heavy}&page=last",
            f"/claims/?briefing={slug}",
            f"/claims/?text={TEXT_WORD}",
            f"/claims/?text={TEXT_WORD}&page=last",
            f"/claims/?q={TEXT_WORD}",
            "/claims/?kind=data",
            "/claims/?kind=data&page=last",
            f"/claims/?kind=data&source={heavy}",
            f"/claims/?published_from={since}",
            f"/claims/?published_to={since}&page=last",
            f"/claims/?source={heavy}&partner={partner}&page=last",
            # Text with another filter: no one index answers both.
            f"/claims/?text={TEXT_WORD}&partner={partner}",
            f"/claims/?text={TEXT_WORD}&source={heavy}",
            f"/claims/?text={TEXT_WORD}&kind=data",
            f"/claims/?text={TEXT_WORD}&published_from={since}",
            f"/search/?q={two}",
            f"/search/?q={two}&page=last",
            f"/search/?q={SEARCH_WORDS[0]}",
            "/sources/",
            "/sources/?page=last",
            "/sources/?kind=analysis",
            f"/sources/?publisher={publisher.replace(' ', '+')}",
            f"/sources/{heavy}/",
            f"/sources/{heavy}/?page=last",
            f"/partners/{partner}/",
            f"/partners/{partner}/?page=last",
            "/sitemap.xml",
            f"/briefings/{slug}/",
            f"/briefings/{slug}/v1/",
            f"/briefings/{slug}.json",
            f"/briefings/{slug}/v1.json",
            f"/briefings/{slug}/compare/v1...v2/",
            f"/briefings/{slug}/feed.atom",
            "/feeds/publications.atom",
            "/robots.txt",
        ]

    def measure(self, runs):
        with override_settings(DEBUG=False, ASSAY_PAGE_CACHE=False):
            self._measure(runs)

    def _measure(self, runs):
        client = Client()
        pages = caches[generation.ALIAS]
        urls = self.pages()
        counts = (
            f"{Publication.objects.count()} publications, {Briefing.objects.count()} briefings, "
            f"{Source.objects.count()} sources"
        )
        self.stdout.write(f"{connection.vendor}, {counts}; {runs} runs per page, page cache off")
        self.stdout.write(f"{'page':58} {'p50 ms':>8} {'max ms':>8} {'queries':>8} {'KB':>8}  status")
        index = 0
        while index < len(urls):
            url = urls[index]
            index += 1
            timings = []
            for _ in range(runs):
                pages.clear()
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(url, secure=True)
                    timings.append((time.perf_counter() - start) * 1000)
            body = response.content
            self.stdout.write(
                f"{url[:58]:58} {statistics.median(timings):8.1f} {max(timings):8.1f} "
                f"{len(queries):8} {len(body) / 1024:8.1f}  {response.status_code}"
            )
            if url == "/sitemap.xml" and b"<sitemapindex" in body:
                # A sitemap index: time each sitemap it lists, too.
                for loc in re.findall(rb"<loc>https?://[^/]+([^<]+)</loc>", body):
                    urls.insert(index, loc.decode().replace("&amp;", "&"))
