"""Without Chromium the browser tests skip, saying why; where CI requires them, they fail instead."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ONE_BROWSER_TEST = "tests/browser/test_admin_layout.py::test_the_history_table_fits_a_phone"


def run_browser_test(tmp_path, **env):
    environment = {key: value for key, value in os.environ.items() if key != "ASSAY_BROWSER_TESTS"}
    environment.update(
        # Its own SQLite database, whatever this run uses: the test databases must not collide.
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ASSAY_CHROMIUM=str(tmp_path / "no-chromium-here"),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", "-q", ONE_BROWSER_TEST],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_missing_chromium_is_a_reported_skip_by_default(tmp_path):
    result = run_browser_test(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "Chromium is not installed" in result.stdout


def test_a_missing_chromium_fails_where_the_browser_tests_are_required(tmp_path):
    result = run_browser_test(tmp_path, ASSAY_BROWSER_TESTS="required")
    assert result.returncode != 0
    assert "1 error" in result.stdout
    assert "Chromium is not installed" in result.stdout
    assert "ASSAY_BROWSER_TESTS=required" in result.stdout
