"""Atom feeds of publications: one for the whole site and one per briefing.

Each entry is one publication (first, update or correction) with its public
note, linking to the publication's permanent page. Feeds read publications
only, never the working copy.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Count, Max
from django.http import Http404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from briefings.models import Publication
from briefings.public.views import published_response

# The site feed's length; a briefing's own feed lists all its publications.
FEED_LENGTH = 50


class PublicationFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return f"{settings.ASSAY_SITE_NAME}: new and updated briefings"

    def subtitle(self):
        return "Every publication, update and correction, with its public note."

    def link(self):
        return reverse("briefings:briefing-list")

    def feed_url(self):
        return reverse("briefings:feed")

    def author_name(self):
        return settings.ASSAY_SITE_NAME

    def publications(self):
        # Withdrawn publications leave the feeds (briefings/publishing/takedown.py).
        return Publication.objects.live().select_related("briefing").defer("rendered_html", "snapshot")

    def items(self):
        return self.publications().order_by("-published_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        return f"{item.title} — {item.get_kind_display()} (version {item.number})"

    def item_description(self, item):
        # Atom summaries are typed "html": the note must arrive as escaped HTML,
        # or a reader would render markup an editor typed.
        if not item.log_note:
            return format_html("<p><strong>{}</strong></p>", item.get_kind_display())
        return format_html("<p><strong>{}</strong>: {}</p>", item.get_kind_display(), item.log_note)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_categories(self, item):
        return (item.kind,)

    def item_author_name(self, item):
        return settings.ASSAY_SITE_NAME


class BriefingPublicationFeed(PublicationFeed):
    def get_object(self, request, slug):
        latest = self.publications().filter(briefing__slug=slug).order_by("-number").first()
        if latest is None:
            raise Http404("No published briefing at this address.")
        return latest

    def title(self, obj):
        return f"{obj.title}: publications and corrections"

    def subtitle(self, obj):
        return f"Every version of “{obj.title}” published on {settings.ASSAY_SITE_NAME}, with its note."

    def link(self, obj):
        return reverse("briefings:briefing-detail", kwargs={"slug": obj.briefing.slug})

    def feed_url(self, obj):
        return reverse("briefings:briefing-feed", kwargs={"slug": obj.briefing.slug})

    def items(self, obj):
        # Every publication: one briefing has few, and its feed is its whole change log.
        return self.publications().filter(briefing_id=obj.briefing_id).order_by("-number")


def site_feed(request):
    stats = Publication.objects.live().aggregate(count=Count("pk"), last=Max("pk"), at=Max("published_at"))
    if not stats["count"]:
        response = PublicationFeed()(request)
        patch_cache_control(response, public=True, max_age=settings.ASSAY_PUBLIC_CACHE_SECONDS)
        return response
    return published_response(
        request,
        lambda: PublicationFeed()(request),
        etag=f"feed-{stats['count']}-{stats['last']}",
        last_modified=stats["at"],
    )


def briefing_feed(request, slug):
    latest = Publication.objects.live().filter(briefing__slug=slug)
    latest = latest.order_by("-number").only("pk", "published_at")
    latest = latest.first()
    if latest is None:
        raise Http404("No published briefing at this address.")
    return published_response(
        request,
        lambda: BriefingPublicationFeed()(request, slug=slug),
        etag=f"feed-{slug}-{latest.pk}",
        last_modified=latest.published_at,
    )
