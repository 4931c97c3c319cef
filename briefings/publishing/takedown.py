"""Taking a publication down for legal reasons: recorded, never deleted.

``withdraw_publication`` is the one way a publication stops being public.
It writes a ``Withdrawal`` (who, when, the public notice, the internal
reason) and leaves the publication itself untouched: the record of what was
published, and withdrawn, is kept. From then on:

- its permalink, its JSON and any comparison with it answer 410 Gone with
  the notice (briefings/public/views.py, exports.py, compare.py);
- the change log lists it as withdrawn, with the notice, without its note
  or a link;
- the briefing's page shows the latest publication not withdrawn; if every
  one is, the page is a 410 too;
- if it was the briefing's current publication, the derived rows (partner
  pages, source pages, claims, search) are rebuilt from the one before it,
  or removed when there is none; feeds, lists and the sitemap drop it.

Withdrawals cannot be undone through the application: publishing again is
the way back, as a new, numbered publication with its own note.
"""

from django.db import transaction

from briefings.models import (
    Briefing,
    Publication,
    PublishedPartner,
    PublishedReference,
    PublishedSection,
    Withdrawal,
)
from briefings.publishing import generation
from briefings.publishing.publish import rebuild_derived


class TakedownError(Exception):
    """The withdrawal was refused; the message says why. Nothing was written."""


def can_withdraw(user):
    return bool(user and user.is_active and user.has_perm("briefings.withdraw_publication"))


def withdraw_publication(*, publication, user, notice, reason=""):
    """Withdraw ``publication`` with a public ``notice``; return the Withdrawal. One transaction."""
    notice = (notice or "").strip()
    if not notice:
        raise TakedownError("A public notice is required: readers are told why the page is gone.")
    if not can_withdraw(user):
        raise TakedownError("Only reviewers (the 'Can withdraw a publication' permission) may withdraw.")
    with transaction.atomic():
        # The briefing's row lock orders this against publishing, as publish_briefing takes it too.
        Briefing.objects.select_for_update().get(pk=publication.briefing_id)
        publication = Publication.objects.select_related("briefing").get(pk=publication.pk)
        if Withdrawal.objects.filter(publication=publication).exists():
            raise TakedownError(f"Version {publication.number} is already withdrawn.")
        current = Publication.objects.filter(briefing_id=publication.briefing_id).current().first()
        withdrawal = Withdrawal.objects.create(
            publication=publication, notice=notice, reason=(reason or "").strip(), withdrawn_by=user
        )
        if current is not None and current.pk == publication.pk:
            previous = Publication.objects.filter(briefing_id=publication.briefing_id).current().first()
            if previous is not None:
                rebuild_derived(previous)
            else:
                clear_derived(publication.briefing_id)
        # Every public page that showed it is cached: empty the page cache.
        generation.advance_on_commit()
    return withdrawal


def clear_derived(briefing_id):
    """Remove a briefing's derived rows: it has no live publication left."""
    PublishedSection.objects.filter(briefing=briefing_id).delete()  # claims and citations cascade
    PublishedReference.objects.filter(briefing=briefing_id).delete()
    old = PublishedPartner.objects.filter(briefing=briefing_id)
    partner_ids = set(old.values_list("partner_id", flat=True))
    old.delete()
    # A partner this briefing named falls back to its newest copy in another briefing.
    for partner_id in partner_ids:
        newest = (
            PublishedPartner.objects.filter(partner_id=partner_id)
            .order_by("-publication__published_at", "-pk")
            .first()
        )
        if newest is not None:
            PublishedPartner.objects.filter(pk=newest.pk).update(is_latest=True)
