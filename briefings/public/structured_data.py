"""What search engines and link previews read from a briefing page.

Canonical address, meta description and schema.org JSON-LD, all taken from
the publication's snapshot and change log (never the working copy).
"""

import re

from django.conf import settings
from django.urls import reverse

from briefings.models import Publication, pending_title
from briefings.text.parsing import MARKER_RE

DESCRIPTION_LENGTH = 160


def summary_text(snapshot, length=DESCRIPTION_LENGTH):
    """The executive summary as plain text without [n] markers, cut at a word."""
    if not snapshot["sections"]:
        return ""
    text = MARKER_RE.sub("", snapshot["sections"][0]["body"])
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def source_name(ref, briefing_title):
    source = ref["source"]
    return pending_title(ref["number"], briefing_title) if source["details_pending"] else source["title"]


def citation(ref, briefing_title):
    source = ref["source"]
    work = {"@type": "CreativeWork", "name": source_name(ref, briefing_title)}
    if source["publisher"] and not source["details_pending"]:
        work["publisher"] = {"@type": "Organization", "name": source["publisher"]}
    if source["url"]:
        work["url"] = source["url"]
    if source["published_on"]:
        work["datePublished"] = source["published_on"]
    return work


def structured_data(request, publication, change_log, canonical_url):
    """A schema.org Report for ``publication``; corrections up to this version are listed."""
    snapshot = publication.snapshot
    first = change_log[-1]
    data = {
        "@context": "https://schema.org",
        "@type": "Report",
        "headline": snapshot["briefing"]["title"],
        "url": canonical_url,
        "mainEntityOfPage": canonical_url,
        "datePublished": first.published_at.isoformat(),
        "dateModified": publication.published_at.isoformat(),
        "version": str(publication.number),
        "description": summary_text(snapshot),
        "isAccessibleForFree": True,
        "inLanguage": settings.LANGUAGE_CODE,
        "publisher": {"@type": "Organization", "name": settings.ASSAY_SITE_NAME},
        "citation": [citation(ref, snapshot["briefing"]["title"]) for ref in snapshot["references"]],
    }
    if snapshot["briefing"]["subject"]:
        data["about"] = {"@type": "Thing", "name": snapshot["briefing"]["subject"]}
    slug = snapshot["briefing"]["slug"]
    corrections = [
        {
            "@type": "CorrectionComment",
            "text": entry.note,
            "datePublished": entry.published_at.isoformat(),
            "url": request.build_absolute_uri(
                reverse("briefings:publication-detail", kwargs={"slug": slug, "number": entry.number})
            ),
        }
        for entry in reversed(change_log)
        if entry.kind == Publication.Kind.CORRECTION and entry.number <= publication.number
    ]
    if corrections:
        data["correction"] = corrections
    return data


def page_metadata(request, publication, change_log, *, is_latest):
    """Context for base.html's title, description, canonical and structured-data blocks."""
    slug = publication.briefing.slug
    if is_latest:
        path = reverse("briefings:briefing-detail", kwargs={"slug": slug})
    else:
        path = reverse("briefings:publication-detail", kwargs={"slug": slug, "number": publication.number})
    canonical_url = request.build_absolute_uri(path)
    return {
        "canonical_url": canonical_url,
        "meta_description": summary_text(publication.snapshot),
        "structured_data": structured_data(request, publication, change_log, canonical_url),
    }
