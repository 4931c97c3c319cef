"""Outside readers: signed, expiring, revocable preview links to the working copy."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from briefings.models import PreviewLink
from briefings.publishing.review import ReviewError, can_review

PREVIEW_SALT = "briefings.preview"


class PreviewUnavailable(Exception):
    """A preview token that does not open anything; ``gone`` when it once did (expired, revoked)."""

    def __init__(self, message, *, gone=False):
        super().__init__(message)
        self.gone = gone


def create_preview_link(*, briefing, user, label="", days=None):
    """A new preview link for ``briefing``; returns (link, token)."""
    if not can_review(user):
        raise ReviewError("Only reviewers may create preview links.")
    days = settings.ASSAY_PREVIEW_LINK_DAYS if days is None else days
    if not 1 <= days <= settings.ASSAY_PREVIEW_LINK_MAX_DAYS:
        raise ReviewError(
            f"A preview link lasts 1 to {settings.ASSAY_PREVIEW_LINK_MAX_DAYS} days, not {days}."
        )
    with transaction.atomic():
        now = timezone.now()
        link = PreviewLink.objects.create(
            briefing=briefing,
            label=(label or "").strip(),
            created_by=user,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    return link, preview_token(link)


def preview_token(link):
    return signing.dumps({"link": link.pk, "briefing": link.briefing_id}, salt=PREVIEW_SALT)


def revoke_preview_link(*, link, user):
    if not can_review(user):
        raise ReviewError("Only reviewers may revoke preview links.")
    with transaction.atomic():
        updated = PreviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=user
        )
    link.refresh_from_db()
    return bool(updated)


def open_preview(token):
    """The live PreviewLink a token names, or PreviewUnavailable saying why not."""
    try:
        data = signing.loads(
            token, salt=PREVIEW_SALT, max_age=timedelta(days=settings.ASSAY_PREVIEW_LINK_MAX_DAYS)
        )
    except signing.SignatureExpired as error:
        raise PreviewUnavailable("This preview link has expired.", gone=True) from error
    except signing.BadSignature as error:
        raise PreviewUnavailable("This preview link is not valid. Check that it was copied whole.") from error
    link = (
        PreviewLink.objects.select_related("briefing")
        .filter(pk=data.get("link"), briefing_id=data.get("briefing"))
        .first()
    )
    if link is None:
        raise PreviewUnavailable("This preview link is not valid any more.", gone=True)
    if link.revoked_at is not None:
        raise PreviewUnavailable("This preview link has been withdrawn.", gone=True)
    if link.expires_at <= timezone.now():
        raise PreviewUnavailable("This preview link has expired.", gone=True)
    return link
