"""DATABASE_REPLICA_URLS: public pages read a replica, the admin and writes the primary.

The settings are read once per process, so this runs the project in a child
process with a replica configured: a second alias onto the same SQLite file,
which lets the test count which connection each page's queries went to.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from briefings.models import Briefing
from briefings.public.replicas import ReplicaRouter

SCRIPT = """
import json
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment

setup_test_environment()
call_command("migrate", verbosity=0)
call_command("load_sample", stdout=open("/dev/null", "w"))
from django.contrib.auth.models import User

def counted(client, url):
    with CaptureQueriesContext(connections["default"]) as primary:
        with CaptureQueriesContext(connections["replica_1"]) as replica:
            status = client.get(url).status_code
    return {"status": status, "primary": len(primary), "replica": len(replica)}

reader = Client()
editor = Client()
editor.force_login(User.objects.get(username="editor"))
print(json.dumps({
    "home": counted(reader, "/"),
    "briefing": counted(reader, "/briefings/sample-estmark-water-security/"),
    "sources": counted(reader, "/sources/"),
    "admin": counted(editor, "/admin/briefings/briefing/"),
    "healthz": counted(reader, "/healthz"),
}))
"""


def run(tmp_path, settle):
    database = tmp_path / "primary.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DATABASE_REPLICA_URLS": f"sqlite:///{database}",
        "ASSAY_REPLICA_SETTLE_SECONDS": str(settle),
        "ASSAY_PAGE_CACHE": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("CACHE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_public_pages_read_the_replica_and_the_admin_reads_the_primary(tmp_path):
    counts = run(tmp_path, settle=0)
    for page in ("home", "briefing", "sources"):
        assert counts[page]["status"] == 200, page
        assert counts[page]["replica"] > 0, (page, counts[page])
        assert counts[page]["primary"] == 0, (page, counts[page])
    assert counts["admin"]["status"] == 200
    assert counts["admin"]["replica"] == 0
    assert counts["admin"]["primary"] > 0
    assert counts["healthz"]["replica"] == 0


def test_right_after_a_publish_public_pages_read_the_primary(tmp_path):
    # load_sample has just published: inside the settling time the replica may lag.
    counts = run(tmp_path, settle=600)
    for page in ("home", "briefing"):
        assert counts[page]["status"] == 200, page
        assert counts[page]["replica"] == 0, (page, counts[page])
        assert counts[page]["primary"] > 0, (page, counts[page])


def test_a_replica_is_never_migrated_and_writes_go_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_write(Briefing) == "default"
    assert router.allow_migrate("replica_1", "briefings") is False
    assert router.allow_migrate("default", "briefings") is True
