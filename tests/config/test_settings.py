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


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-for-this-test-only-0123456789",
    "ALLOWED_HOSTS": "assay.example",
}
SHOW_SECURITY = (
    "from django.conf import settings as s; "
    "print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "s.SECURE_HSTS_PRELOAD, sorted(s.SILENCED_SYSTEM_CHECKS))"
)


def test_production_trusts_no_proxy_header_and_makes_no_hsts_commitments_by_default():
    result = run_manage("shell", "-c", SHOW_SECURITY, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "None False False ['security.W005', 'security.W021']"


def test_an_operator_opts_in_to_the_proxy_header_and_hsts_commitments():
    opted_in = {
        **PRODUCTION,
        "TRUST_X_FORWARDED_PROTO": "1",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "SECURE_HSTS_PRELOAD": "1",
    }
    result = run_manage("shell", "-c", SHOW_SECURITY, **opted_in)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "('HTTP_X_FORWARDED_PROTO', 'https') True True []"
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **opted_in)
    assert result.returncode == 0, result.stderr


def test_only_the_two_hsts_reminders_are_silenced():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", SECURE_HSTS_SECONDS="0", **PRODUCTION)
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_load_sample_refuses_a_production_environment():
    result = run_manage("load_sample", **PRODUCTION, DATABASE_URL="sqlite:////nonexistent-dir/never.sqlite3")
    assert result.returncode != 0
    assert "DEBUG is off: this looks like a production database" in result.stderr


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            "django-insecure-assay-development-key-do-not-use-in-production",
            "SECRET_KEY is the development key",
        ),
        ("django-insecure-" + "x1y2z3" * 10, "SECRET_KEY is the development key"),
        ("too-short-0123456789", "SECRET_KEY must be at least 50 characters"),
        ("a" * 60, "SECRET_KEY must be at least 50 characters"),
    ],
)
def test_production_refuses_to_start_with_a_weak_secret_key(key, message):
    result = run_manage("check", DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="assay.example")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_development_keeps_working_with_the_development_key():
    result = run_manage("check", DEBUG="1", SECRET_KEY="")
    assert result.returncode == 0, result.stderr


def test_make_check_deploy_key_is_accepted():
    makefile = (ROOT / "Makefile").read_text()
    assert "SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-value-xxxxxxxxxxxx" in makefile
    key = "check-deploy-1700000000-not-a-real-secret-value-xxxxxxxxxxxx"
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=key,
        ALLOWED_HOSTS="assay.example",
    )
    assert result.returncode == 0, result.stderr


def test_session_lifetime_is_configurable():
    show = "from django.conf import settings as s; "
    show += "print(s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
    result = run_manage("shell", "-c", show, SESSION_COOKIE_AGE="1800", SESSION_EXPIRE_AT_BROWSER_CLOSE="0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "1800 False"


def test_the_page_cache_is_on_in_production_only_with_a_shared_redis_cache():
    show = "from django.conf import settings as s; print(s.ASSAY_PAGE_CACHE, s.CACHES['pages']['BACKEND'])"
    alone = run_manage("shell", "-c", show, **{**PRODUCTION, "CACHE_URL": ""})
    assert alone.returncode == 0, alone.stderr
    assert alone.stdout.splitlines()[-1] == "False django.core.cache.backends.locmem.LocMemCache"
    shared = run_manage("shell", "-c", show, **{**PRODUCTION, "CACHE_URL": "redis://127.0.0.1:6379/1"})
    assert shared.returncode == 0, shared.stderr
    assert shared.stdout.splitlines()[-1] == "True django.core.cache.backends.redis.RedisCache"
    development = run_manage("shell", "-c", show, DEBUG="1", CACHE_URL="")
    assert development.stdout.splitlines()[-1] == "True django.core.cache.backends.locmem.LocMemCache"
