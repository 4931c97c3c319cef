"""Python-rendered citations and cited text are exactly their templates' (citation.html, cited_text.html)."""

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


@pytest.mark.django_db
def test_cited_text_renders_as_its_template_does():
    """The claim list's and partner pages' text, citations and judgments: cited_text.html's markup."""
    from types import SimpleNamespace

    from briefings.templatetags.article_tags import cited_text_html

    def ref(**fields):
        return SimpleNamespace(publication=SimpleNamespace(title=HOSTILE), **fields)

    segments = [
        {"text": HOSTILE},
        {"cite": 1, "tip_id": "claim-7-cite-1-tip", "source": ref(**SOURCES[0]), "grading": "B2: usually"},
        {"text": " and "},
        {"cite": 2, "tip_id": "claim-7-cite-2-tip", "source": ref(**SOURCES[2]), "grading": HOSTILE},
        {"cite": 3, "tip_id": "claim-7-cite-3-tip", "source": ref(**SOURCES[3]), "grading": ""},
        {"cite": 4, "tip_id": "claim-7-cite-4-tip", "source": None, "grading": None},
        {"judgment": "moderate"},
        {"text": "."},
    ]
    for base in ("", "/briefings/water/"):
        template = render_to_string(
            "briefings/includes/cited_text.html", {"segments": segments, "base": base}
        ).strip()
        assert cited_text_html(segments, base) == template
        assert "<script>" not in template and "Details pending: [3]" in template
