"""Source.reliability (unrated/high/medium/low) becomes the Admiralty reliability grade (A–F, blank).

high → B, medium → C, low → D, unrated → blank (not yet graded); the reverse maps
B → high, C → medium, D → low and every other grade (A, E, F, blank) → unrated.
Stored revisions of sources are rewritten the same way, so restoring an old
revision of a source keeps its grade.
"""

import json

from django.db import migrations, models

FORWARD = {"high": "B", "medium": "C", "low": "D", "unrated": ""}
BACKWARD = {"B": "high", "C": "medium", "D": "low"}


def _rewrite_versions(apps, old, new, mapping, default):
    ContentType = apps.get_model("contenttypes", "ContentType")
    try:
        Version = apps.get_model("reversion", "Version")
    except LookupError:
        return
    content_type = ContentType.objects.filter(app_label="sources", model="source").first()
    if content_type is None:
        return
    for version in Version.objects.filter(content_type=content_type, format="json").iterator():
        try:
            data = json.loads(version.serialized_data)
        except ValueError:
            continue
        changed = False
        for item in data:
            fields = item.get("fields", {})
            if old in fields:
                fields[new] = mapping.get(fields.pop(old), default)
                changed = True
        if changed:
            Version.objects.filter(pk=version.pk).update(serialized_data=json.dumps(data))


def forward(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    for reliability, grade in FORWARD.items():
        Source.objects.filter(reliability=reliability).update(grade=grade)
    _rewrite_versions(apps, "reliability", "grade", FORWARD, "")


def backward(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    Source.objects.update(reliability="unrated")
    for grade, reliability in BACKWARD.items():
        Source.objects.filter(grade=grade).update(reliability=reliability)
    _rewrite_versions(apps, "grade", "reliability", BACKWARD, "unrated")


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0005_link_checks_and_recall"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="grade",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not yet graded"),
                    ("A", "A — completely reliable"),
                    ("B", "B — usually reliable"),
                    ("C", "C — fairly reliable"),
                    ("D", "D — not usually reliable"),
                    ("E", "E — unreliable"),
                    ("F", "F — reliability cannot be judged"),
                ],
                default="",
                help_text="How far this source can be relied on (the Admiralty code): A completely reliable, "
                "B usually reliable, C fairly reliable, D not usually reliable, E unreliable, F cannot be "
                "judged. Readers see it beside the source.",
                max_length=1,
                verbose_name="reliability grade",
            ),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveConstraint(model_name="source", name="source_reliability_valid"),
        migrations.RemoveField(model_name="source", name="reliability"),
        migrations.AddConstraint(
            model_name="source",
            constraint=models.CheckConstraint(
                condition=models.Q(grade__in=["", "A", "B", "C", "D", "E", "F"]), name="source_grade_valid"
            ),
        ),
    ]
