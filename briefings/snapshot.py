"""The publication snapshot: a versioned JSON document, and its rendering.

The schema is documented in ``docs/snapshot-schema.md``. A snapshot is built
from the working copy at publication and never changes afterwards; every
public view of a publication reads it (or the HTML rendered from it).
"""

from django.template.loader import render_to_string

from sources.models import Reference

from .models import Publication, section_anchor
from .parsing import MARKER_RE, parse_body

SCHEMA_ID = f"https://assay.example/schemas/briefing-snapshot/v{Publication.SCHEMA_VERSION}"


def source_data(source):
    return {
        "id": source.pk,
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url,
        "published_on": source.published_on.isoformat() if source.published_on else None,
        "kind": source.kind,
        "reliability": source.reliability,
        "details_pending": source.details_pending,
    }


def build_snapshot(briefing):
    """The working copy of ``briefing`` as a snapshot dict (two queries)."""
    sections = list(briefing.sections.order_by("position", "pk").prefetch_related("partners"))
    references = Reference.objects.filter(briefing=briefing).select_related("source").order_by("number")
    snapshot_sections = []
    for number, section in enumerate(sections):
        parsed = parse_body(section.body, clean=False)
        snapshot_sections.append(
            {
                "id": section.pk,
                "number": number,
                "anchor": section_anchor(number),
                "heading": section.heading,
                "body": section.body,
                "partners": [
                    {"slug": p.slug, "name": p.name}
                    for p in sorted(section.partners.all(), key=lambda p: p.name)
                ],
                "claims": [{"text": s.text, "citations": list(s.citations)} for s in parsed.claims],
            }
        )
    return {
        "schema": SCHEMA_ID,
        "schema_version": Publication.SCHEMA_VERSION,
        "briefing": {"slug": briefing.slug, "title": briefing.title, "subject": briefing.subject},
        "sections": snapshot_sections,
        "references": [{"number": ref.number, "source": source_data(ref.source)} for ref in references],
    }


def body_segments(body):
    """Split a body into text and citation segments for the template."""
    segments = []
    position = 0
    for match in MARKER_RE.finditer(body):
        if match.start() > position:
            segments.append({"text": body[position : match.start()]})
        segments.append({"cite": int(match.group(1))})
        position = match.end()
    if position < len(body):
        segments.append({"text": body[position:]})
    return segments


def article_context(snapshot):
    """What the article template needs from a snapshot: segments, sources, back-links."""
    references = {ref["number"]: ref for ref in snapshot["references"]}
    cited_from = {}
    sections = []
    for section in snapshot["sections"]:
        segments = body_segments(section["body"])
        count = 0
        for segment in segments:
            if "cite" in segment:
                count += 1
                segment["id"] = f"{section['anchor']}-cite-{count}"
                segment["source"] = references.get(segment["cite"], {}).get("source")
                cited_from.setdefault(segment["cite"], []).append(segment["id"])
        sections.append({**section, "segments": segments})
    refs = [{**ref, "cited_from": cited_from.get(ref["number"], [])} for ref in snapshot["references"]]
    return {"sections": sections, "references": refs}


def render_snapshot(snapshot):
    """The escaped HTML of a publication's article body."""
    return render_to_string("briefings/includes/article.html", article_context(snapshot))
