"""Publishing: the one door through which a working copy becomes a Publication."""

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from briefings.editing.history import latest_revision
from briefings.editing.working_copy import record_as_is
from briefings.models import (
    Briefing,
    Claim,
    ClaimCitation,
    Partner,
    Publication,
    PublishedPartner,
    PublishedReference,
    PublishedSection,
    RecallFlag,
    ReviewEvent,
)
from briefings.publishing import generation, review
from briefings.publishing.snapshot import (
    build_snapshot,
    publication_claim_anchors,
    read_working_copy,
    render_snapshot,
    section_claims,
)
from briefings.text.parsing import heading_error, parse_body
from sources.models import Reference, Source


class PublishError(Exception):
    """The working copy cannot be published; ``problems`` says why, section by section."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def publication_problems(briefing, working=None):
    """Why the working copy cannot be published, or an empty list.

    ``working`` is the working copy as ``read_working_copy`` read and parsed
    it, if the caller has it; otherwise the bodies are read and parsed here.
    """
    if working is not None:
        numbers = {ref.number for ref in working.references}
        return _problems(working.sections, working.parsed, numbers)
    numbers = set(Reference.objects.filter(briefing=briefing).values_list("number", flat=True))
    sections = list(briefing.sections.order_by("position", "pk"))
    return _problems(sections, [parse_body(s.body, clean=False) for s in sections], numbers)


def _problems(sections, parsed, numbers):
    """Why sections (each with its parsed body) citing against reference ``numbers`` cannot be published."""
    problems = []
    if not sections:
        problems.append("the briefing has no sections")
    for index, (section, body) in enumerate(zip(sections, parsed, strict=True)):
        label = "Executive summary" if index == 0 else f"§{index} “{section.heading}”"
        if error := heading_error(section.heading):
            problems.append(f"{label}: {error}")
        problems += [f"{label}: {error.message}" for error in body.errors]
        unknown = sorted(set(body.citations) - numbers)
        if unknown:
            problems.append(
                f"{label}: cites {', '.join(f'[{n}]' for n in unknown)}, not in the reference list"
            )
        problems += review.unsupported_sentences(label, body)
    return problems


def publish_briefing(
    *,
    briefing,
    user,
    note,
    kind=None,
    edit_version=None,
    shared_seen=None,
    seen_at=None,
    operator=False,
    force=False,
):
    """Freeze the working copy into the next Publication: the one door every publisher goes through.

    A reviewer approving in the admin passes what they saw: ``edit_version``
    (the working copy's), ``shared_seen`` (review.shared_records of the
    sources and partners it names) and ``seen_at`` (when); publishing is refused if either moved on
    since, and the review rules apply (briefings/publishing/review.py: a
    submitted briefing, no self-approval, unless settings allow).

    ``operator=True`` is the command line's door (``import_briefing
    --publish``, ``load_sample``): no submission is needed, but the user is
    recorded and must be allowed to publish. Both are refused when there is
    nothing to publish, unless ``force``. Every publication writes a
    ReviewEvent. Raises review.ReviewError or PublishError; writes nothing then.
    """
    note = (note or "").strip()
    if not note:
        raise PublishError(["a public note is required: say what changed for readers"])
    with transaction.atomic():
        briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
        review.check_can_publish(
            briefing=briefing,
            user=user,
            edit_version=edit_version,
            shared_seen=shared_seen,
            seen_at=seen_at,
            operator=operator,
            force=force,
        )
        # Read and parse the working copy once: the checks, the snapshot, its
        # rendering and the derived claims all use these parsed sentences.
        working = read_working_copy(briefing)
        problems = publication_problems(briefing, working)
        if problems:
            raise PublishError(problems)
        last = briefing.publications.aggregate(n=Max("number"))["n"] or 0
        number = last + 1
        if kind is None:
            kind = Publication.Kind.FIRST if number == 1 else Publication.Kind.UPDATE
        if (number == 1) != (kind == Publication.Kind.FIRST):
            raise PublishError(
                ["the first publication must be of kind 'first'; later ones 'update' or 'correction'"]
            )
        revision = latest_revision(briefing)
        if revision is None:
            # A working copy written outside the write path (bulk-loaded): record it first.
            revision = record_as_is(briefing, user=user, comment="Recorded at publication").revision
        snapshot = build_snapshot(briefing, working)
        # A correction answers every recall of a source the briefing cited: the change log names
        # them. A first publication closes them too (readers never saw the briefing before), silently.
        recalls = (
            list(RecallFlag.objects.open().filter(briefing=briefing).select_related("source"))
            if kind in (Publication.Kind.CORRECTION, Publication.Kind.FIRST)
            else []
        )
        named = recalls if kind == Publication.Kind.CORRECTION else []
        publication = Publication.objects.create(
            briefing=briefing,
            number=number,
            revision=revision,
            kind=kind,
            note=note,
            title=briefing.title,
            subject=briefing.subject,
            schema_version=snapshot["schema_version"],
            snapshot=snapshot,
            rendered_html=render_snapshot(snapshot),
            published_by=user,
            published_at=timezone.now(),
            recalled_sources=[
                {
                    "id": flag.source_id,
                    "title": flag.source.title,
                    "recall": flag.source.recall,
                    "reason": flag.source.recall_reason,
                }
                for flag in named
            ],
        )
        RecallFlag.objects.filter(pk__in=[flag.pk for flag in recalls]).update(
            resolved_at=publication.published_at, resolved_by=publication
        )
        rebuild_derived(publication)
        # A state change, not an edit: no new revision.
        Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.PUBLISHED)
        ReviewEvent.objects.create(
            briefing=briefing,
            kind=ReviewEvent.Kind.PUBLISHED if operator else ReviewEvent.Kind.APPROVED,
            user=user,
            message=publication.note,
            revision=revision,
            publication=publication,
        )
        generation.advance_on_commit()
    return publication


def _with_credibility(sentence):
    """A snapshot sentence's ``(number, credibility)`` pairs; schema 1 and 2 state no credibility."""
    credibility = sentence.get("credibility") or []
    return [
        (n, credibility[i] if i < len(credibility) else None) for i, n in enumerate(sentence["citations"])
    ]


