from pathlib import Path

import pytest
from django.db import connection

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture
def seed_text():
    """The reference briefing from ../shared/seeds, or a clean skip where it is absent."""
    path = SEEDS / "venezuela.txt"
    if not path.exists():
        pytest.skip(f"{path} is not present on this machine")
    return path


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with an empty page cache (it lives in memory, across tests)."""
    from django.core.cache import caches

    caches["pages"].clear()
    yield
    caches["pages"].clear()
