"""Editors and operators see a field's help text in the admin and in docs built from the models."""

import pytest
from django.apps import apps

DOCUMENTED = {
    "briefings.Publication": [
        "kind",
        "note",
        "title",
        "subject",
        "schema_version",
        "published_by",
        "published_at",
    ],
    "briefings.PublishedSection": ["publication", "briefing", "number", "heading", "body", "partners"],
    "briefings.Claim": ["section", "ordinal", "text", "sources"],
    "briefings.ClaimCitation": ["claim", "position", "reference_number", "source"],
    "sources.Source": ["title", "publisher", "url", "published_on", "kind", "grade", "details_pending"],
}


@pytest.mark.parametrize(
    ("label", "name"), [(label, name) for label, names in DOCUMENTED.items() for name in names]
)
def test_the_field_says_what_it_holds(label, name):
    field = apps.get_model(label)._meta.get_field(name)
    assert str(field.help_text).strip(), f"{label}.{name} has no help text"
