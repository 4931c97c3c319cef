"""Write a briefing back in the import format: the working copy, or publication N.

The file holds the sections and the References block (docs/import-format.md),
so a briefing exported here and imported elsewhere comes back with its sources.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from briefings.models import Briefing, Publication
from briefings.text.parsing import ParsedReference, render_document
from sources.models import Reference


def reference_entry(number, source):
    """An entry of the References block from a source's details (a dict, as in a snapshot)."""
    published_on = source.get("published_on")
    if isinstance(published_on, str):
        published_on = date.fromisoformat(published_on)
    return ParsedReference(
        number=number,
        title=source.get("title") or "",
        publisher=source.get("publisher") or "",
        url=source.get("url") or "",
        published_on=published_on,
        kind=source.get("kind") or "",
        details_pending=bool(source.get("details_pending")),
        line=0,
        grade=source.get("grade") or "",
    )


class Command(BaseCommand):
    help = "Print a briefing (working copy or a publication) in the import format, with its references."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--publication", type=int, metavar="N", help="Export publication N instead.")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")

    def handle(self, *args, **options):
        slug = options["slug"]
        if options["publication"] is not None:
            publication = Publication.objects.filter(
                briefing__slug=slug, number=options["publication"]
            ).first()
            if publication is None:
                raise CommandError(f"{slug}: no publication {options['publication']}")
            snapshot = publication.snapshot
            title = snapshot["briefing"]["title"]
            sections = [(s["heading"], s["body"]) for s in snapshot["sections"]]
            references = [reference_entry(r["number"], r["source"]) for r in snapshot["references"]]
        else:
            briefing = Briefing.objects.filter(slug=slug).first()
            if briefing is None:
                raise CommandError(f"{slug}: no such briefing")
            title = briefing.title
            sections = [(s.heading, s.body) for s in briefing.sections.order_by("position", "pk")]
            references = [
                reference_entry(ref.number, vars(ref.source))
                for ref in Reference.objects.filter(briefing=briefing)
                .select_related("source")
                .order_by("number")
            ]
        if not sections:
            raise CommandError(f"{slug}: the briefing has no sections to export")
        text = render_document(title, sections, references)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
