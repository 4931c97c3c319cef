"""An index on Publication (published_at, briefing, number) that covers the date-ordered reads.

SQLite keeps a row's columns in one record: reading published_at from the
table walked past the snapshot and the rendered HTML of every publication
(the sitemap index: 196 ms at 11,000 publications; with the index, 5 ms).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0015_claim_citation_source_kind"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(fields=["published_at", "briefing", "number"], name="publication_time_idx"),
        ),
    ]
