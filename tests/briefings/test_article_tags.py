"""The article's Python-rendered citations are exactly citation.html's, which the claim lists include."""

import pytest
from django.template.loader import render_to_string

from briefings.templatetags.article_tags import citation_html

HOSTILE = "Bad </bdi><script>alert('x')</script> & \"quoted\""

SOURCES = [
    {"title": "Dam finance review", "publisher": "Estmark Review", "details_pending": False},
    {"title": "Dam finance review", "publisher": "", "details_pending": False},
    {"title": HOSTILE, "publisher": HOSTILE, "details_pending": False},
    {"title": "Source [3] of sample — details needed", "publisher": "", "details_pending": True},
    None,
]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("cite_id", ["summary-cite-3", ""])
def test_a_citation_renders_as_the_citation_template_does(source, cite_id):
    fields = {"number": 3, "source": source, "tip_id": "summary-cite-3-tip", "cite_id": cite_id}
    template = render_to_string(
        "briefings/includes/citation.html", {**fields, "base": "", "pending_of": HOSTILE}
    )
    assert citation_html(**fields, pending_of=HOSTILE) == template
    assert "<script>" not in template
