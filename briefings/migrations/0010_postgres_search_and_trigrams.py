"""PostgreSQL only: the stored search vector's GIN index, and trigram indexes for "contains" filters.

The stored ``PublishedSection.search_vector`` replaces the expression index of
0004 (search no longer recomputes ``to_tsvector`` for every match). The
claim list's "Text contains" filter is ``UPPER(text) LIKE UPPER('%…%')``
(Django's ``icontains``); a ``pg_trgm`` GIN index on ``UPPER(text)`` serves it.
``CREATE EXTENSION pg_trgm`` needs a role allowed to create it (a superuser,
or the database owner on PostgreSQL 13+, where pg_trgm is trusted).

None of this changes model state, so SQLite (which rebuilds tables from model
state and has neither GIN nor trigrams) never sees it and keeps its fallbacks.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models.functions import Upper


def old_search_index():
    # Exactly 0004's index, so that it can be dropped and, backwards, recreated.
    vector = SearchVector("heading", weight="A", config="english") + SearchVector(
        "body", weight="B", config="english"
    )
    return GinIndex(vector, name="published_section_search_idx")


class PostgresIndex(migrations.operations.base.Operation):
    """Add (or, with ``remove=True``, drop) an index on PostgreSQL only; no model state changes."""

    reversible = True

    def __init__(self, model_name, index, remove=False):
        self.model_name = model_name
        self.index = index
        self.remove = remove

    def deconstruct(self):
        return (self.__class__.__name__, [self.model_name, self.index], {"remove": self.remove})

    def state_forwards(self, app_label, state):
        pass

    def _apply(self, app_label, schema_editor, state, add):
        if schema_editor.connection.vendor == "postgresql":
            model = state.apps.get_model(app_label, self.model_name)
            if add:
                schema_editor.add_index(model, self.index)
            else:
                schema_editor.remove_index(model, self.index)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._apply(app_label, schema_editor, to_state, add=not self.remove)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._apply(app_label, schema_editor, from_state, add=self.remove)

    def describe(self):
        verb = "Drop" if self.remove else "Add"
        return f"{verb} index {self.index.name} on {self.model_name} (PostgreSQL only)"


def fill_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    PublishedSection = apps.get_model("briefings", "PublishedSection")
    vector = SearchVector("heading", weight="A", config="english") + SearchVector(
        "body", weight="B", config="english"
    )
    PublishedSection.objects.update(search_vector=vector)


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0009_latest_copies_and_indexes"),
    ]

    operations = [
        TrigramExtension(),
        PostgresIndex(
            "claim", GinIndex(OpClass(Upper("text"), name="gin_trgm_ops"), name="claim_text_trigram_idx")
        ),
        migrations.RunPython(fill_search_vectors, migrations.RunPython.noop),
        PostgresIndex("publishedsection", old_search_index(), remove=True),
        PostgresIndex(
            "publishedsection", GinIndex(fields=["search_vector"], name="published_section_vector_idx")
        ),
    ]
