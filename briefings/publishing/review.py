"""Review before publishing: submit, request changes, approve and publish.

``Briefing.status`` is the current state; every step is also a ReviewEvent
row (who, when, their words, the revision concerned), so the history of a
review survives the state moving on:

    draft ──submit──▶ in_review ──approve──▶ published
      ▲   ◀─changes requested─┘                 │
      └──────────── any content edit ◀──────────┘

Whether there is anything to submit or approve is not read from the status
but from the text: the working copy, as readers would see it, against the
live publication (``unpublished_changes``). Sources and partners are shared
rows that change without touching any briefing's status, and a corrected
source must still reach readers through review.

Editors (change_briefing) may submit; reviewers (publish_briefing) may
request changes and approve. An approval publishes through
``services.publish_briefing`` in the same transaction. Review steps change
the state only, never the content, so they do not raise ``edit_version``.

With ``settings.ASSAY_FORBID_SELF_APPROVAL`` a reviewer may not approve when
they made any change that approving would publish (``self_approval_forbidden``);
this binds superusers too.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from reversion.models import Version

from briefings.editing.history import latest_revision, publication_state, working_state
from briefings.models import Briefing, Partner, ReviewEvent
from briefings.publishing.publish import publish_briefing
from briefings.text.compare import diff_states
from sources.models import Reference, Source

Status = Briefing.Status


class ReviewError(Exception):
    """A review step is not allowed now; the message says why, for the person who tried."""


def unpublished_changes(briefing):
    """True when publishing now would show readers something they do not see yet."""
    live = briefing.publications.order_by("-number").first()
    if live is None:
        return True
    return diff_states(publication_state(live), working_state(briefing)).changed


def submittable(briefing):
    return briefing.status != Status.IN_REVIEW and unpublished_changes(briefing)


def _nothing_to_publish(briefing):
    return ReviewError(f"“{briefing}” has no changes since its last publication.")


def can_submit(user):
    return user.is_active and user.has_perm("briefings.change_briefing")


def can_review(user):
    return user.is_active and user.has_perm("briefings.publish_briefing")


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
            raise _nothing_to_publish(briefing)
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


def self_approval_forbidden(*, briefing, user):
    """True when the setting is on and ``user`` made any of the changes that would be published.

    That is any revision of the briefing since its last publication (every
    one, if it was never published), and any revision since then of a source
    it cites or a partner it names: a correction of those is published too.
    """
    if not settings.ASSAY_FORBID_SELF_APPROVAL:
        return False
    live = briefing.publications.order_by("-number").first()
    own = Version.objects.get_for_object(briefing)
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


def approve_and_publish(*, briefing, user, note, kind=None, edit_version=None):
    """Approve the working copy and publish it as the next publication.

    ``edit_version`` is the value the reviewer saw; if the working copy has
    been edited since, the approval is refused rather than publishing text
    the reviewer has not read. Raises ReviewError or services.PublishError.
    """
    if not can_review(user):
        raise ReviewError("Only reviewers may approve and publish.")
    with transaction.atomic():
        briefing = _locked(briefing)
        if not unpublished_changes(briefing):
            raise _nothing_to_publish(briefing)
        if edit_version is not None and briefing.edit_version != edit_version:
            raise ReviewError(f"“{briefing}” was edited after you opened it. Compare again before approving.")
        if self_approval_forbidden(briefing=briefing, user=user):
            raise ReviewError(
                "You made changes to this briefing since it was last published; "
                "another reviewer must approve it."
            )
        revision = latest_revision(briefing)
        publication = publish_briefing(briefing=briefing, user=user, note=note, kind=kind)
        ReviewEvent.objects.create(
            briefing=briefing,
            kind=ReviewEvent.Kind.APPROVED,
            user=user,
            message=publication.note,
            revision=revision,
            publication=publication,
        )
    return publication


def latest_events(briefing, limit=5):
    return list(briefing.review_events.select_related("user")[:limit])