def page_claim_anchors(publication):
    """An iterator over the claim ids ``publication``'s stored page has, in page order.

    None when the page was rendered before claims had stable anchors (its HTML
    is never re-rendered): its claims keep ``{section}-claim-{ordinal}``, as
    migration 0012 gave them.
    """
    anchors = publication_claim_anchors(publication.snapshot)
    if anchors and f'id="{anchors[0]}"' not in publication.rendered_html:
        return None
    return iter(anchors)


def _published_later(model, key, ours):
    """The keys (source or partner ids) of ``ours`` that another briefing published after ours.

    Publishing now is normally the latest, so ours wins. A withdrawal rebuilds
    a briefing from an older publication, though, and then a later briefing's
    copy must stay (or, if the withdrawn copy was latest, become) the latest:
    that is done here, a key at a time (withdrawals are rare). One grouped
    query otherwise.
    """
    if not ours:
        return set()
    newest = (
        model.objects.filter(**{f"{key}__in": list(ours)})
        .values(key)
        .annotate(at=Max("publication__published_at"))
    )
    later = {row[key] for row in newest if row["at"] > ours[row[key]].publication.published_at}
    _mark_newest(model, key, later)
    return later


def _mark_newest(model, key, pks):
    """Flag the most recently published copy of each of ``pks`` latest, and only that one."""
    for pk in pks:
        copies = model.objects.filter(**{key: pk})
        newest = copies.order_by("-publication__published_at", "-publication_id", "-pk").values_list(
            "pk", flat=True
        )
        newest = newest.first()
        if newest is not None:
            copies.filter(is_latest=True).exclude(pk=newest).update(is_latest=False)
            copies.filter(pk=newest).update(is_latest=True)


def rebuild_derived(publication):
    """Replace a briefing's derived rows (sections, claims, references, partners) with ``publication``'s."""
    rebuild_derived_many([publication])


