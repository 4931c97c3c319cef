"""The release: a token and a time that change whenever a deploy can change a public page.

Public pages are cached by validators (ETag, Last-Modified). A publication's
own content never changes, but the page around it does when a deploy brings
new templates, code or hashed CSS; a validator that named the publication
alone would let a browser or CDN keep the old HTML, pointing at stylesheets
that no longer exist. Every validator therefore carries the release too.

``settings.ASSAY_RELEASE`` (env ``ASSAY_RELEASE``, e.g. the commit or image
tag) names the release; when it is empty the token is a hash of the code,
templates and static files this process runs. The release time is the newest
modification time among those files. Both are computed once per process:
a deploy restarts the application servers.
"""

import datetime
import functools
import hashlib
import re

from django.conf import settings

# What a deploy can change about a public page. Tests, docs and data are not it.
RELEASE_DIRS = ("briefings", "sources", "config", "templates", "static")
SKIPPED = ("__pycache__",)


@functools.cache
def release_files():
    """(hash of every file that makes up the release, newest modification time)."""
    digest = hashlib.sha256()
    newest = 0.0
    for name in RELEASE_DIRS:
        root = settings.BASE_DIR / name
        for path in sorted(root.rglob("*")):
            if not path.is_file() or any(part in SKIPPED for part in path.parts) or path.suffix == ".pyc":
                continue
            digest.update(str(path.relative_to(settings.BASE_DIR)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
            newest = max(newest, path.stat().st_mtime)
    return digest.hexdigest()[:12], datetime.datetime.fromtimestamp(int(newest), tz=datetime.UTC)


def release_token():
    """A short token for validators: the configured release, or the hash of the files."""
    configured = settings.ASSAY_RELEASE
    if configured:
        # It goes inside a quoted ETag, so only characters that are safe there.
        return re.sub(r"[^A-Za-z0-9._-]", "-", configured)[:64]
    return release_files()[0]


def released_at():
    """When this release's files last changed; a page is never older than that."""
    return release_files()[1]
