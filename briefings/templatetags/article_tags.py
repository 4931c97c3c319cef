"""A publication's paragraphs as HTML: sentences, claim spans and citation markers.

Done in Python rather than in a template loop because a section may hold
thousands of sentences: rendered with ``{% include "citation.html" %}`` per
citation, an 8,000-sentence section took seconds to publish. The markup is
exactly ``briefings/includes/citation.html``'s (and ``cited_text_html``'s is
``cited_text.html``'s), and ``tests/briefings/test_article_tags.py`` keeps them the same.
Every stored text goes through ``escape``; only our own tags are literal.
"""

from html import escape as _escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def escape(value):
    """Django's ``escape`` without its lazy-string wrapper (the same characters, faster per call)."""
    return _escape(str(value))


def citation_html(*, number, source, tip_id, cite_id="", base="", pending_of="", grading=""):
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
    if grading:
        tip += f' <span class="cite-grading">({escape(grading)})</span>'
    id_attribute = f' id="{escape(cite_id)}"' if cite_id else ""
    return (
        f'<sup class="citation"{id_attribute}><a href="{escape(base)}#ref-{escape(number)}" '
        f'aria-describedby="{escape(tip_id)}">[{escape(number)}]</a>'
        f'<span class="cite-tip" role="tooltip" id="{escape(tip_id)}">{tip}</span></sup>'
    )


def judgment_label_html(confidence):
    """``briefings/includes/judgment_label.html``, as a string."""
    return f'<span class="judgment-label">Judgment · {escape(confidence)} confidence</span>'


@register.simple_tag
def cited_text_html(segments, base):
    """Cited text as segments (``public.explore.cited_segments``), marked up: text, citations, judgments.

    The claim list, a source's page and partner pages show hundreds of citations a page;
    included as templates, they were most of the page's time. Each segment's ``source`` is
    the PublishedReference it cites (or None), with its publication.
    """
    parts = []
    for segment in segments:
        if segment.get("cite"):
            ref = segment.get("source")
            source = ref and {
                "details_pending": ref.details_pending,
                "title": ref.title,
                "publisher": ref.publisher,
            }
            parts.append(
                citation_html(
                    number=segment["cite"],
                    source=source,
                    tip_id=segment["tip_id"],
                    base=base,
                    pending_of=ref.publication.title if ref else "",
                    grading=segment.get("grading") or "",
                )
            )
        elif segment.get("judgment"):
            parts.append(" " + judgment_label_html(segment["judgment"]))
        else:
            parts.append(f"<bdi>{escape(segment['text'])}</bdi>")
    return mark_safe("".join(parts))  # noqa: S308 - every stored text above is escaped


@register.simple_tag
def paragraph_html(runs, briefing_title, graded):
    """One paragraph's sentence runs (``snapshot.article_context``), each claim in its span.

    With ``graded`` (schema 3), a judgment is wrapped with its label and
    citations carry their grading.
    """
    out = []
    for run in runs:
        if out:
            out.append(" ")
        judgment = run.get("judgment") if graded else None
        if judgment:
            out.append(f'<span class="judgment">{judgment_label_html(judgment)} ')
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
                        grading=segment.get("grading", ""),
                    )
                )
            else:
                out.append(f"<bdi>{escape(segment['text'])}</bdi>")
        if run.get("id"):
            out.append("</span>")
        if judgment:
            out.append("</span>")
    return mark_safe("".join(out))  # noqa: S308 (every text above is escaped)
