"""Configuration an operator relies on: production settings pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-for-this-test-only-0123456789",
        ALLOWED_HOSTS="assay.example",
    )
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="assay.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_boolean_setting_that_is_not_a_boolean_is_named():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


@pytest.mark.django_db
def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_a_number_setting_that_is_not_a_number_is_named():
    result = run_manage("check", ASSAY_PUBLIC_CACHE_SECONDS="five minutes")
    assert result.returncode != 0
    assert "ASSAY_PUBLIC_CACHE_SECONDS='five minutes' is not a whole number" in result.stderr
