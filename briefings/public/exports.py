"""JSON export of publications: the snapshot (see docs/snapshot-schema.md) with its metadata.

``/briefings/<slug>.json`` is the current publication; ``/briefings/<slug>/v<N>.json``
is publication N and never changes. The envelope is documented in docs/publication-export.md.
"""

from django.http import Http404, JsonResponse
from django.urls import reverse

from briefings.models import Publication, Withdrawal
from briefings.public.views import published_response, withdrawal_of

EXPORT_SCHEMA_ID = "https://assay.example/schemas/publication-export/v1"


def export_data(request, publication):
    slug = publication.briefing.slug
    kwargs = {"slug": slug, "number": publication.number}
    return {
        "schema": EXPORT_SCHEMA_ID,
        "publication": {
            "briefing": slug,
            "number": publication.number,
            "kind": publication.kind,
            "note": publication.note,
            "published_at": publication.published_at.isoformat(),
            "url": request.build_absolute_uri(reverse("briefings:publication-detail", kwargs=kwargs)),
            "json_url": request.build_absolute_uri(reverse("briefings:publication-json", kwargs=kwargs)),
            "current_url": request.build_absolute_uri(
                reverse("briefings:briefing-detail", kwargs={"slug": slug})
            ),
        },
        "snapshot": publication.snapshot,
    }


def publication_json(request, slug, number=None):
    publications = Publication.objects.select_related("briefing", "withdrawal").defer("rendered_html")
    publications = publications.filter(briefing__slug=slug)
    if number is None:
        publication = publications.live().order_by("-number").first()
        if publication is None:
            latest = Withdrawal.objects.filter(publication__briefing__slug=slug).order_by(
                "-publication__number"
            )
            if latest.exists():
                return withdrawn_json(latest.select_related("publication__briefing").first())
    else:
        publication = publications.filter(number=number).first()
    if publication is None:
        raise Http404("No such publication.")
    if (withdrawal := withdrawal_of(publication)) is not None:
        return withdrawn_json(withdrawal)

    def make_response():
        response = JsonResponse(
            export_data(request, publication), json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
        # Published data is meant to be reused, including by scripts on other sites.
        response["Access-Control-Allow-Origin"] = "*"
        response["Content-Disposition"] = f'inline; filename="{slug}-v{publication.number}.json"'
        return response

    return published_response(
        request, make_response, etag=f"json-{publication.pk}", last_modified=publication.published_at
    )


def withdrawn_json(withdrawal):
    """410 Gone, with the public notice: the publication was withdrawn (briefings/publishing/takedown.py)."""
    publication = withdrawal.publication
    response = JsonResponse(
        {
            "schema": EXPORT_SCHEMA_ID,
            "withdrawn": {
                "briefing": publication.briefing.slug,
                "number": publication.number,
                "withdrawn_at": withdrawal.withdrawn_at.isoformat(),
                "notice": withdrawal.notice,
            },
        },
        status=410,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
