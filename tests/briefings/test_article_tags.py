"""The article's Python-rendered citations are exactly citation.html's, which the claim lists include."""

import pytest
from django.template.loader import render_to_string

from briefings.templatetags.article_tags import citation_html, judgment_label_html

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
@pytest.mark.parametrize("grading", ["", "B2: usually reliable source; probably true", HOSTILE])
def test_a_citation_renders_as_the_citation_template_does(source, cite_id, grading):
    fields = {
        "number": 3,
        "source": source,
        "tip_id": "summary-cite-3-tip",
        "cite_id": cite_id,
        "grading": grading,
    }
    template = render_to_string(
        "briefings/includes/citation.html", {**fields, "base": "", "pending_of": HOSTILE}
    )
    assert citation_html(**fields, pending_of=HOSTILE) == template
    assert "<script>" not in template


@pytest.mark.parametrize("confidence", ["low", "moderate", "high", HOSTILE])
def test_a_judgment_label_renders_as_its_template_does(confidence):
    template = render_to_string("briefings/includes/judgment_label.html", {"confidence": confidence})
    assert judgment_label_html(confidence) == template
