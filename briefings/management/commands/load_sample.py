"""Load the project's own sample briefing, publish it, and create a local editor.

`make run` calls this on every start; it reuses whatever already exists, so
running it again changes nothing. The sample is fictional and labelled so.

It creates a superuser and publishes a fictional briefing, so it refuses to
run with DEBUG=0 (a production database) unless given --force.
"""

import secrets
from pathlib import Path

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from briefings.editing.working_copy import import_briefing
from briefings.models import Briefing
from briefings.publishing.publish import PublishError, publish_briefing
from briefings.text.parsing import parse_document

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "sample-briefing.txt"
SAMPLE_SLUG = "sample-estmark-water-security"

# Details for some of the sample's sources; the rest stay "details pending" to
# show editors what an imported placeholder looks like.
SAMPLE_SOURCES = {
    1: ("Arden Development Bank: Estmark water portfolio review (sample)", "Arden Development Bank", "news"),
    2: ("Estmark water ministry: drought statement (sample)", "Estmark Ministry of Water", "government"),
    3: ("Three partners, one river: an analysis (sample)", "Assay sample desk", "analysis"),
}
# Their reliability grades (the Admiralty code), to show readers a graded reference list.
SAMPLE_GRADES = {1: "B", 2: "C", 3: "F"}


def login_url(host, port):
    """The admin's address on a development server bound to ``host``:``port``."""
    # A server bound to every address is reached on this machine through the loopback one.
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/admin/"


class Command(BaseCommand):
    help = "Load and publish the sample briefing and create a local 'editor' account (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run although DEBUG is off: create the superuser and publish the sample anyway.",
        )
        # `make run` passes its HOST and PORT, so the printed login address is the one it serves.
        parser.add_argument(
            "--host", default="127.0.0.1", help="Host the server runs on (for the login URL)."
        )
        parser.add_argument("--port", default="8000", help="Port the server runs on (for the login URL).")

    def handle(self, *args, **options):
        if not settings.ASSAY_DEVELOPMENT and not options["force"]:
            raise CommandError(
                "DEBUG is off: this looks like a production database. load_sample would create a "
                "superuser and publish a fictional sample briefing there. Nothing was changed. "
                "Use --force if that is really what you want."
            )
        self.login_url = login_url(options["host"], options["port"])
        self.load(options)

    @transaction.atomic
    def load(self, options):
        user = self.ensure_editor(options["username"])
        self.ensure_reviewer()
        briefing = Briefing.objects.filter(slug=SAMPLE_SLUG).first()
        if briefing is None:
            document = parse_document(SAMPLE.read_text(encoding="utf-8"))
            result = import_briefing(
                document=document, slug=SAMPLE_SLUG, subject="Estmark (sample)", user=user
            )
            briefing = result.briefing
            # save() inside a revision, not QuerySet.update(): sources are under
            # reversion, and their history must hold the details readers see,
            # not only the importer's placeholders.
            with reversion.create_revision():
                for ref in briefing.references.select_related("source"):
                    if ref.number in SAMPLE_SOURCES:
                        source = ref.source
                        source.title, source.publisher, source.kind = SAMPLE_SOURCES[ref.number]
                        source.grade = SAMPLE_GRADES[ref.number]
                        source.url = f"https://example.org/assay-sample/source-{ref.number}"
                        source.details_pending = False
                        source.save()
                reversion.set_user(user)
                reversion.set_comment("Sample source details")
            self.stdout.write(self.style.SUCCESS(f"Loaded the sample briefing /briefings/{SAMPLE_SLUG}/."))
        if not briefing.publications.exists():
            try:
                publish_briefing(
                    briefing=briefing,
                    user=user,
                    note="First publication of the sample briefing.",
                    operator=True,
                )
            except PublishError as error:
                raise CommandError(
                    "cannot publish the sample briefing, nothing was written: " + "; ".join(error.problems)
                ) from error
            self.stdout.write(self.style.SUCCESS("Published the sample briefing."))

    def ensure_editor(self, username):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is not None:
            self.stdout.write(
                f"Editor account '{username}' exists; log in at {self.login_url}. Forgot the password? "
                f"python manage.py changepassword {username}"
            )
            return user
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the local editor account. Log in at {self.login_url} "
                f"as '{username}' with password: {password}"
            )
        )
        return user

    def ensure_reviewer(self, username="reviewer"):
        """A second local account in the Reviewers group: nobody approves their own changes."""
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=username, password=password, is_staff=True)
        user.groups.add(Group.objects.get(name="Reviewers"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the local reviewer account '{username}' with password: {password} "
                "(a reviewer may not approve their own changes)"
            )
        )
