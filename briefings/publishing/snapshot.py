"""The publication snapshot: a versioned JSON document, and its rendering.

The schema is documented in ``docs/snapshot-schema.md``. A snapshot is built
from the working copy at publication and never changes afterwards; every
public view of a publication reads it (or the HTML rendered from it).
"""

from django.template.loader import render_to_string

from briefings.models import Publication, section_anchor
from briefings.text.parsing import MARKER_RE, parse_body, parse_marker
from sources.models import Reference

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
                    {"id": p.pk, "slug": p.slug, "name": p.name, "description": p.description}
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
        number = parse_marker(match.group(1))
        if number is None:
            # Not a citation (only possible in a draft preview): keep it as text.
            continue
        if match.start() > position:
            segments.append({"text": body[position : match.start()]})
        segments.append({"cite": number})
        position = match.end()
    if position < len(body):
        segments.append({"text": body[position:]})
    return segments


def sentence_runs(body):
    """A body as sentences, each with its segments and, if it cites, its claim ordinal.

    Ordinals count cited sentences from 1, exactly as publishing numbers Claim
    rows, so ``{section anchor}-claim-{ordinal}`` is the claim's anchor. A body
    the parser rejects (only in a draft preview) is one run without a claim.
    """
    parsed = parse_body(body, clean=False)
    if parsed.errors or not parsed.sentences:
        return [{"segments": body_segments(body), "claim": None}]
    runs = []
    ordinal = 0
    for sentence in parsed.sentences:
        claim = None
        if sentence.citations:
            ordinal += 1
            claim = ordinal
        runs.append({"segments": body_segments(sentence.text), "claim": claim})
    return runs


def article_context(snapshot):
    """What the article template needs from a snapshot: sentences, sources, back-links."""
    references = {ref["number"]: ref for ref in snapshot["references"]}
    cited_from = {}
    sections = []
    for section in snapshot["sections"]:
        label = "Summary" if section["number"] == 0 else f"§{section['number']}"
        runs = sentence_runs(section["body"])
        count = 0
        for run in runs:
            if run["claim"]:
                run["id"] = f"{section['anchor']}-claim-{run['claim']}"
            for segment in run["segments"]:
                if "cite" in segment:
                    count += 1
                    segment["id"] = f"{section['anchor']}-cite-{count}"
                    segment["source"] = references.get(segment["cite"], {}).get("source")
                    place = {"id": segment["id"], "label": label, "number": section["number"]}
                    place["heading"] = section["heading"]
                    cited_from.setdefault(segment["cite"], []).append(place)
        sections.append({**section, "runs": runs})
    refs = []
    for ref in snapshot["references"]:
        places = cited_from.get(ref["number"], [])
        for index, place in enumerate(places, 1):
            place["position"] = index
        refs.append({**ref, "cited_from": places})
    return {"sections": sections, "references": refs}


def render_snapshot(snapshot):
    """The escaped HTML of a publication's article body."""
    return render_to_string("briefings/includes/article.html", article_context(snapshot))
