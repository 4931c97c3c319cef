"""Helpers for tests that build revision histories."""

import reversion
from reversion.models import Version

from briefings.editing.working_copy import record_sections
from briefings.models import Section, Briefing


def revise(briefing, change=None, *, user=None, comment="An edit"):
    """Apply ``change(briefing)`` and record the result as one revision, as the admin does."""
    with reversion.create_revision():
        if change:
            change(briefing)
        briefing = Briefing.objects.get(pk=briefing.pk)
        briefing.save()
        record_sections(briefing)
        reversion.set_user(user)
        reversion.set_comment(comment)
    return latest_revision_id(briefing)


def set_body(position, body):
    def change(briefing):
        section = briefing.sections.get(position=position)
        section.body = body
        section.save()

    return change


def latest_revision_id(briefing):
    return Version.objects.get_for_object(briefing).order_by("-pk").values_list("revision_id", flat=True)[0]


def revision_ids(briefing):
    return list(Version.objects.get_for_object(briefing).order_by("pk").values_list("revision_id", flat=True))


def section(briefing, position):
    return Section.objects.get(briefing=briefing, position=position)
