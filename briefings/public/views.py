"""Public briefing pages. They read publications only, never the working copy."""

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.generic import ListView

from briefings.models import (
    Briefing,
    Publication,
    PublishedPartner,
    PublishedReference,
    PublishedSection,
    RecallFlag,
    Withdrawal,
)
from briefings.public.explore import cited_segments, references_by_publication
from briefings.public.pagination import page_or_404
from briefings.public.release import release_token, released_at
from briefings.public.structured_data import page_metadata
from briefings.publishing.snapshot import build_snapshot, render_snapshot, sourcing_display
from briefings.text.parsing import split_paragraphs


def published(request, template, context, *, etag, last_modified):
    """Render an immutable public page with validators a browser or CDN can reuse."""
    return published_response(
        request, lambda: render(request, template, context), etag=etag, last_modified=last_modified
    )


def published_response(request, make_response, *, etag, last_modified):
    """Like ``published`` for any response (feeds, JSON): ``make_response`` runs only on a cache miss.

    The validators name the release as well as the content (see release.py),
    so that a deploy makes every cached copy stale once. A 304 carries the same
    validators as the 200 it stands for (RFC 9110, 15.4.5).
    """
    etag = f'"{etag}-r{release_token()}"'
    timestamp = int(max(last_modified, released_at()).timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None:
        response = make_response()
    if response.status_code in (200, 304):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(timestamp)
    patch_cache_control(response, public=True, max_age=settings.ASSAY_PUBLIC_CACHE_SECONDS)
    return response


def change_log(briefing_id):
    """Every publication of a briefing, latest first, each with ``withdrawn`` (a Withdrawal or None)."""
    log = list(
        Publication.objects.filter(briefing_id=briefing_id)
        .select_related("withdrawal")
        .order_by("-number")
        .only(
            "number",
            "kind",
            "note",
            "published_at",
            "briefing_id",
            "recalled_sources",
            "withdrawal__id",
            "withdrawal__notice",
            "withdrawal__withdrawn_at",
            "withdrawal__publication_id",
        )
    )
    for entry in log:
        entry.withdrawn = withdrawal_of(entry)
    live = {entry.number for entry in log if entry.withdrawn is None}
    for entry in log:
        # "What changed" compares with the version before, when neither was withdrawn.
        entry.compare_with = entry.number - 1 if {entry.number, entry.number - 1} <= live else None
    return log


def withdrawal_of(publication):
    """The publication's Withdrawal (briefings/publishing/takedown.py), or None."""
    try:
        return publication.withdrawal
    except Withdrawal.DoesNotExist:
        return None


def gone(request, briefing, *, withdrawn, current=None, status=410):
    """410 Gone: what was withdrawn, when and why, and where the briefing's current version is."""
    response = render(
        request,
        "briefings/withdrawn.html",
        {"briefing": briefing, "withdrawn": withdrawn, "current": current},
        status=status,
    )
    patch_cache_control(response, public=True, max_age=settings.ASSAY_PUBLIC_CACHE_SECONDS)
    return response


class BriefingListView(ListView):
    """The home page: every published briefing, most recently updated first."""

    template_name = "briefings/briefing_list.html"
    context_object_name = "publications"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        # Like every public page: a CDN may keep it for ASSAY_PUBLIC_CACHE_SECONDS.
        response = super().get(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=settings.ASSAY_PUBLIC_CACHE_SECONDS)
        return response

    def get_queryset(self):
        return (
            Publication.objects.current().with_partners().select_related("briefing").order_by("-published_at")
        )


def briefing_detail(request, slug):
    """The latest live publication of a briefing; staff who may view briefings preview one never published."""
    publication = (
        with_recall_flag(Publication.objects.live())
        .select_related("briefing")
        .filter(briefing__slug=slug)
        .order_by("-number")
        .first()
    )
    if publication is None:
        withdrawn = list(
            Withdrawal.objects.filter(publication__briefing__slug=slug)
            .select_related("publication__briefing")
            .order_by("-publication__number")
        )
        if withdrawn:
            # Every publication was withdrawn: the address stays, saying so.
            return gone(request, withdrawn[0].publication.briefing, withdrawn=withdrawn)
        return draft_preview(request, slug)
    return publication_page(request, publication)


def publication_detail(request, slug, number):
    """The permanent page of publication ``number``."""
    publication = get_object_or_404(
        with_recall_flag(Publication.objects.select_related("briefing", "withdrawal")),
        briefing__slug=slug,
        number=number,
    )
    withdrawn = withdrawal_of(publication)
    if withdrawn is not None:
        current = Publication.objects.current().filter(briefing_id=publication.briefing_id).first()
        return gone(request, publication.briefing, withdrawn=[withdrawn], current=current)
    return publication_page(request, publication)


def with_recall_flag(publications):
    """Annotate ``open_recalls``: the briefing cites a recalled source and awaits a correction."""
    return publications.annotate(
        open_recalls=Exists(RecallFlag.objects.open().filter(briefing_id=OuterRef("briefing_id")))
    )


def recall_notices(publication):
    """Entries of the current publication's reference list whose source was recalled since: one query.

    Shown until a correction is published (briefings/publishing/recall.py); details as published,
    the recall as it stands.
    """
    return list(
        PublishedReference.objects.filter(
            publication=publication,
            source__recall_flags__briefing_id=publication.briefing_id,
            source__recall_flags__resolved_at__isnull=True,
        )
        .select_related("source", "publication")
        .only(
            "number",
            "title",
            "details_pending",
            "publication__title",
            "source_id",
            "source__recall",
            "source__recall_reason",
            "source__recalled_at",
        )
        .order_by("number")
    )


def publication_page(request, publication):
    log = change_log(publication.briefing_id)
    latest = next(entry for entry in log if entry.withdrawn is None)
    withdrawals = [entry.withdrawn for entry in log if entry.withdrawn is not None]
    is_latest = latest.number == publication.number
    # One more query only for a briefing awaiting a correction.
    recalled = recall_notices(publication) if is_latest and publication.open_recalls else []
    # A withdrawal changes every version's change log: the validators name them too.
    etag = f"pub-{publication.pk}-of-{latest.number}" + (f"-w{len(withdrawals)}" if withdrawals else "")
    last_modified = max([latest.published_at, *(w.withdrawn_at for w in withdrawals)])
    if recalled:
        # The notice is part of the page: a browser or CDN holding the page without it must refetch.
        etag += "-recall-" + ".".join(str(ref.source_id) for ref in recalled)
        last_modified = max(last_modified, *(ref.source.recalled_at for ref in recalled))
    context = {
        "publication": publication,
        "briefing": publication.briefing,
        "article": publication.rendered_html,
        "snapshot": publication.snapshot,
        "sourcing": sourcing_display(publication.snapshot),
        "change_log": log,
        "first_published": log[-1].published_at,
        "latest": latest,
        "is_latest": is_latest,
        "recalled": recalled,
    }
    live_log = [entry for entry in log if entry.withdrawn is None]
    context.update(page_metadata(request, publication, live_log, is_latest=is_latest))
    return published(
        request, "briefings/briefing_detail.html", context, etag=etag, last_modified=last_modified
    )


def draft_preview(request, slug):
    # Staff status alone only opens the admin; reading drafts takes the permission.
    if not (request.user.is_staff and request.user.has_perm("briefings.view_briefing")):
        raise Http404("No published briefing at this address.")
    briefing = get_object_or_404(Briefing, slug=slug)
    snapshot = build_snapshot(briefing)
    response = render(
        request,
        "briefings/briefing_detail.html",
        {
            "briefing": briefing,
            "article": render_snapshot(snapshot),
            "snapshot": snapshot,
            "sourcing": sourcing_display(snapshot),
            "is_draft": True,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, no_store=True)
    return response


# Whole sections with their text: ten keep a page of long sections near 70 KB and its
# rendering (most of its cost at 10,000 sections) under 50 ms.
PARTNER_PAGE_SIZE = 10


def partner_detail(request, slug):
    """Every section of a current publication that concerns this partner, with its text.

    The partner's name, slug and description are those last published
    (PublishedPartner), never the live row. A slug an older current
    publication still links to redirects (302) to the one last published.
    """
    latest = PublishedPartner.objects.latest_per_partner().order_by("-publication__published_at", "-pk")
    partner = latest.filter(slug=slug).first()
    if partner is None:
        # A partner only a draft names has no published copy: not public yet.
        older = PublishedPartner.objects.filter(slug=slug).order_by("-publication__published_at", "-pk")
        partner = get_object_or_404(latest, partner_id__in=older.values("partner_id")[:1])
        # Temporary: the latest publication wins, and a later one may bring the old slug back.
        return redirect(partner)
    # The page is chosen on narrow rows (ids, sorted by title), then only its sections are read
    # whole: sorting a partner's thousands of sections with their bodies costs far more.
    # The count reads the partner's index in the partners table alone.
    naming = PublishedSection.partners.through.objects.filter(partner_id=partner.partner_id)
    ids = (
        PublishedSection.objects.filter(pk__in=naming.values("publishedsection_id"))
        .order_by("publication__title", "publication_id", "number")
        .values_list("pk", flat=True)
    )
    page = page_or_404(request, ids, PARTNER_PAGE_SIZE, count=naming.count)
    if not page.object_list:
        raise Http404("No published briefing concerns this partner.")
    rows = (
        PublishedSection.objects.filter(pk__in=list(page.object_list))
        .select_related("briefing", "publication")
        .defer("publication__snapshot", "publication__rendered_html", "search_vector")
        .in_bulk()
    )
    sections = [rows[pk] for pk in page.object_list]
    table = references_by_publication(section.publication_id for section in sections)
    for section in sections:
        section.paragraphs = [
            cited_segments(
                paragraph,
                references=table.get(section.publication_id, {}),
                prefix=f"section-{section.pk}-{index}",
            )
            for index, paragraph in enumerate(split_paragraphs(section.body), 1)
        ]
    context = {
        "partner": partner,
        "sections": sections,
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
    }
    response = render(request, "briefings/partner_detail.html", context)
    patch_cache_control(response, public=True, max_age=settings.ASSAY_PUBLIC_CACHE_SECONDS)
    return response
