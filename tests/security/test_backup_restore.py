"""Point 7 of issue 9: backups, and a restore drill.

Dump the database with ``backup_db`` (SQLite's online backup API, or
pg_dump), restore the file into a fresh database (a new SQLite file; on
PostgreSQL a new database filled by pg_restore), point the application at
it, and check that every table has the same number of rows and that the
history and public pages load from it.
"""

import contextlib
import os
import shutil
import subprocess
import uuid
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import Client
from django.urls import reverse

from briefings.models import Publication, RevisionContents
from briefings.publishing.takedown import withdraw_publication
from tests.factories import make_briefing, make_user, publish

# Committed data: pg_dump reads from another session. (An earlier transactional test's flush
# may have removed the groups the migrations create, so this test uses a superuser.)
pytestmark = pytest.mark.django_db(transaction=True)


def row_counts():
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


@contextlib.contextmanager
def using_database(settings_dict):
    working = connections["default"]
    restored = working.__class__(settings_dict, "default")
    connections["default"] = restored
    try:
        yield
    finally:
        restored.close()
        connections["default"] = working


@contextlib.contextmanager
def restored_copy(backup, connection):
    """A fresh database holding ``backup``: its connection settings."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = str(backup)  # the backup file is the restored database
        yield settings_dict
        return
    name = f"assay_restore_drill_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        **({"PGPASSWORD": settings_dict["PASSWORD"]} if settings_dict.get("PASSWORD") else {}),
    }
    base = ["--host", settings_dict["HOST"] or "127.0.0.1", "--port", str(settings_dict["PORT"] or 5432)]
    base += ["--username", settings_dict["USER"]] if settings_dict.get("USER") else []
    subprocess.run([shutil.which("createdb"), *base, name], check=True, env=env, timeout=120)
    try:
        subprocess.run(
            [
                shutil.which("pg_restore"),
                *base,
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                name,
                str(backup),
            ],
            check=True,
            env=env,
            timeout=600,
            capture_output=True,
        )
        settings_dict["NAME"] = name
        yield settings_dict
    finally:
        subprocess.run([shutil.which("dropdb"), *base, "--if-exists", name], check=True, env=env, timeout=120)


def test_restore_drill(tmp_path):
    reviewer = make_user(username="drill-reviewer", superuser=True)
    briefing = make_briefing(
        sections=[("Executive summary", "Arden lends [1]."), ("1. Arden: water", "Dams [2].")]
    )
    publish(briefing)
    section = briefing.sections.order_by("position").last()
    section.body = "Dams and canals [2]."
    section.save()
    publish(briefing, note="An update.")
    withdraw_publication(
        publication=briefing.publications.get(number=2), user=reviewer, notice="Court order."
    )
    before = row_counts()
    assert before["briefings.Publication"] == 2 and before["briefings.Withdrawal"] == 1

    backup = tmp_path / "assay.backup"
    out = StringIO()
    call_command("backup_db", str(backup), stdout=out)
    assert backup.stat().st_size > 0
    assert "Backed up" in out.getvalue()

    connection = connections["default"]
    with restored_copy(backup, connection) as settings_dict, using_database(settings_dict):
        assert connections["default"].settings_dict["NAME"] != connection.settings_dict["NAME"]
        assert row_counts() == before
        client = Client()
        client.force_login(make_user(superuser=True, username="drill-admin"))
        history = client.get(reverse("admin:briefings_briefing_history", args=[briefing.pk]))
        assert history.status_code == 200
        latest = RevisionContents.objects.filter(briefing_id=briefing.pk).order_by("-number").first()
        count = RevisionContents.objects.filter(briefing_id=briefing.pk).count()
        assert latest is not None and f"{count} revision" in history.content.decode()
        assert "(published as v" in history.content.decode()
        compare = client.get(reverse("admin:briefings_briefing_compare", args=[briefing.pk]), {"from": "1"})
        assert compare.status_code == 200
        assert client.get(briefing.get_absolute_url()).status_code == 200
        assert client.get(f"/briefings/{briefing.slug}/v2/").status_code == 410
        assert Publication.objects.live().count() == 1


def test_backup_refuses_to_overwrite(tmp_path):
    backup = tmp_path / "exists.backup"
    backup.write_text("keep me")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup_db", str(backup), stdout=StringIO())
    assert backup.read_text() == "keep me"
