"""A working copy's content as a plain value: what editors change, and what a write is given.

Every write to a working copy (an admin save, an import, a restore, a
recovery) says what the working copy should hold as a ``Draft``; the one
write path (``working_copy.write``) compares it with what is stored, merges
it with a colleague's save if need be, and writes only the difference.
Drafts are immutable and compare by value, so "nothing changed" is
``draft == current``.
"""

from dataclasses import dataclass, field, replace

from briefings.models import Briefing
from sources.models import Reference


@dataclass(frozen=True)
class SectionDraft:
    """One section: ``id`` is the Section row it is (None for a new section)."""

    id: int | None
    heading: str
    body: str
    partners: frozenset[int] = field(default_factory=frozenset)

    @property
    def content(self):
        """What a revision stores of a section (its position is the draft's order)."""
        return (self.heading, self.body, self.partners)


@dataclass(frozen=True)
class Draft:
    """The whole working copy. ``sections`` in order, the executive summary first."""

    title: str
    slug: str
    subject: str
    sections: tuple[SectionDraft, ...]
    # (number, source id) for each entry of the reference list, by number.
    references: tuple[tuple[int, int], ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "sections", tuple(self.sections))
        object.__setattr__(self, "references", tuple(sorted(self.references)))

    @property
    def reference_map(self):
        return dict(self.references)

    def section(self, section_id):
        return next((s for s in self.sections if s.id == section_id), None)

    def replace(self, **changes):
        return replace(self, **changes)


def current_draft(briefing: Briefing) -> Draft:
    """What ``briefing``'s working copy holds now (three queries: sections, their partners, references)."""
    if briefing.pk is None:
        return Draft(title=briefing.title, slug=briefing.slug, subject=briefing.subject, sections=())
    sections = briefing.sections.order_by("position", "pk").prefetch_related("partners")
    references = Reference.objects.filter(briefing_id=briefing.pk).values_list("number", "source_id")
    return Draft(
        title=briefing.title,
        slug=briefing.slug,
        subject=briefing.subject,
        sections=tuple(
            SectionDraft(
                id=s.pk,
                heading=s.heading,
                body=s.body,
                partners=frozenset(p.pk for p in s.partners.all()),
            )
            for s in sections
        ),
        references=tuple(references),
    )
