"""Maintained latest-copy flag on published references, the stored search vector, and the indexes
the public lists need at a million claims (issue 8)."""

import django.contrib.postgres.search
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('briefings', '0008_publication_withdrawal'),
        ('sources', '0004_source_url_refuses_bidi_controls'),
    ]

    operations = [
        migrations.AddField(
            model_name='publishedreference',
            name='is_latest',
            field=models.BooleanField(default=False, help_text="The source's most recently published copy: the one readers see."),
        ),
        migrations.AddIndex(
            model_name='publishedreference',
            index=models.Index(fields=['source', 'id'], name='published_reference_source_idx'),
        ),
        # Each source's newest copy (highest id) is the one readers see, as
        # PublishedReferenceQuerySet.latest_per_source used to compute each time.
        migrations.RunSQL(
            "UPDATE briefings_publishedreference SET is_latest = TRUE WHERE id IN "
            "(SELECT MAX(id) FROM briefings_publishedreference GROUP BY source_id)",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddField(
            model_name='publishedsection',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, help_text='PostgreSQL only: search_document() of heading and body, stored at publication and GIN-indexed (migration 0007); empty elsewhere.', null=True),
        ),
        migrations.AddIndex(
            model_name='claimcitation',
            index=models.Index(fields=['source', 'claim'], name='claim_citation_source_idx'),
        ),
        migrations.AddIndex(
            model_name='publishedpartner',
            index=models.Index(fields=['partner', 'publication'], name='published_partner_partner_idx'),
        ),
        migrations.AddIndex(
            model_name='publishedreference',
            index=models.Index(condition=models.Q(('is_latest', True)), fields=['title', 'id'], name='published_reference_list_idx'),
        ),
        migrations.AddIndex(
            model_name='publishedreference',
            index=models.Index(condition=models.Q(('is_latest', True)), fields=['publisher'], name='published_reference_pub_idx'),
        ),
        migrations.AddConstraint(
            model_name='publishedreference',
            constraint=models.UniqueConstraint(condition=models.Q(('is_latest', True)), fields=('source',), name='published_reference_one_latest'),
        ),
    ]
