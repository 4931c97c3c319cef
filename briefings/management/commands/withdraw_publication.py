"""Withdraw a publication for legal reasons (briefings/publishing/takedown.py)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from briefings.models import Publication
from briefings.publishing.takedown import TakedownError, withdraw_publication


class Command(BaseCommand):
    help = (
        "Withdraw publication N of a briefing: its address, JSON and comparisons answer 410 with the "
        "public notice, the change log says so. Recorded with the user; nothing is deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("number", type=int)
        parser.add_argument("--notice", required=True, help="Public: why it was withdrawn, shown to readers.")
        parser.add_argument("--reason", default="", help="Internal: legal ground or case reference.")
        parser.add_argument("--user", required=True, help="Who withdraws it (needs the withdraw permission).")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
        publication = (
            Publication.objects.select_related("briefing")
            .filter(briefing__slug=options["slug"], number=options["number"])
            .first()
        )
        if publication is None:
            raise CommandError(f"No publication {options['number']} of /briefings/{options['slug']}/.")
        try:
            withdraw_publication(
                publication=publication, user=user, notice=options["notice"], reason=options["reason"]
            )
        except TakedownError as refused:
            raise CommandError(f"{refused} Nothing was changed.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Withdrew version {publication.number} of /briefings/{publication.briefing.slug}/."
            )
        )