def rebuild_derived_many(publications):
    """``rebuild_derived`` for many briefings at once (at most one publication each), in bulk queries.

    Publishing calls it with one publication; ``bench_corpus`` with a batch of
    freshly published briefings. The query count does not grow with the
    number of sections, claims or publications.
    """
    publications = list(publications)
    if not publications:
        return
    briefing_ids = [p.briefing_id for p in publications]
    if len(set(briefing_ids)) != len(briefing_ids):
        raise ValueError("rebuild_derived_many takes at most one publication per briefing")
    PublishedSection.objects.filter(briefing__in=briefing_ids).delete()
    partner_ids = {p["id"] for pub in publications for s in pub.snapshot["sections"] for p in s["partners"]}
    by_id = Partner.objects.in_bulk(partner_ids)

    def partners_of(data):
        return [partner for entry in data["partners"] if (partner := by_id.get(entry["id"]))]

    sections = []
    for publication in publications:
        for data in publication.snapshot["sections"]:
            sections.append(
                PublishedSection(
                    publication=publication,
                    briefing_id=publication.briefing_id,
                    number=data["number"],
                    heading=data["heading"],
                    body=data["body"],
                )
            )
    PublishedSection.objects.bulk_create(sections)
    if connection.vendor == "postgresql":
        # The stored search vector (GIN-indexed): computed once here, never per search.
        PublishedSection.objects.filter(briefing__in=briefing_ids).update(
            search_vector=PublishedSection.search_document()
        )
    section_data = [data for publication in publications for data in publication.snapshot["sections"]]
    through = PublishedSection.partners.through
    through.objects.bulk_create(
        through(publishedsection_id=section.pk, partner_id=partner.pk)
        for section, data in zip(sections, section_data, strict=True)
        for partner in partners_of(data)
    )
    claims = []
    claim_data = []
    anchors = {publication.pk: page_claim_anchors(publication) for publication in publications}
    for section, data in zip(sections, section_data, strict=True):
        page_anchors = anchors[section.publication.pk]
        for ordinal, claim in enumerate(section_claims(data), 1):
            anchor = next(page_anchors) if page_anchors else f"{section.anchor}-claim-{ordinal}"
            claims.append(Claim(section=section, ordinal=ordinal, text=claim["text"], anchor=anchor))
            claim_data.append((section.publication, claim))
    Claim.objects.bulk_create(claims)
    source_of = {
        publication.pk: {ref["number"]: ref["source"] for ref in publication.snapshot["references"]}
        for publication in publications
    }
    ClaimCitation.objects.bulk_create(
        ClaimCitation(
            claim=claim,
            position=pos,
            reference_number=n,
            source_id=source_of[publication.pk][n]["id"],
            source_kind=source_of[publication.pk][n]["kind"],
            credibility=credibility,
        )
        for claim, (publication, data) in zip(claims, claim_data, strict=True)
        for pos, (n, credibility) in enumerate(_with_credibility(data), 1)
    )
    # Public pages show sources as published, not as their shared rows stand now.
    # A source's newest copy (highest id) is the one readers see: is_latest marks
    # it. Lock the sources first (in order) so that two publications citing one
    # source cannot both mark their copy latest.
    old = PublishedReference.objects.filter(briefing__in=briefing_ids)
    references = [
        PublishedReference(
            publication=publication,
            briefing_id=publication.briefing_id,
            number=ref["number"],
            source_id=ref["source"]["id"],
            title=ref["source"]["title"],
            publisher=ref["source"]["publisher"],
            url=ref["source"]["url"],
            published_on=ref["source"]["published_on"],
            kind=ref["source"]["kind"],
            grade=ref["source"].get("grade", ""),
            details_pending=ref["source"]["details_pending"],
        )
        for publication in publications
        for ref in publication.snapshot["references"]
    ]
    newest_copy = {}
    for ref in sorted(references, key=lambda r: (r.publication.published_at, r.publication.pk)):
        newest_copy[ref.source_id] = ref
    lost = set(old.filter(is_latest=True).values_list("source_id", flat=True)) - set(newest_copy)
    list(
        Source.objects.select_for_update()
        .filter(pk__in=set(newest_copy) | lost)
        .order_by("pk")
        .values_list("pk")
    )
    old.delete()
    # Ours is the latest copy unless another briefing published the source later
    # (as when a withdrawal rebuilds these rows from an older publication).
    later = _published_later(PublishedReference, "source_id", newest_copy)
    for source_id, ref in newest_copy.items():
        ref.is_latest = source_id not in later
    ours = [source_id for source_id, ref in newest_copy.items() if ref.is_latest]
    PublishedReference.objects.filter(source__in=ours, is_latest=True).update(is_latest=False)
    PublishedReference.objects.bulk_create(references)
    # A source these briefings no longer cite falls back to its most recently published other copy.
    _mark_newest(PublishedReference, "source_id", lost)
    # Partners as published, for partner pages and filters. A partner may be
    # copied by several current publications; the newest copy is the one readers
    # see (PublishedPartner.is_latest). Lock the partners first so that two
    # publications naming one partner cannot both mark their copy latest.
    copies = {}
    newest = {}
    for publication in sorted(publications, key=lambda p: (p.published_at, p.pk)):
        for data in publication.snapshot["sections"]:
            for entry in data["partners"]:
                partner = by_id.get(entry["id"])
                if partner is not None and (publication.pk, partner.pk) not in copies:
                    copies[publication.pk, partner.pk] = newest[partner.pk] = PublishedPartner(
                        publication=publication,
                        briefing_id=publication.briefing_id,
                        partner=partner,
                        name=entry["name"],
                        slug=entry["slug"],
                        description=entry["description"],
                    )
    old = PublishedPartner.objects.filter(briefing__in=briefing_ids)
    touched = set(newest) | set(old.values_list("partner_id", flat=True))
    list(Partner.objects.select_for_update().filter(pk__in=touched).values_list("pk"))
    old.delete()
    later = _published_later(PublishedPartner, "partner_id", newest)
    for partner_id, copy in newest.items():
        copy.is_latest = partner_id not in later
    ours = [partner_id for partner_id, copy in newest.items() if copy.is_latest]
    PublishedPartner.objects.filter(partner__in=ours, is_latest=True).update(is_latest=False)
    PublishedPartner.objects.bulk_create(copies.values())
    # A partner these briefings no longer name falls back to its newest other copy.
    _mark_newest(PublishedPartner, "partner_id", touched - set(newest))
