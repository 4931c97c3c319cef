"""Bake: every public page as a static file, so nginx or a CDN can serve readers alone.

``manage.py bake DIR`` renders each public page through the project itself
(Django's test client, so through the same middleware, views and page cache
as a reader's request) and writes it under DIR: ``/briefings/x/`` becomes
``DIR/briefings/x/index.html``, ``/briefings/x.json`` stays
``DIR/briefings/x.json``. A file is rewritten only when its bytes changed,
through a temporary file and a rename, so a server reading DIR never sees half
a page.

``DIR/.bake.json`` records the release and, per briefing, the publications it
had, the files it produced and the partner and source pages it names. The
next run is incremental: only briefings with a publication the last bake did
not see (and the partner and source pages they name, before and after) are
rendered again, with the pages
every publish changes (home, lists, feeds, the sitemap index and every
sitemap page it lists). A new release, or
``--full``, renders everything and removes files no page produces any more.

Lists are baked at their first page without filters; filtered, searched and
deeper pages need the application (they carry a query string).
"""

import datetime
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

from briefings.models import Publication, PublishedPartner, PublishedReference, RecallFlag
from briefings.public.release import release_token
from briefings.public.sitemaps import sitemap_pages

MANIFEST = ".bake.json"
SITEMAP_FILES = "sitemaps/"

SHARED = (
    ("briefings:briefing-list", ()),
    ("briefings:briefing-explore", ()),
    ("briefings:claim-list", ()),
    ("briefings:feed", ()),
    ("sources:source-list", ()),
    ("sitemap", ()),
    ("robots-txt", ()),
)


def file_for(url):
    """Where the page at ``url`` (a path) is written, relative to the bake directory."""
    path = url.lstrip("/")
    return f"{path}index.html" if path == "" or path.endswith("/") else path


@dataclass
class BakeResult:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, int]] = field(default_factory=list)
    full: bool = False
    briefings: int = 0


def briefing_urls(briefing_id):
    """Every public address of one published briefing."""
    publications = list(
        Publication.objects.filter(briefing_id=briefing_id).select_related("briefing").order_by("number")
    )
    if not publications:
        return []
    slug = publications[0].briefing.slug
    urls = [
        reverse("briefings:briefing-detail", args=[slug]),
        reverse("briefings:briefing-json", args=[slug]),
        reverse("briefings:briefing-feed", args=[slug]),
    ]
    for publication in publications:
        urls.append(reverse("briefings:publication-detail", args=[slug, publication.number]))
        urls.append(reverse("briefings:publication-json", args=[slug, publication.number]))
    for older, newer in zip(publications, publications[1:], strict=False):
        urls.append(reverse("briefings:publication-compare", args=[slug, older.number, newer.number]))
    return urls


def named_records(briefing_ids):
    """{briefing id: {"partners": [...slugs], "sources": [...ids]}} as their current publications name."""
    named = {pk: {"partners": set(), "sources": set()} for pk in briefing_ids}
    for briefing_id, slug in PublishedPartner.objects.filter(briefing_id__in=briefing_ids).values_list(
        "briefing_id", "slug"
    ):
        named[briefing_id]["partners"].add(slug)
    for briefing_id, source_id in PublishedReference.objects.filter(briefing_id__in=briefing_ids).values_list(
        "briefing_id", "source_id"
    ):
        named[briefing_id]["sources"].add(source_id)
    return {pk: {k: sorted(v) for k, v in names.items()} for pk, names in named.items()}


def record_urls(names):
    urls = [reverse("briefings:partner-detail", args=[slug]) for slug in names["partners"]]
    urls += [reverse("sources:source-detail", args=[pk]) for pk in names["sources"]]
    return urls


