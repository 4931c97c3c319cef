"""A publication's paragraphs as HTML: sentences, claim spans and citation markers.

Done in Python rather than in a template loop because a section may hold
thousands of sentences: rendered with ``{% include "citation.html" %}`` per
citation, an 8,000-sentence section took seconds to publish. The markup is
exactly ``briefings/includes/citation.html``'s (which the claim lists still
include), and ``tests/briefings/test_article_tags.py`` keeps the two the same.
Every stored text goes through ``escape``; only our own tags are literal.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def citation_html(*, number, source, tip_id, cite_id="", base="", pending_of=""):
    """``briefings/includes/citation.html`` for one marker, as a string."""
    if source:
        if source.get("details_pending"):
            tip = f"Details pending: [{escape(number)}] of <bdi>{escape(pending_of)}</bdi>"
        else:
            tip = f"<bdi>{escape(source['title'])}</bdi>"
            if source.get("publisher"):
                tip += f" — <bdi>{escape(source['publisher'])}</bdi>"
    else:
        tip = f"Reference {escape(number)}"
    id_attribute = f' id="{escape(cite_id)}"' if cite_id else ""
    return (
        f'<sup class="citation"{id_attribute}><a href="{escape(base)}#ref-{escape(number)}" '
        f'aria-describedby="{escape(tip_id)}">[{escape(number)}]</a>'
        f'<span class="cite-tip" role="tooltip" id="{escape(tip_id)}">{tip}</span></sup>'
    )


@register.simple_tag
def paragraph_html(runs, briefing_title):
    """One paragraph's sentence runs (``snapshot.article_context``), each claim in its span."""
    out = []
    for run in runs:
        if out:
            out.append(" ")
        if run.get("id"):
            out.append(f'<span class="claim" id="{escape(run["id"])}">')
        for segment in run["segments"]:
            if segment.get("cite"):
                out.append(
                    citation_html(
                        number=segment["cite"],
                        source=segment.get("source"),
                        tip_id=f"{segment['id']}-tip",
                        cite_id=segment["id"],
                        pending_of=briefing_title,
                    )
                )
            else:
                out.append(f"<bdi>{escape(segment['text'])}</bdi>")
        if run.get("id"):
            out.append("</span>")
    return mark_safe("".join(out))  # noqa: S308 (every text above is escaped)
