"""Small factory functions for building test data. Every default is sample text."""

import itertools

import reversion
from django.contrib.auth.models import Group, User

from briefings.editing.working_copy import record_sections
from briefings.models import Section, Briefing, Partner
from briefings.publishing.publish import publish_briefing
from sources.models import Reference, Source

_counter = itertools.count(1)


def make_user(*, username=None, group=None, superuser=False, password="a-sample-password-42"):
    username = username or f"user{next(_counter)}"
    if superuser:
        return User.objects.create_superuser(username=username, email="", password=password)
    user = User.objects.create_user(username=username, password=password, is_staff=group is not None)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_partner(name="Arden", slug=None):
    partner, _ = Partner.objects.get_or_create(name=name, defaults={"slug": slug or name.lower()})
    return partner


def make_source(title=None, **fields):
    n = next(_counter)
    return Source.objects.create(title=title or f"Sample source {n}", **fields)


def make_briefing(
    *,
    title="Sample question: how do partners shape Estmark's water?",
    slug=None,
    subject="Estmark",
    sections=None,
    references=None,
    user=None,
    comment="Created by a test",
):
    """A briefing with sections and references, saved as one revision.

    ``sections`` is a list of ``(heading, body)`` or ``(heading, body, [partner names])``;
    the first is the executive summary. ``references`` maps numbers to sources
    (default: a new source for every number cited).
    """
    if sections is None:
        sections = [
            ("Executive summary", "The sample summary is cited [1]. It has a second claim [2]."),
            ("Arden: the lender", "Arden lends money [1] [2].", ["Arden"]),
        ]
    slug = slug or f"sample-{next(_counter)}"
    with reversion.create_revision():
        briefing = Briefing.objects.create(title=title, slug=slug, subject=subject)
        for position, spec in enumerate(sections):
            heading, body, *rest = spec
            section = Section.objects.create(
                briefing=briefing, position=position, heading=heading, body=body
            )
            if rest:
                section.partners.set([make_partner(name) for name in rest[0]])
        if references is None:
            from briefings.text.parsing import MARKER_RE

            numbers = sorted({int(m.group(1)) for _, body, *_ in sections for m in MARKER_RE.finditer(body)})
            references = {n: make_source() for n in numbers}
        for number, source in references.items():
            Reference.objects.create(briefing=briefing, number=number, source=source)
        record_sections(briefing)
        reversion.set_user(user)
        reversion.set_comment(comment)
    return briefing


def publish(briefing, *, user=None, note="Sample publication note.", kind=None):
    return publish_briefing(briefing=briefing, user=user, note=note, kind=kind)
