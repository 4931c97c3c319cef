"""Write every public page as a static file: ``manage.py bake DIR [--full] [--base-url URL]``."""

from django.core.management.base import BaseCommand, CommandError

from briefings.public.bake import Baker


class Command(BaseCommand):
    help = (
        "Write every public page, feed, sitemap and JSON export under DIR as static files "
        "(incremental: only what publishing changed since the last bake)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--full", action="store_true", help="Render everything, not only what changed.")
        parser.add_argument(
            "--base-url",
            help="The site's address, for absolute links in feeds and the sitemap "
            "(default: the first ALLOWED_HOSTS entry; https unless DEBUG).",
        )

    def handle(self, *args, directory, full, base_url, **options):
        if base_url and not base_url.startswith(("http://", "https://")):
            raise CommandError(f"--base-url {base_url!r} must start with http:// or https://")
        result = Baker(directory, base_url=base_url).bake(full=full)
        kind = "Full bake" if result.full else "Incremental bake"
        self.stdout.write(
            f"{kind}: {result.briefings} briefing(s) rendered; {len(result.written)} file(s) written, "
            f"{result.unchanged} unchanged, {len(result.removed)} removed."
        )
        for url, status in result.failed:
            self.stderr.write(f"{url}: HTTP {status}")
        if result.failed:
            raise CommandError(f"{len(result.failed)} page(s) could not be baked.")
