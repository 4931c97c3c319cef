"""Review screens in the briefing admin, and the edit lock on its change form.

``ReviewAdminMixin`` adds to BriefingAdmin:

- ``review/``                 the queue of briefings awaiting review (reviewers);
- ``<id>/submit/``            submit the working copy for review (editors);
- ``<id>/review/``            compare, then approve and publish, or request changes (reviewers);
- ``<id>/previews/``          create and revoke outside-reader preview links (reviewers);
- on the change form, the review state with the latest comment, and the edit
  lock (briefings.edit_lock): a save that started from an older working copy
  is refused, showing who changed what, with the editor's text kept.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from briefings.admin.base import BriefingAdminBase
from briefings.admin.evidence import open_recall_count
from briefings.editing.history import NOTHING_PUBLISHED, latest_revision, publication_state, working_state
from briefings.models import Briefing, PreviewLink, Publication, ReviewEvent
from briefings.publishing import previews, recall, review
from briefings.publishing.publish import PublishError, publication_problems, publish_briefing
from briefings.text.compare import diff_states, section_label
from briefings.text.parsing import parse_body
from config.converters import INT64_MAX, bounded_int


class PublishForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(Publication.Kind.UPDATE, "Update"), (Publication.Kind.CORRECTION, "Correction")],
        help_text="A correction is marked as such in the public change log.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Public change note: what changed, in a sentence readers will understand.",
    )
    # What the reviewer saw: the working copy's edit version, the shared records it names, and when.
    edit_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    shared = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100_000)
    opened_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)


class SubmitForm(forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="For the reviewer: what changed and what to check. Not shown to readers.",
    )


class RequestChangesForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="For the editor: what must change before this can be published.",
    )


class PreviewLinkForm(forms.Form):
    label = forms.CharField(
        max_length=200, required=False, help_text="Who the link is for, e.g. 'legal reader'."
    )

    def __init__(self, *args, max_days, default_days, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"] = forms.IntegerField(
            min_value=1, max_value=max_days, initial=default_days, help_text="How many days the link works."
        )


def section_warnings(state):
    """``[(section label, heading, [warning, …])]`` for each section of a state that has warnings."""
    grouped = []
    for section in state["sections"]:
        warnings = [w.message for w in parse_body(section["body"], clean=False).warnings]
        if warnings:
            grouped.append((section_label(section["number"]), section["heading"], warnings))
    return grouped


class ReviewAdminMixin(BriefingAdminBase):
    change_list_template = "admin/briefings/briefing/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        urls = [
            path("review/", view(self.review_queue_view), name="briefings_briefing_review_queue"),
            path("<path:object_id>/submit/", view(self.submit_view), name="briefings_briefing_submit"),
            path("<path:object_id>/review/", view(self.review_view), name="briefings_briefing_review"),
            path("<path:object_id>/previews/", view(self.previews_view), name="briefings_briefing_previews"),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        briefing = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if briefing is not None:
            context.update(self._review_context(request, briefing))
        return super().change_view(request, object_id, form_url, context)

    def changelist_view(self, request, extra_context=None):
        context = {
            "review_queue_count": Briefing.objects.filter(status=Briefing.Status.IN_REVIEW).count(),
            "can_review": review.can_review(request.user),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def _review_context(self, request, briefing):
        events = review.latest_events(briefing, limit=5)
        sent_back = (
            next((e for e in events if e.kind == ReviewEvent.Kind.CHANGES_REQUESTED), None)
            if briefing.status == Briefing.Status.CHANGES_REQUESTED
            else None
        )
        return {
            "review_events": events,
            "changes_requested_event": sent_back,
            "can_submit": review.can_submit(request.user) and review.submittable(briefing),
            "open_recalls": recall.open_recalls(briefing.pk),
            "can_review": review.can_review(request.user),
        }

    # Views.

    def review_queue_view(self, request):
        """Briefings awaiting review, oldest submission first."""
        if not review.can_review(request.user):
            raise PermissionDenied
        submitted = ReviewEvent.objects.filter(
            briefing=OuterRef("pk"), kind=ReviewEvent.Kind.SUBMITTED
        ).order_by("-created_at", "-pk")
        briefings = list(
            Briefing.objects.filter(status=Briefing.Status.IN_REVIEW)
            .annotate(submission_id=Subquery(submitted.values("pk")[:1]), n_open_recalls=open_recall_count())
            .order_by("updated_at")
        )
        events = ReviewEvent.objects.select_related("user").in_bulk(
            [b.submission_id for b in briefings if b.submission_id]
        )
        rows = [{"briefing": b, "submission": events.get(b.submission_id)} for b in briefings]
        rows.sort(key=lambda row: row["submission"].created_at if row["submission"] else timezone.now())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Awaiting review",
            "rows": rows,
        }
        return TemplateResponse(request, "admin/briefings/briefing/review_queue.html", context)

    def submit_view(self, request, object_id):
        briefing = self._briefing_or_404(request, object_id)
        if not review.can_submit(request.user) or not self.has_change_permission(request, briefing):
            raise PermissionDenied
        form = SubmitForm(request.POST or None)
        error = None
        if request.method == "POST" and form.is_valid():
            try:
                review.submit_for_review(
                    briefing=briefing, user=request.user, message=form.cleaned_data["message"]
                )
            except review.ReviewError as refused:
                error = str(refused)
            else:
                messages.success(request, "Submitted for review. Reviewers will see it in their queue.")
                return redirect("admin:briefings_briefing_change", briefing.pk)
        context = self._context(
            request,
            briefing,
            f"Submit “{briefing}” for review",
            form=form,
            error=error,
            submittable=review.submittable(briefing),
        )
        return TemplateResponse(request, "admin/briefings/briefing/submit.html", context)

    def review_view(self, request, object_id):
        """Compare, then approve and publish with a public note, or send back with a comment."""
        briefing = self._briefing_or_404(request, object_id)
        if not review.can_review(request.user):
            raise PermissionDenied
        live = briefing.publications.order_by("-number").first()
        first = live is None
        open_recalls = recall.open_recalls(briefing.pk)
        action = request.POST.get("action") if request.method == "POST" else None
        publish_form = PublishForm(
            request.POST if action == "approve" else None,
            initial={
                # A recalled source is answered by a correction, which names it in the change log.
                "kind": Publication.Kind.CORRECTION if open_recalls else Publication.Kind.UPDATE,
                "edit_version": briefing.edit_version,
                "shared": review.shared_records(briefing),
                "opened_at": timezone.now(),
            },
        )
        if first:
            publish_form.fields["kind"].choices = [(Publication.Kind.FIRST, "First publication")]
        changes_form = RequestChangesForm(request.POST if action == "request_changes" else None)
        errors = []
        if action == "approve" and publish_form.is_valid():
            try:
                publication = publish_briefing(
                    briefing=briefing,
                    user=request.user,
                    note=publish_form.cleaned_data["note"],
                    kind=publish_form.cleaned_data["kind"],
                    edit_version=publish_form.cleaned_data["edit_version"],
                    shared_seen=publish_form.cleaned_data["shared"],
                    seen_at=publish_form.cleaned_data["opened_at"],
                )
            except review.ReviewError as refused:
                errors = [str(refused)]
            except PublishError as refused:
                errors = refused.problems
            else:
                messages.success(request, f"Approved and published as version {publication.number}.")
                return redirect("admin:briefings_briefing_change", briefing.pk)
        elif action == "request_changes" and changes_form.is_valid():
            try:
                review.request_changes(
                    briefing=briefing, user=request.user, comment=changes_form.cleaned_data["comment"]
                )
            except review.ReviewError as refused:
                errors = [str(refused)]
            else:
                messages.success(request, "Sent back to the editors with your comment.")
                return redirect("admin:briefings_briefing_review_queue")
        elif action not in (None, "approve", "request_changes"):
            errors = ["Unknown action."]
        submission = (
            briefing.review_events.filter(kind=ReviewEvent.Kind.SUBMITTED).select_related("user").first()
        )
        revision = latest_revision(briefing)
        working = working_state(briefing)
        context = self._context(
            request,
            briefing,
            f"Review “{briefing}”",
            publish_form=publish_form,
            changes_form=changes_form,
            errors=errors,
            problems=publication_problems(briefing),
            first=first,
            submission=submission if briefing.status == Briefing.Status.IN_REVIEW else None,
            revision=revision,
            blocked=self._why_not_publishable(briefing, request.user),
            in_review=briefing.status == Briefing.Status.IN_REVIEW,
            review_events=review.latest_events(briefing, limit=10),
            open_recalls=open_recalls,
            live=live,
            diff=diff_states(publication_state(live) if live else NOTHING_PUBLISHED, working),
            section_warnings=section_warnings(working),
        )
        return TemplateResponse(request, "admin/briefings/briefing/review.html", context)

    @staticmethod
    def _why_not_publishable(briefing, user):
        """Why approving now would be refused (the publish door's own checks), or None."""
        try:
            review.check_can_publish(briefing=briefing, user=user)
        except review.ReviewError as refused:
            return str(refused)
        return None

    def previews_view(self, request, object_id):
        """Create, list and revoke outside-reader preview links for one briefing."""
        briefing = self._briefing_or_404(request, object_id)
        if not review.can_review(request.user):
            raise PermissionDenied
        action = request.POST.get("action") if request.method == "POST" else None
        form = PreviewLinkForm(
            request.POST if action == "create" else None,
            max_days=settings.ASSAY_PREVIEW_LINK_MAX_DAYS,
            default_days=settings.ASSAY_PREVIEW_LINK_DAYS,
        )
        if action == "create" and form.is_valid():
            previews.create_preview_link(
                briefing=briefing,
                user=request.user,
                label=form.cleaned_data["label"],
                days=form.cleaned_data["days"],
            )
            messages.success(request, "Preview link created. Copy it from the list below.")
            return redirect("admin:briefings_briefing_previews", briefing.pk)
        if action == "revoke":
            link_id = bounded_int(request.POST.get("link"), INT64_MAX)
            link = PreviewLink.objects.filter(briefing=briefing, pk=link_id).first() if link_id else None
            if link is None:
                raise Http404("No such preview link for this briefing.")
            previews.revoke_preview_link(link=link, user=request.user)
            messages.success(request, "Preview link revoked; it no longer opens.")
            return redirect("admin:briefings_briefing_previews", briefing.pk)
        now = timezone.now()
        links = []
        for link in briefing.preview_links.select_related("created_by", "revoked_by"):
            url = None
            if link.is_active(now):
                url = request.build_absolute_uri(
                    reverse("briefings:preview", args=[previews.preview_token(link)])
                )
            links.append({"link": link, "url": url})
        context = self._context(request, briefing, f"Preview links for “{briefing}”", form=form, links=links)
        response = TemplateResponse(request, "admin/briefings/briefing/previews.html", context)
        response["Cache-Control"] = "private, no-store"
        return response
