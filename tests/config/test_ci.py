""".ci/start-postgres: CI starts the right PostgreSQL cluster when several versions are installed."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "start-postgres"

BASH = shutil.which("bash")

pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")

# Stand-ins for the postgresql-common tools: pg_ctlcluster logs what it was
# asked to start, and the server is "ready" once something was started.
STUBS = {
    "pg_isready": '[ -e "$STATE/started" ]',
    "pg_ctlcluster": 'echo "$*" >> "$STATE/started"',
    "pg_lsclusters": 'cat "$STATE/clusters"',
}


def run_script(tmp_path, clusters):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in STUBS.items():
        stub = bin_dir / name
        stub.write_text(f"#!/usr/bin/env bash\n{body}\n")
        stub.chmod(0o755)
    (tmp_path / "clusters").write_text(clusters)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "STATE": str(tmp_path)}
    result = subprocess.run([BASH, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    started = tmp_path / "started"
    return result, started.read_text() if started.exists() else ""


def test_starts_the_cluster_on_port_5432_among_several_versions(tmp_path):
    clusters = (
        "15  main    5433 down   postgres /var/lib/postgresql/15/main /var/log/postgresql/15.log\n"
        "16  main    5432 down   postgres /var/lib/postgresql/16/main /var/log/postgresql/16.log\n"
        "17  main    5434 down   postgres /var/lib/postgresql/17/main /var/log/postgresql/17.log\n"
    )
    result, started = run_script(tmp_path, clusters)
    assert result.returncode == 0, result.stderr
    assert started == "--skip-systemctl-redirect 16 main start\n"


def test_the_newest_wins_when_two_versions_claim_port_5432(tmp_path):
    clusters = (
        "9.6 main    5432 down   postgres /var/lib/postgresql/9.6/main /var/log/postgresql/9.6.log\n"
        "17  main    5432 down   postgres /var/lib/postgresql/17/main /var/log/postgresql/17.log\n"
        "16  main    5432 down   postgres /var/lib/postgresql/16/main /var/log/postgresql/16.log\n"
    )
    result, started = run_script(tmp_path, clusters)
    assert result.returncode == 0, result.stderr
    assert started == "--skip-systemctl-redirect 17 main start\n"


def test_no_cluster_for_the_port_is_a_clear_error(tmp_path):
    result, started = run_script(tmp_path, "")
    assert result.returncode != 0
    assert "no PostgreSQL cluster is configured for port 5432" in result.stderr
    assert started == ""
