"""Store every source URL normalised (sources.models.normalise_url), refusing if two would collide.

Two sources whose URLs differ only in spelling (``https://Example.org/a/`` and
``https://example.org/a``) are one source entered twice. Merging them is an
editorial decision (which title, which briefings' references move), so the
migration does not guess: it stops, lists them, and changes nothing.
"""

from urllib.parse import urlsplit, urlunsplit

from django.db import migrations, models

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url):
    # A frozen copy of sources.models.normalise_url as of this migration.
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if not parts.scheme or not parts.hostname:
        return url
    scheme = parts.scheme.lower()
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username is not None or parts.password is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), parts.query, ""))


class DuplicateSources(Exception):
    pass


def collisions(rows):
    """``{normalised url: [(pk, title, url), …]}`` for URLs two or more rows share once normalised."""
    by_url = {}
    for pk, title, url in rows:
        by_url.setdefault(normalise_url(url), []).append((pk, title, url))
    return {url: group for url, group in by_url.items() if url and len(group) > 1}


def forwards(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    rows = list(Source.objects.exclude(url="").order_by("pk").values_list("pk", "title", "url"))
    clashes = collisions(rows)
    if clashes:
        lines = [
            f"  {url}: " + "; ".join(f"source #{pk} “{title}” ({raw})" for pk, title, raw in group)
            for url, group in sorted(clashes.items())
        ]
        raise DuplicateSources(
            "These sources have the same URL once normalised, so they are duplicates. Merge each group "
            "into one source (point the references at one and delete the others, or change a URL), "
            "then migrate again. Nothing was changed.\n" + "\n".join(lines)
        )
    changed = [(pk, normalise_url(url)) for pk, _, url in rows if normalise_url(url) != url]
    for pk, url in changed:
        Source.objects.filter(pk=pk).update(url=url)


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0002_working_copy_deltas"),
    ]

    operations = [
        migrations.AlterField(
            model_name="source",
            name="url",
            field=models.URLField(
                blank=True,
                help_text="Where readers can check the source. Sources are de-duplicated by URL: it is stored "
                "with its scheme and host in lower case, without a default port, trailing slash or #fragment.",
                max_length=1000,
                verbose_name="URL",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
