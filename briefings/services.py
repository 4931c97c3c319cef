"""Editorial operations that change several models at once.

Each is a plain function with keyword-only arguments, runs in one
transaction and is recorded as one django-reversion revision, so that the
path data takes is visible here rather than hidden in signals.
"""

from dataclasses import dataclass, field

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from sources.models import Reference, Source

from .models import (
    Assessment,
    Briefing,
    Claim,
    ClaimCitation,
    Partner,
    Publication,
    PublishedPartner,
    PublishedReference,
    PublishedSection,
)
from .parsing import FormatError, Issue, ParsedDocument, heading_error, parse_body
from .review_log import record_edit
from .snapshot import build_snapshot, render_snapshot

PLACEHOLDER_TITLE = "Source [{number}] of “{slug}” — details needed"


class PublishError(Exception):
    """The working copy cannot be published; ``problems`` says why, section by section."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


class _DryRun(Exception):
    pass


@dataclass
class ImportResult:
    briefing: Briefing
    created: bool
    dry_run: bool
    sections: int = 0
    references_created: int = 0
    claims: int = 0
    citations: int = 0
    partners: list[str] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def partner_for_name(name):
    """The partner called ``name`` (any case), created if it does not exist."""
    partner = Partner.objects.filter(name__iexact=name).first()
    if partner:
        return partner
    base = slugify(name)[:190] or "partner"
    slug, n = base, 2
    while Partner.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    partner = Partner(name=name, slug=slug)
    # SQLite does not enforce max_length; validate so both databases refuse alike.
    partner.full_clean(validate_unique=False)
    partner.save()
    return partner


def _invalid(line, what, error):
    """A model validation error as a FormatError naming the line it came from."""
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return FormatError(line, f"{what} cannot be stored ({details})")


def record_sections(briefing):
    """Re-serialise a briefing's sections into the open revision.

    django-reversion serialises a model on post_save, before its many-to-many
    fields are written; following ``sections`` from the briefing then skips
    them as already added. Adding them explicitly once partners are set puts
    the partners in this revision rather than the next one.
    """
    for section in briefing.sections.all():
        reversion.add_to_revision(section)
    reversion.add_to_revision(briefing)


def import_briefing(*, document: ParsedDocument, slug=None, subject=None, user=None, dry_run=False):
    """Create or update a briefing's working copy from a parsed document.

    Re-importing an existing slug updates that briefing in place as one new
    revision: sections are matched by position, partners and sources reused,
    and nothing is duplicated. With ``dry_run`` everything is rolled back.
    """
    slug = slug or slugify(document.title)[:200]
    result = None
    try:
        with transaction.atomic(), reversion.create_revision():
            briefing = Briefing.objects.select_for_update().filter(slug=slug).first()
            created = briefing is None
            if created:
                briefing = Briefing(slug=slug)
            previous_status = briefing.status
            # The row is locked: this raises the optimistic lock any open admin form holds.
            briefing.edit_version += 1
            briefing.title = document.title
            if subject is not None:
                briefing.subject = subject
            briefing.status = Briefing.Status.DRAFT
            try:
                briefing.full_clean()
            except ValidationError as error:
                raise _invalid(document.title_line, "the briefing", error) from error
            briefing.save()

            existing = list(briefing.sections.order_by("position", "pk"))
            partners = []
            for index, parsed in enumerate(document.sections):
                section = existing[index] if index < len(existing) else Assessment(briefing=briefing)
                section.position = index
                section.heading = parsed.heading
                section.body = parsed.body.text
                try:
                    section.full_clean(exclude=["briefing"])
                    section.save()
                    partner = partner_for_name(parsed.partner_name) if parsed.partner_name else None
                except ValidationError as error:
                    raise _invalid(parsed.line, f"section {parsed.number}", error) from error
                if partner:
                    partners.append(partner.name)
                    section.partners.set([partner])
                else:
                    section.partners.clear()
            for stale in existing[len(document.sections) :]:
                stale.delete()

            have = set(Reference.objects.filter(briefing=briefing).values_list("number", flat=True))
            missing = [n for n in document.reference_numbers if n not in have]
            for number in missing:
                source = Source.objects.create(
                    title=PLACEHOLDER_TITLE.format(number=number, slug=slug), details_pending=True
                )
                Reference.objects.create(briefing=briefing, number=number, source=source)
            warnings = list(document.warnings)
            uncited = sorted(have - set(document.reference_numbers))
            if uncited:
                warnings.append(Issue("references no longer cited: " + ", ".join(f"[{n}]" for n in uncited)))

            if not created:
                record_edit(briefing_id=briefing.pk, user=user, previous_status=previous_status)
            record_sections(briefing)
            reversion.set_user(user)
            reversion.set_comment(f"Imported ({'new briefing' if created else 'update'})")
            result = ImportResult(
                briefing=briefing,
                created=created,
                dry_run=dry_run,
                sections=len(document.sections),
                references_created=len(missing),
                claims=sum(len(s.body.claims) for s in document.sections),
                citations=sum(len(s.body.citations) for s in document.sections),
                partners=partners,
                warnings=warnings,
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


def publication_problems(briefing):
    """Why the working copy cannot be published, or an empty list."""
    problems = []
    numbers = set(Reference.objects.filter(briefing=briefing).values_list("number", flat=True))
    sections = list(briefing.sections.order_by("position", "pk"))
    if not sections:
        problems.append("the briefing has no sections")
    for index, section in enumerate(sections):
        label = "Executive summary" if index == 0 else f"§{index} “{section.heading}”"
        if error := heading_error(section.heading):
            problems.append(f"{label}: {error}")
        parsed = parse_body(section.body, clean=False)
        problems += [f"{label}: {error.message}" for error in parsed.errors]
        unknown = sorted(set(parsed.citations) - numbers)
        if unknown:
            problems.append(
                f"{label}: cites {', '.join(f'[{n}]' for n in unknown)}, not in the reference list"
            )
    return problems


def latest_revision(briefing):
    version = reversion.models.Version.objects.get_for_object(briefing).select_related("revision").first()
    return version.revision if version else None


def publish_briefing(*, briefing, user, note, kind=None):
    """Freeze the working copy into the next Publication and rebuild its claims."""
    note = (note or "").strip()
    if not note:
        raise PublishError(["a public note is required: say what changed for readers"])
    with transaction.atomic():
        briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
        problems = publication_problems(briefing)
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
            with reversion.create_revision():
                record_sections(briefing)
                reversion.set_user(user)
                reversion.set_comment("Recorded at publication")
            revision = latest_revision(briefing)
        snapshot = build_snapshot(briefing)
        publication = Publication.objects.create(
            briefing=briefing,
            number=number,
            revision=revision,
            kind=kind,
            note=note,
            title=briefing.title,
            subject=briefing.subject,
            snapshot=snapshot,
            rendered_html=render_snapshot(snapshot),
            published_by=user,
            published_at=timezone.now(),
        )
        rebuild_derived(publication)
        # A state change, not an edit: no new revision.
        Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.PUBLISHED)
    return publication


def rebuild_derived(publication):
    """Replace a briefing's derived rows (sections, claims, references, partners) with ``publication``'s."""
    PublishedSection.objects.filter(briefing=publication.briefing_id).delete()
    snapshot = publication.snapshot
    by_id = Partner.objects.in_bulk({p["id"] for s in snapshot["sections"] for p in s["partners"]})

    def partner_of(entry):
        return by_id.get(entry["id"])

    sources = {ref["number"]: ref["source"]["id"] for ref in snapshot["references"]}
    citations = []
    for data in snapshot["sections"]:
        section = PublishedSection.objects.create(
            publication=publication,
            briefing_id=publication.briefing_id,
            number=data["number"],
            heading=data["heading"],
            body=data["body"],
        )
        section.partners.set([partner for p in data["partners"] if (partner := partner_of(p))])
        claims = Claim.objects.bulk_create(
            Claim(section=section, ordinal=i, text=c["text"]) for i, c in enumerate(data["claims"], 1)
        )
        for claim, claim_data in zip(claims, data["claims"], strict=True):
            citations += [
                ClaimCitation(claim=claim, position=pos, reference_number=n, source_id=sources[n])
                for pos, n in enumerate(claim_data["citations"], 1)
            ]
    ClaimCitation.objects.bulk_create(citations)
    # Public pages show sources as published, not as their shared rows stand now.
    PublishedReference.objects.filter(briefing=publication.briefing_id).delete()
    PublishedReference.objects.bulk_create(
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
            details_pending=ref["source"]["details_pending"],
        )
        for ref in snapshot["references"]
    )
    # Partners as published, for partner pages and filters. A partner may be
    # copied by several current publications; the newest copy is the one readers
    # see (PublishedPartner.is_latest). Lock the partners first so that two
    # publications naming one partner cannot both mark their copy latest.
    copies = {}
    for data in snapshot["sections"]:
        for entry in data["partners"]:
            partner = partner_of(entry)
            if partner is not None and partner.pk not in copies:
                copies[partner.pk] = PublishedPartner(
                    publication=publication,
                    briefing_id=publication.briefing_id,
                    partner=partner,
                    name=entry["name"],
                    slug=entry["slug"],
                    description=entry["description"],
                    is_latest=True,
                )
    old = PublishedPartner.objects.filter(briefing=publication.briefing_id)
    touched = set(copies) | set(old.values_list("partner_id", flat=True))
    list(Partner.objects.select_for_update().filter(pk__in=touched).values_list("pk"))
    old.delete()
    PublishedPartner.objects.filter(partner__in=copies).update(is_latest=False)
    PublishedPartner.objects.bulk_create(copies.values())
    # A partner this briefing no longer names falls back to its newest other copy.
    for partner_id in touched - set(copies):
        newest = (
            PublishedPartner.objects.filter(partner_id=partner_id)
            .order_by("-publication__published_at", "-pk")
            .first()
        )
        if newest is not None:
            PublishedPartner.objects.filter(pk=newest.pk).update(is_latest=True)
