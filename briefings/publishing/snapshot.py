"""The publication snapshot: a versioned JSON document, and its rendering.

The schema is documented in ``docs/snapshot-schema.md``. A snapshot is built
from the working copy at publication and never changes afterwards; every
public view of a publication reads it (or the HTML rendered from it).
"""

from dataclasses import dataclass

from django.template.loader import render_to_string

from briefings.models import Publication, section_anchor
from briefings.text.anchors import claim_anchors
from briefings.text.parsing import MARKER_RE, ParsedBody, parse_body, parse_marker
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


@dataclass
class WorkingCopy:
    """A briefing's sections (with partners) and references as read once, each body parsed once."""

    sections: list
    references: list
    parsed: list[ParsedBody] | None  # one per section; None when not parsed


def read_working_copy(briefing, *, parse=True):
    """Sections, their partners and the reference list (three queries); ``parse`` each body once."""
    sections = list(briefing.sections.order_by("position", "pk").prefetch_related("partners"))
    references = list(Reference.objects.filter(briefing=briefing).select_related("source").order_by("number"))
    parsed = [parse_body(section.body, clean=False) for section in sections] if parse else None
    return WorkingCopy(sections=sections, references=references, parsed=parsed)


def paragraphs_data(parsed):
    """A parsed body as the snapshot stores it: paragraphs, each a list of ``{text, citations}``.

    A body the parser rejects (only in a draft preview: publishing refuses
    it) keeps each paragraph as one sentence without citations.
    """
    return [
        [{"text": s.text, "citations": list(s.citations)} for s in paragraph.sentences]
        or [{"text": paragraph.text, "citations": []}]
        for paragraph in parsed.paragraphs
    ]


def section_paragraphs(section):
    """A snapshot section's sentences by paragraph.

    Schema 2 stores them. A schema 1 snapshot (and a comparable state built
    without them) has only the body, which is parsed here: schema 1 bodies
    were written by the same parser.
    """
    if "paragraphs" in section:
        return section["paragraphs"]
    return paragraphs_data(parse_body(section["body"], clean=False))


def publication_claim_anchors(snapshot):
    """The anchors of a snapshot's claims in page order (``briefings.text.anchors``): its Claim rows'."""
    return claim_anchors(
        claim["text"] for section in snapshot["sections"] for claim in section_claims(section)
    )


def section_claims(section):
    """A snapshot section's cited sentences in order, ``{text, citations}``: its Claim rows."""
    if "paragraphs" not in section and "claims" in section:
        return section["claims"]  # schema 1 stored them as published
    return [
        sentence
        for paragraph in section_paragraphs(section)
        for sentence in paragraph
        if sentence["citations"]
    ]


def build_snapshot(briefing, working=None, *, sentences=True):
    """The working copy of ``briefing`` as a snapshot dict.

    ``working`` is what ``read_working_copy`` read, if the caller already has
    it (publishing does: every body is parsed once per publication). Without
    ``sentences`` the sections carry no ``paragraphs``: enough to compare
    states (history, "anything to publish?"), and nothing is parsed.
    """
    if working is None:
        working = read_working_copy(briefing, parse=sentences)
    snapshot_sections = []
    for number, section in enumerate(working.sections):
        data = {
            "id": section.pk,
            "number": number,
            "anchor": section_anchor(number),
            "heading": section.heading,
            "body": section.body,
            "partners": [
                {"id": p.pk, "slug": p.slug, "name": p.name, "description": p.description}
                for p in sorted(section.partners.all(), key=lambda p: p.name)
            ],
        }
        if sentences:
            data["paragraphs"] = paragraphs_data(working.parsed[number])
        snapshot_sections.append(data)
    return {
        "schema": SCHEMA_ID,
        "schema_version": Publication.SCHEMA_VERSION,
        "briefing": {"slug": briefing.slug, "title": briefing.title, "subject": briefing.subject},
        "sections": snapshot_sections,
        "references": [
            {"number": ref.number, "source": source_data(ref.source)} for ref in working.references
        ],
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


def paragraph_runs(section):
    """A snapshot section as paragraphs, each a list of sentence runs with segments and claim ordinal.

    Ordinals count cited sentences from 1 across the whole section, exactly
    as publishing numbers Claim rows.
    """
    ordinal = 0
    paragraphs = []
    for sentences in section_paragraphs(section):
        runs = []
        for sentence in sentences:
            claim = None
            if sentence["citations"]:
                ordinal += 1
                claim = ordinal
            runs.append(
                {"segments": body_segments(sentence["text"]), "claim": claim, "text": sentence["text"]}
            )
        paragraphs.append(runs)
    return paragraphs


def article_context(snapshot):
    """What the article template needs from a snapshot: sentences, sources, back-links.

    Each reference's ``cited_in`` groups its uses by section, in reading
    order: ``{id, label, heading, number, count}``, ``id`` being the first use
    in that section (the back-link's target).
    """
    references = {ref["number"]: ref for ref in snapshot["references"]}
    cited_in = {}
    sections = []
    all_runs = [paragraph_runs(section) for section in snapshot["sections"]]
    claims = [run for paragraphs in all_runs for runs in paragraphs for run in runs if run["claim"]]
    for run, anchor in zip(claims, claim_anchors(run["text"] for run in claims), strict=True):
        run["id"] = anchor
    for section, paragraphs in zip(snapshot["sections"], all_runs, strict=True):
        label = "Summary" if section["number"] == 0 else f"§{section['number']}"
        count = 0
        for run in (run for runs in paragraphs for run in runs):
            for segment in run["segments"]:
                if "cite" in segment:
                    count += 1
                    segment["id"] = f"{section['anchor']}-cite-{count}"
                    segment["source"] = references.get(segment["cite"], {}).get("source")
                    groups = cited_in.setdefault(segment["cite"], {})
                    if section["number"] not in groups:
                        groups[section["number"]] = {
                            "id": segment["id"],
                            "label": label,
                            "number": section["number"],
                            "heading": section["heading"],
                            "count": 0,
                        }
                    groups[section["number"]]["count"] += 1
        sections.append({**section, "paragraph_runs": paragraphs})
    refs = [
        {**ref, "cited_in": list(cited_in.get(ref["number"], {}).values())} for ref in snapshot["references"]
    ]
    return {"sections": sections, "references": refs, "briefing_title": snapshot["briefing"]["title"]}


def render_snapshot(snapshot):
    """The escaped HTML of a publication's article body."""
    return render_to_string("briefings/includes/article.html", article_context(snapshot))
