"""Import a briefing from a text file in the Assay format (docs/import-format.md).

All or nothing: a malformed file is reported as FILE:LINE: problem, the
command exits non-zero and the database is left exactly as it was. A file
that would overwrite later work (an admin save since the last import) is
refused unless --force. With --publish, importing and publishing are one
transaction, through the same publish function as the review page: the
publishing --user is recorded, and a briefing that cannot be published is
not imported either.
"""

import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction
from django.utils.text import slugify

from briefings.editing.working_copy import ImportRefused, import_briefing
from briefings.models import Briefing
from briefings.publishing.publish import PublishError, publish_briefing
from briefings.publishing.review import ReviewError
from briefings.text.parsing import FormatError, parse_document

SLUG_MAX = Briefing._meta.get_field("slug").max_length
SLUG_RE = re.compile(rf"[-a-zA-Z0-9_]{{1,{SLUG_MAX}}}")


class Command(BaseCommand):
    help = "Import a briefing file, creating the briefing or updating its working copy."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to a UTF-8 text file in the briefing format.")
        parser.add_argument("--slug", help="Briefing slug (default: from the title).")
        parser.add_argument("--subject", help="Briefing subject, e.g. 'Venezuela'.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish after importing, as an operator: no review step, but --user (who may publish) "
            "and --note are required, and it is recorded in the review history.",
        )
        parser.add_argument("--note", help="Public change note (required with --publish).")
        parser.add_argument("--user", help="Username recorded on the revision and publication.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite a working copy changed since its last import, and publish even when "
            "nothing changed since the last publication.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; write nothing.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if options["publish"] and not (options["note"] or "").strip():
            raise CommandError("--publish needs --note TEXT: the public change note readers will see.")
        if options["publish"] and not options["user"]:
            raise CommandError("--publish needs --user NAME: who publishes is recorded.")
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror})") from error
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise CommandError(f"{path}:{line}: the file is not UTF-8 (byte {error.start})") from error
        try:
            document = parse_document(text)
        except FormatError as error:
            raise CommandError(f"{path}:{error.line}: {error.message}") from error

        slug = options["slug"]
        if slug is not None and not SLUG_RE.fullmatch(slug):
            raise CommandError(
                f"--slug {slug!r}: not a valid slug (ASCII letters, numbers, hyphens, underscores; "
                f"at most {SLUG_MAX} characters)"
            )
        if slug is None and not slugify(document.title):
            # Slugs stay ASCII: the public URLs use Django's ``slug`` converter.
            raise CommandError(
                f"{path}:{document.title_line}: the title gives no usable slug "
                "(slugs are ASCII letters, numbers and hyphens); pass --slug"
            )

        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user {options['user']!r}: no such user")
        try:
            # One transaction for import and publish: if publishing is refused,
            # the import is rolled back too, so a non-zero exit always means
            # the database is as it was.
            with transaction.atomic():
                result = import_briefing(
                    document=document,
                    slug=slug,
                    subject=options["subject"],
                    user=user,
                    dry_run=options["dry_run"],
                    force=options["force"],
                )
                publication = None
                if options["publish"] and not result.dry_run:
                    publication = publish_briefing(
                        briefing=result.briefing,
                        user=user,
                        note=options["note"],
                        operator=True,
                        force=options["force"],
                    )
        except FormatError as error:
            raise CommandError(f"{path}:{error.line}: {error.message}") from error
        except ImportRefused as error:
            raise CommandError(f"{path}: not imported: {error}") from error
        except ReviewError as error:
            raise CommandError(f"{path}: cannot publish, nothing was written: {error}") from error
        except PublishError as error:
            raise CommandError(
                f"{path}: cannot publish, nothing was written: " + "; ".join(error.problems)
            ) from error
        except DatabaseError as error:
            raise CommandError(
                f"{path}: the database refused the import, nothing was written: {error}"
            ) from error

        for warning in result.warnings:
            where = f"{path}:{warning.line}" if warning.line else str(path)
            self.stderr.write(self.style.WARNING(f"{where}: warning: {warning.message}"))
        verb = "Would import" if result.dry_run else ("Imported" if result.created else "Updated")
        if not result.changed and not result.dry_run:
            verb = "Nothing changed: already"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} “{document.title}” as /briefings/{result.briefing.slug}/: "
                f"{result.sections - 1} sections and the executive summary, "
                f"{result.references_created} new references"
                + (
                    f" ({result.sources_reused} naming sources already stored)"
                    if result.sources_reused
                    else ""
                )
                + f", {result.claims} claims, "
                f"{result.citations} citations, partners: {', '.join(result.partners) or 'none'}."
            )
        )
        if publication is not None:
            self.stdout.write(self.style.SUCCESS(f"Published as version {publication.number}."))
