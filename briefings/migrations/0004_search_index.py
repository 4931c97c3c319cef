"""The full-text search index on published sections, on PostgreSQL only."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

SEARCH_INDEX = "published_section_search_idx"


def section_search_vector():
    # Must stay identical to briefings.public.search.section_vector(): PostgreSQL uses
    # an expression index only for the very same expression.
    # tests/briefings/test_search.py checks that the search query uses it.
    return SearchVector("heading", weight="A", config="english") + SearchVector(
        "body", weight="B", config="english"
    )


class AddSearchIndexOnPostgres(migrations.operations.base.Operation):
    """A GIN index for full-text search, on PostgreSQL only.

    It changes no model state, so SQLite (which has no GIN indexes and
    rebuilds tables from model state) never sees it.
    """

    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def _index(self):
        return GinIndex(section_search_vector(), name=SEARCH_INDEX)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            model = to_state.apps.get_model(app_label, "PublishedSection")
            schema_editor.add_index(model, self._index())

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            model = from_state.apps.get_model(app_label, "PublishedSection")
            schema_editor.remove_index(model, self._index())

    def describe(self):
        return "Add a GIN full-text index on published sections (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0003_editorial_groups"),
    ]

    operations = [AddSearchIndexOnPostgres()]
