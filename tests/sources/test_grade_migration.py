"""The data migration from the old reliability rating to the Admiralty grade, both ways."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("sources", "0005_link_checks_and_recall")]
AFTER = [("sources", "0006_source_grade_replaces_reliability")]


ALSO = [
    ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ("contenttypes", "0002_remove_content_type_name"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets + ALSO).apps


def test_reliability_maps_to_grades_and_back_and_stored_revisions_follow():
    old = migrate(BEFORE)
    Source = old.get_model("sources", "Source")
    ContentType = old.get_model("contenttypes", "ContentType")
    Revision = old.get_model("reversion", "Revision")
    Version = old.get_model("reversion", "Version")
    ids = {r: Source.objects.create(title=r, reliability=r).pk for r in ("high", "medium", "low", "unrated")}
    content_type, _ = ContentType.objects.get_or_create(app_label="sources", model="source")
    revision = Revision.objects.create(date_created="2026-01-01T00:00:00Z", comment="")
    data = [
        {"model": "sources.source", "pk": ids["high"], "fields": {"title": "high", "reliability": "high"}}
    ]
    Version.objects.create(
        revision=revision,
        object_id=str(ids["high"]),
        content_type=content_type,
        db="default",
        format="json",
        serialized_data=json.dumps(data),
        object_repr="high",
    )
    try:
        new = migrate(AFTER)
        grades = dict(new.get_model("sources", "Source").objects.values_list("title", "grade"))
        assert grades == {"high": "B", "medium": "C", "low": "D", "unrated": ""}
        stored = json.loads(new.get_model("reversion", "Version").objects.get().serialized_data)
        assert stored[0]["fields"] == {"title": "high", "grade": "B"}
        # A grade the old scale had no word for goes back as unrated.
        new.get_model("sources", "Source").objects.filter(title="unrated").update(grade="A")
        back = migrate(BEFORE)
        ratings = dict(back.get_model("sources", "Source").objects.values_list("title", "reliability"))
        assert ratings == {"high": "high", "medium": "medium", "low": "low", "unrated": "unrated"}
        stored = json.loads(back.get_model("reversion", "Version").objects.get().serialized_data)
        assert stored[0]["fields"] == {"title": "high", "reliability": "high"}
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
