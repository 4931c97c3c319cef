"""Write a briefing back in the import format: the working copy, or publication N."""

from django.core.management.base import BaseCommand, CommandError

from briefings.models import Briefing, Publication
from briefings.text.parsing import render_document


class Command(BaseCommand):
    help = "Print a briefing (working copy or a publication) in the import format."

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
        else:
            briefing = Briefing.objects.filter(slug=slug).first()
            if briefing is None:
                raise CommandError(f"{slug}: no such briefing")
            title = briefing.title
            sections = [(s.heading, s.body) for s in briefing.sections.order_by("position", "pk")]
        if not sections:
            raise CommandError(f"{slug}: the briefing has no sections to export")
        text = render_document(title, sections)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
