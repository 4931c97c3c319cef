"""Claims get a stored anchor (briefings/text/anchors.py).

Claims already published keep the anchor their stored page has, the old
``{section}-claim-{ordinal}`` form: their rendered HTML is never rewritten, so
a stable ``claim-…`` anchor would point at nothing. Publications from now on
use the stable form.
"""

from django.db import migrations, models
from django.db.models import Case, CharField, OuterRef, Subquery, Value, When
from django.db.models.functions import Cast, Concat
from django.db.models.lookups import Exact


def legacy_anchors(apps, schema_editor):
    Claim = apps.get_model("briefings", "Claim")
    PublishedSection = apps.get_model("briefings", "PublishedSection")
    number = Subquery(PublishedSection.objects.filter(pk=OuterRef("section_id")).values("number")[:1])
    section = Case(
        When(Exact(number, 0), then=Value("summary")),
        default=Concat(Value("section-"), Cast(number, CharField())),
        output_field=CharField(),
    )
    # One UPDATE for every claim, however many there are.
    Claim.objects.update(
        anchor=Concat(section, Value("-claim-"), Cast("ordinal", CharField()), output_field=CharField())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0011_recall_flags"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="anchor",
            field=models.CharField(
                default="",
                help_text="The sentence's id on the briefing page (#claim-…): it stays the same through later "
                "publications while the sentence's words do (briefings/text/anchors.py).",
                max_length=40,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(legacy_anchors, migrations.RunPython.noop, elidable=True),
    ]
