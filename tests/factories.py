"""Small factory functions for building test data. Every default is sample text."""

import importlib
import itertools

from django.contrib.auth.models import Group, Permission, User

from briefings.editing.draft import Draft, SectionDraft
from briefings.editing.working_copy import write
from briefings.models import Partner
from briefings.publishing.publish import publish_briefing
from briefings.text.parsing import CITATION_RE
from sources.models import Source

_counter = itertools.count(1)


def make_user(*, username=None, group=None, superuser=False, password="a-sample-password-42"):
    username = username or f"user{next(_counter)}"
    if superuser:
        return User.objects.create_superuser(username=username, email="", password=password)
    user = User.objects.create_user(username=username, password=password, is_staff=group is not None)
    if group:
        user.groups.add(editorial_group(group))
    return user


def editorial_group(name):
    """The Editors or Reviewers group with the permissions the migrations grant it.

    Migrations create both; a transactional test's flush deletes them, so a
    later test gets them back from here instead of failing on the order tests ran in.
    """
    group, created = Group.objects.get_or_create(name=name)
    if created:
        migration = importlib.import_module("briefings.migrations.0003_editorial_groups")
        grants = {"Editors": migration.EDITORS, "Reviewers": migration.REVIEWERS}[name]
        if name == "Reviewers":  # briefings/migrations/0008_publication_withdrawal
            grants = {**grants, "briefings": [*grants.get("briefings", []), "withdraw_publication"]}
        for app_label, codenames in grants.items():
            permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            assert permissions.count() == len(set(codenames)), f"permissions missing for {app_label}"
            group.permissions.add(*permissions)
    return group


def make_partner(name="Arden", slug=None):
    partner, _ = Partner.objects.get_or_create(name=name, defaults={"slug": slug or name.lower()})
    return partner


def make_source(title=None, **fields):
    n = next(_counter)
    return Source.objects.create(title=title or f"Sample source {n}", **fields)


def publisher():
    """The account the tests' ``publish`` records when none is given: it may publish."""
    user = User.objects.filter(username="test-publisher").first()
    return user or User.objects.create_superuser(username="test-publisher", email="", password="unused-42")


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
    """A briefing with sections and references, written as one revision by the one write path.

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
    drafts = []
    for heading, body, *rest in sections:
        partners = frozenset(make_partner(name).pk for name in rest[0]) if rest else frozenset()
        drafts.append(SectionDraft(id=None, heading=heading, body=body, partners=partners))
    if references is None:
        numbers = sorted({int(m.group(1)) for _, body, *_ in sections for m in CITATION_RE.finditer(body)})
        references = {n: make_source() for n in numbers}
    draft = Draft(
        title=title,
        slug=slug,
        subject=subject,
        sections=tuple(drafts),
        references=tuple((number, source.pk) for number, source in references.items()),
    )
    return write(draft=draft, user=user, comment=comment).briefing


def publish(briefing, *, user=None, note="Sample publication note.", kind=None, force=True):
    """Publish as an operator would, to build fixtures: no review step, and (``force``) even unchanged.

    Tests of those rules call publish_briefing or the review page themselves.
    """
    return publish_briefing(
        briefing=briefing, user=user or publisher(), note=note, kind=kind, operator=True, force=force
    )