class Baker:
    def __init__(self, directory, *, base_url=None):
        self.directory = Path(directory)
        scheme, host = "http", "localhost"
        if base_url:
            scheme, _, host = base_url.partition("://")
            host = host.rstrip("/")
        else:
            allowed = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*"))]
            host = allowed[0] if allowed else "localhost"
            scheme = "http" if settings.DEBUG else "https"
        self.client = Client(HTTP_HOST=host)
        self.secure = scheme == "https"

    def manifest(self):
        try:
            return json.loads((self.directory / MANIFEST).read_text())
        except (FileNotFoundError, ValueError):
            return None

    def bake(self, *, full=False):
        started = datetime.datetime.now(tz=datetime.UTC)
        previous = self.manifest()
        full = full or previous is None or previous.get("release") != release_token()
        result = BakeResult(full=full)
        publications = {}
        for pk, briefing_id in Publication.objects.values_list("pk", "briefing_id"):
            publications.setdefault(briefing_id, set()).add(pk)
        # A recall changes a briefing's and its sources' pages without a publication (the notice).
        recalls = {}
        for pk, briefing_id in RecallFlag.objects.open().values_list("pk", "briefing_id"):
            recalls.setdefault(briefing_id, []).append(pk)
        current = set(publications)
        if full:
            changed = current
        else:
            # A briefing is baked again when it has a publication the last bake did not see
            # (however late that publish committed), or when it is gone.
            seen = {int(pk): set(entry["publications"]) for pk, entry in previous["briefings"].items()}
            changed = {pk for pk, pubs in publications.items() if pubs != seen.get(pk)}
            for key, entry in previous["briefings"].items():
                if int(key) in current and sorted(recalls.get(int(key), [])) != entry.get("recalls", []):
                    changed.add(int(key))
            changed |= set(seen) - current
        result.briefings = len(changed & current)

        kept = {} if full else {int(k): v for k, v in previous["briefings"].items() if int(k) not in changed}
        names = named_records(changed & current)
        urls = [reverse(name, args=args) for name, args in SHARED] + sitemap_pages()
        briefings = dict(kept)
        for pk in sorted(changed & current):
            own = briefing_urls(pk)
            urls += own
            briefings[pk] = {
                "publications": sorted(publications[pk]),
                "recalls": sorted(recalls.get(pk, [])),
                "files": [file_for(u) for u in own],
                **names[pk],
            }
            urls += record_urls(names[pk])
        if not full:
            for pk in changed:
                before = previous["briefings"].get(str(pk))
                if before:
                    urls += record_urls(before)  # pages that named it before this publish
        else:
            for names_of in briefings.values():
                urls += record_urls(names_of)

        produced = set()
        for url in dict.fromkeys(urls):
            response = self.client.get(url, secure=self.secure)
            if response.status_code == 404:
                continue  # no longer published: removed below
            if response.status_code != 200:
                result.failed.append((url, response.status_code))
                continue
            produced.add(file_for(url))
            self.write(file_for(url), response.content, result)

        # Files of briefings that are gone; on a full bake, anything no page produced.
        stale = set()
        if previous:
            for pk, entry in previous["briefings"].items():
                if int(pk) in changed:
                    stale.update(entry["files"])
            if full:
                stale.update(previous.get("files", []))
            else:
                # Sitemap pages are rendered on every bake; one the index no longer lists is gone.
                stale.update(f for f in previous.get("files", []) if f.startswith(SITEMAP_FILES))
        for name in sorted(stale - produced):
            path = self.directory / name
            if path.exists():
                path.unlink()
                result.removed.append(name)

        files = produced if full else (set(previous.get("files", [])) - stale) | produced
        manifest = {
            "release": release_token(),
            "baked_at": started.isoformat(),
            "briefings": {str(pk): entry for pk, entry in briefings.items()},
            "files": sorted(files),
        }
        self.write(MANIFEST, json.dumps(manifest, indent=1).encode(), None)
        return result

    def write(self, name, content, result):
        path = self.directory / name
        if path.exists() and hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(content).digest():
            if result is not None:
                result.unchanged += 1
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".bake-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
        if result is not None:
            result.written.append(name)
