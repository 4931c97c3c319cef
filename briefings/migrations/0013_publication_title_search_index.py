"""PostgreSQL only: a GIN index on publication titles' full-text vector, for search's title matches.

The expression must stay exactly ``briefings.public.search.title_vector()``:
PostgreSQL uses an expression index only for the very same expression
(tests/briefings/test_search.py checks that the title search uses it). It
changes no model state, so SQLite never sees it and matches titles by words.
"""

import importlib

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# The PostgreSQL-only index operation of 0010.
PostgresIndex = importlib.import_module("briefings.migrations.0010_postgres_search_and_trigrams").PostgresIndex


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0012_claim_anchors"),
    ]

    operations = [
        PostgresIndex(
            "publication",
            GinIndex(SearchVector("title", config="english"), name="publication_title_search_idx"),
        ),
    ]
