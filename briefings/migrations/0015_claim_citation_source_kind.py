"""ClaimCitation.source_kind: the cited source's kind as published, indexed for the kind filter.

The claim list's "cites a source of kind" filter joined every claim to its
publication's reference list; at a million claims that cost 0.4 s a page.
Existing citations take the kind of the PublishedReference they point to.
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef

KINDS = ("news", "analysis", "government", "academic", "data", "other")


def copy_kinds(apps, schema_editor):
    ClaimCitation = apps.get_model("briefings", "ClaimCitation")
    PublishedReference = apps.get_model("briefings", "PublishedReference")
    for kind in KINDS:
        copies = PublishedReference.objects.filter(
            publication_id=OuterRef("claim__section__publication_id"),
            number=OuterRef("reference_number"),
            kind=kind,
        )
        ClaimCitation.objects.filter(Exists(copies)).update(source_kind=kind)


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0014_citation_credibility_and_published_grade"),
    ]

    operations = [
        migrations.AddField(
            model_name="claimcitation",
            name="source_kind",
            field=models.CharField(
                choices=[
                    ("news", "News report"),
                    ("analysis", "Analysis or think-tank paper"),
                    ("government", "Government or official statement"),
                    ("academic", "Academic publication"),
                    ("data", "Data set"),
                    ("other", "Other"),
                ],
                default="",
                help_text="The source's kind as the publication published it (its PublishedReference's): the "
                "claim list's kind filter reads this indexed copy instead of joining to the reference list.",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(copy_kinds, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="claimcitation",
            index=models.Index(fields=["source_kind", "claim"], name="claim_citation_kind_idx"),
        ),
    ]
