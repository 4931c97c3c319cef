"""Editorial operations that change several models at once.

Each is a plain function with keyword-only arguments, runs in one
transaction and is recorded as one django-reversion revision, so that the
path data takes is visible here rather than hidden in signals.
"""

from dataclasses import dataclass, field

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from briefings.editing.review_log import record_edit
from briefings.models import (
    Section,
    Briefing,
    Partner,
)
from briefings.text.parsing import FormatError, Issue, ParsedDocument
from sources.models import Reference, Source

PLACEHOLDER_TITLE = "Source [{number}] of “{slug}” — details needed"


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
                section = existing[index] if index < len(existing) else Section(briefing=briefing)
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
