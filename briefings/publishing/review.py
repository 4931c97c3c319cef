"""The review state machine: submit, request changes, and the rules an approval must pass.

``Briefing.status`` is the current state; every step is also a ReviewEvent
row (who, when, their words, the revision concerned), so the history of a
review survives the state moving on:

    draft ──submit──▶ in_review ──approve──▶ published
      ▲   ◀─changes requested─┘                 │
      └──────────── any content edit ◀──────────┘

The edit arrow is taken by the one write path (briefings/editing/working_copy.py),
and the approve arrow by the one publish function
(briefings/publishing/publish.py), which asks ``check_can_publish`` first.

Whether there is anything to submit or approve is not read from the status
but from the text: the working copy, as readers would see it, against the
live publication (``unpublished_changes``). Sources and partners are shared
rows that change without touching any briefing's status, and a corrected
source must still reach readers through review.

Editors (change_briefing) may submit; reviewers (publish_briefing) may
request changes and approve. An approval needs a submission
(``ASSAY_ALLOW_UNSUBMITTED_PUBLISH`` lifts that), and a reviewer may not
approve changes they made themselves (``ASSAY_ALLOW_SELF_APPROVAL`` lifts
that); both bind superusers too. Review steps change the state only, never
the content, so they do not raise ``edit_version``.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import dateformat
from django.utils.timezone import template_localtime
from reversion.models import Version

from briefings.editing.history import latest_revision, publication_state, stored_fields, working_state
from briefings.models import Briefing, Partner, RecallFlag, ReviewEvent, RevisionContents
from briefings.text.compare import diff_states
from briefings.text.parsing import sentence_preview
from sources.models import Reference, Source

Status = Briefing.Status


class ReviewError(Exception):
    """A review step is not allowed now; the message says why, for the person who tried."""


def unsupported_sentences(label, body):
    """Publishing's refusal of every sentence in ``body`` with neither a citation nor a judgment marker.

    While drafting such a sentence is only a warning (the parser's); readers
    must never get one. ``label`` names the section ("§2 “Heading”"); each
    problem quotes the sentence's first 80 characters.
    """
    return [
        f"{label}: the sentence “{sentence_preview(sentence.text, 80)}” has no citation and is not marked "
        "as a judgment: cite a source ([n]) or mark it [judgment: low], [judgment: moderate] or "
        "[judgment: high]"
        for sentence in body.unsupported
    ]


def unpublished_changes(briefing):
    """True when publishing now would show readers something they do not see yet.

    A briefing that cited a source since recalled has a correction to publish, text changed or not.
    """
    live = briefing.publications.live().order_by("-number").first()
    if live is None or RecallFlag.objects.open().filter(briefing=briefing).exists():
        return True
    return diff_states(publication_state(live), working_state(briefing)).changed


def submittable(briefing):
    return briefing.status != Status.IN_REVIEW and unpublished_changes(briefing)


def nothing_to_publish(briefing):
    return ReviewError(f"“{briefing}” has no changes since its last publication.")


def can_submit(user):
    return user.is_active and user.has_perm("briefings.change_briefing")


def can_review(user):
    return user is not None and user.is_active and user.has_perm("briefings.publish_briefing")


def _locked(briefing):
    return Briefing.objects.select_for_update().get(pk=briefing.pk)


def _required(text, what):
    text = (text or "").strip()
    if not text:
        raise ReviewError(f"{what} is required.")
    return text


def submit_for_review(*, briefing, user, message):
    """Ask reviewers to look at the working copy as it is now."""
    if not can_submit(user):
        raise ReviewError("You may not submit briefings for review.")
    message = _required(message, "A message for the reviewer")
    with transaction.atomic():
        briefing = _locked(briefing)
        if briefing.status == Status.IN_REVIEW:
            raise ReviewError(f"“{briefing}” is already in review.")
        if not unpublished_changes(briefing):
            raise nothing_to_publish(briefing)
        Briefing.objects.filter(pk=briefing.pk).update(status=Status.IN_REVIEW)
        return ReviewEvent.objects.create(
            briefing=briefing,
            kind=ReviewEvent.Kind.SUBMITTED,
            user=user,
            message=message,
            revision=latest_revision(briefing),
        )


def request_changes(*, briefing, user, comment):
    """Send a submitted briefing back to its editors with a comment."""
    if not can_review(user):
        raise ReviewError("Only reviewers may request changes.")
    comment = _required(comment, "A comment for the editor")
    with transaction.atomic():
        briefing = _locked(briefing)
        if briefing.status != Status.IN_REVIEW:
            raise ReviewError(f"“{briefing}” is not awaiting review (it is {briefing.get_status_display()}).")
        Briefing.objects.filter(pk=briefing.pk).update(status=Status.CHANGES_REQUESTED)
        return ReviewEvent.objects.create(
            briefing=briefing,
            kind=ReviewEvent.Kind.CHANGES_REQUESTED,
            user=user,
            message=comment,
            revision=latest_revision(briefing),
        )


def _named_records(briefing):
    """The sources the working copy's reference list points to, and the partners its sections name."""
    sources = Source.objects.filter(pk__in=Reference.objects.filter(briefing=briefing).values("source_id"))
    partners = Partner.objects.filter(sections__briefing=briefing).distinct()
    return list(sources), list(partners)


def shared_records(briefing):
    """A token naming each source and partner the working copy names, at its edit version.

    The review page carries it; approving compares it with the records as they
    stand, so a source corrected after the reviewer read the page is not
    published unread.
    """
    sources, partners = _named_records(briefing)
    entries = [f"source:{s.pk}:{s.edit_version}" for s in sources]
    entries += [f"partner:{p.pk}:{p.edit_version}" for p in partners]
    return ",".join(sorted(entries))


SHOWN_FIELDS = {
    Source: ("title", "publisher", "url", "published_on", "kind", "grade", "details_pending"),
    Partner: ("name", "slug", "description"),
}


def _describe_change(record, seen_at):
    """What changed in a shared record since ``seen_at``: who, and each shown field before → after."""
    versions = Version.objects.get_for_object(record).select_related("revision__user")
    before = versions.filter(revision__date_created__lte=seen_at).first() if seen_at else None
    after = versions.first()
    label = f"{record._meta.verbose_name} “{record}”"
    who = ""
    if after is not None and (before is None or after.pk != before.pk):
        name = after.revision.user.get_username() if after.revision.user else "an unknown user"
        when = dateformat.format(template_localtime(after.revision.date_created), "j M Y, H:i")
        who = f" by {name} at {when}"
    changes = []
    old = stored_fields(before.format, before.serialized_data) if before else None
    if old is not None:
        for name in SHOWN_FIELDS[type(record)]:
            now = getattr(record, name)
            now = now.isoformat() if hasattr(now, "isoformat") else now
            if old.get(name) != now:
                changes.append(f"{name} “{old.get(name)}” → “{now}”")
    return f"{label} was changed{who}" + (f" ({'; '.join(changes)})" if changes else "")


def shared_changes(briefing, seen, *, seen_at=None):
    """Descriptions of the sources and partners that changed since the token ``seen`` was taken."""
    if seen is None:
        return []
    then = {}
    for entry in filter(None, seen.split(",")):
        kind, _, rest = entry.partition(":")
        pk, _, version = rest.partition(":")
        then[(kind, pk)] = version
    sources, partners = _named_records(briefing)
    changed = []
    for kind, records in (("source", sources), ("partner", partners)):
        for record in records:
            if then.get((kind, str(record.pk))) != str(record.edit_version):
                changed.append(_describe_change(record, seen_at))
    return changed


def self_approval_forbidden(*, briefing, user):
    """True unless allowed by settings, when ``user`` made any of the changes that would be published.

    That is any revision of the briefing since its last publication (every
    one, if it was never published), and any revision since then of a source
    it cites or a partner it names: a correction of those is published too.
    """
    if settings.ASSAY_ALLOW_SELF_APPROVAL:
        return False
    live = briefing.publications.order_by("-number").first()
    own = RevisionContents.objects.filter(briefing_id=briefing.pk)
    if live is not None and live.revision_id is not None:
        own = own.filter(revision_id__gt=live.revision_id)
    types = ContentType.objects.get_for_models(Source, Partner)
    source_ids = Reference.objects.filter(briefing=briefing).values_list("source_id", flat=True)
    partner_ids = Partner.objects.filter(sections__briefing=briefing).values_list("pk", flat=True)
    shared = Version.objects.filter(
        Q(content_type=types[Source], object_id__in=[str(pk) for pk in source_ids])
        | Q(content_type=types[Partner], object_id__in=[str(pk) for pk in partner_ids])
    )
    if live is not None:
        shared = shared.filter(revision__date_created__gt=live.published_at)
    else:
        shared = shared.filter(revision__date_created__gte=briefing.created_at)
    return own.filter(revision__user=user).exists() or shared.filter(revision__user=user).exists()


def check_can_publish(
    *, briefing, user, edit_version=None, shared_seen=None, seen_at=None, operator=False, force=False
):
    """Raise ReviewError unless ``user`` may publish the locked ``briefing`` now.

    There must be something to publish (unless ``force``). For the command
    line (``operator``) only that and the permission are checked: an operator
    publishes on purpose, and the ReviewEvent says so.
    """
    if not can_review(user):
        raise ReviewError(
            "Only reviewers may publish."
            if user is not None
            else "Publishing needs a user with the publish permission (pass --user)."
        )
    if not force and not unpublished_changes(briefing):
        raise nothing_to_publish(briefing)
    if operator:
        return
    if briefing.status != Status.IN_REVIEW and not settings.ASSAY_ALLOW_UNSUBMITTED_PUBLISH:
        state = briefing.get_status_display().lower()
        raise ReviewError(
            f"“{briefing}” has not been submitted for review (it is {state}). An editor must submit it first."
        )
    if edit_version is not None and briefing.edit_version != edit_version:
        raise ReviewError(f"“{briefing}” was edited after you opened it. Compare again before approving.")
    changed = shared_changes(briefing, shared_seen, seen_at=seen_at)
    if changed:
        raise ReviewError(
            "Not published: since you opened this page, "
            + "; ".join(changed)
            + ". Read the changes, then approve again."
        )
    if self_approval_forbidden(briefing=briefing, user=user):
        raise ReviewError(
            "You made changes to this briefing (or to a source or partner it names) since it was last "
            "published; another reviewer must approve it."
        )


def latest_events(briefing, limit=5):
    return list(briefing.review_events.select_related("user")[:limit])
