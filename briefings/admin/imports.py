"""Paste or upload a briefing in the import format (docs/import-format.md), preview, then apply.

``ImportAdminMixin`` adds to BriefingAdmin:

- ``import/``        a new briefing from a pasted or uploaded text;
- ``<id>/import/``   the same into an existing briefing's working copy.

*Preview* parses the text (a malformed text is an error naming its line) and
shows what applying would change: the citation-aware diff against the working
copy, or the whole draft for a new briefing. The preview runs the real import
inside a transaction that is rolled back, so what it shows is what applying
writes, and it writes nothing. *Apply* imports the same text as one revision
through ``import_briefing`` (and so the one write path); it is refused if the
text is not the one previewed, or if the working copy was saved since the
preview (the edit lock), and the editor's text stays in the form.
"""

import hashlib

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import FileExtensionValidator
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import dateformat
from django.utils.text import slugify
from django.utils.timezone import template_localtime

from briefings.admin.base import BriefingAdminBase
from briefings.editing.history import NOTHING_PUBLISHED, latest_contents, working_state
from briefings.editing.lock import lock_briefing
from briefings.editing.working_copy import import_briefing
from briefings.models import Briefing, RevisionContents
from briefings.text.compare import diff_states
from briefings.text.parsing import FormatError, parse_document
from config.converters import bounded_int

MAX_IMPORT_BYTES = 2 * 1024 * 1024
SLUG_MAX = Briefing._meta.get_field("slug").max_length


class ImportForm(forms.Form):
    text = forms.CharField(
        label="Text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100, "spellcheck": "false"}),
        help_text="The briefing in the import format: its question on the first line, then "
        "“Executive summary”, then numbered sections (1. Heading), each with [n] citations.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        validators=[FileExtensionValidator(["txt"], "Upload a .txt file (UTF-8 text).")],
        help_text="A UTF-8 .txt file in the same format, at most 2 MB. It replaces the text above.",
    )

    def __init__(self, *args, new=False, **kwargs):
        super().__init__(*args, **kwargs)
        if new:
            self.fields["slug"] = forms.SlugField(
                required=False,
                max_length=SLUG_MAX,
                help_text="The briefing's address, /briefings/<slug>/. Leave empty to make it from "
                "the title.",
            )
            self.fields["subject"] = forms.CharField(
                required=False,
                max_length=Briefing._meta.get_field("subject").max_length,
                help_text="What the briefing is about, e.g. a country.",
            )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_IMPORT_BYTES:
                raise forms.ValidationError("The file is larger than 2 MB; nothing was imported.")
            raw = upload.read()
            try:
                cleaned["text"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                line = raw[: error.start].count(b"\n") + 1
                raise forms.ValidationError(
                    f"Line {line} of {upload.name} is not UTF-8 text (byte {error.start}). "
                    "Save the file as UTF-8 and upload it again."
                ) from error
        if not (cleaned.get("text") or "").strip():
            raise forms.ValidationError("Paste the briefing's text or choose a file to upload.")
        return cleaned


def digest(text):
    """Names the exact text a preview showed, so that applying imports that text and no other."""
    return hashlib.sha256(text.encode()).hexdigest()


class _Rollback(Exception):
    pass


def preview_import(*, document, slug, subject, user):
    """``(result, state)``: what importing ``document`` would write, computed and rolled back."""
    outcome = {}
    try:
        with transaction.atomic():
            result = import_briefing(document=document, slug=slug, subject=subject, user=user, force=True)
            outcome["result"], outcome["state"] = result, working_state(result.briefing)
            raise _Rollback
    except _Rollback:
        pass
    return outcome["result"], outcome["state"]


class Stale(Exception):
    """The working copy was saved since the preview."""


def excerpt(text, line, around=2):
    """``[(number, text, is_the_line)]`` for the lines around ``line``, to show where an error is."""
    lines = text.splitlines()
    first, last = max(1, line - around), min(len(lines), line + around)
    return [(n, lines[n - 1], n == line) for n in range(first, last + 1)]


class ImportAdminMixin(BriefingAdminBase):
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="briefings_briefing_import"),
            path("<path:object_id>/import/", view(self.import_view), name="briefings_briefing_import_into"),
        ] + super().get_urls()

    def import_view(self, request, object_id=None):
        briefing = self._briefing_or_404(request, object_id) if object_id is not None else None
        allowed = (
            self.has_change_permission(request, briefing) if briefing else self.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        new = briefing is None
        form = ImportForm(request.POST or None, request.FILES or None, new=new)
        action = request.POST.get("action")
        context = {"form": form, "new": new}
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["text"]
            try:
                document = parse_document(text)
            except FormatError as error:
                context.update(format_error=error, excerpt=excerpt(text, error.line))
            else:
                response = self._preview_or_apply(request, briefing, form, document, text, action, context)
                if response is not None:
                    return response
            # The text stays in the form, whether it was pasted or uploaded.
            data = request.POST.copy()
            data["text"] = text
            form = ImportForm(data, new=new)
            form.is_valid()
            context["form"] = form
        title = f"Import text into “{briefing}”" if briefing else "Import a new briefing"
        response = TemplateResponse(
            request,
            "admin/briefings/briefing/import.html",
            self._context(request, briefing, title, **context),
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def _preview_or_apply(self, request, briefing, form, document, text, action, context):
        if briefing is not None:
            slug, subject = briefing.slug, None
        else:
            slug = form.cleaned_data["slug"] or slugify(document.title)[:SLUG_MAX]
            subject = form.cleaned_data.get("subject", "")
            if not slug:
                context["refusal"] = (
                    "The title gives no usable address (slugs are ASCII letters, numbers and hyphens): "
                    "give a slug."
                )
                return None
            taken = Briefing.objects.filter(slug=slug).first()
            if taken is not None:
                context["taken"] = taken
                context["refusal"] = (
                    f"A briefing already has the address /briefings/{slug}/. Import into it from its own "
                    "page, or give another slug."
                )
                return None
        if action == "apply":
            response = self._apply(request, briefing, document, text, slug, subject, context)
            if response is not None or not context.get("stale"):
                return response
        try:
            context.update(self._preview(request, briefing, document, text, slug, subject))
        except FormatError as error:
            # What the models refuse (an over-long heading, …), located by the importer.
            context.update(format_error=error, excerpt=excerpt(text, error.line))
        return None

    def _preview(self, request, briefing, document, text, slug, subject):
        result, state = preview_import(document=document, slug=slug, subject=subject, user=request.user)
        before = working_state(briefing) if briefing else NOTHING_PUBLISHED
        latest = latest_contents(briefing.pk) if briefing else None
        return {
            "preview": result,
            "diff": diff_states(before, state),
            "previewed": digest(text),
            "base_edit_version": briefing.edit_version if briefing else "",
            "replaces": latest if latest and latest.kind != RevisionContents.Kind.IMPORTED else None,
            "document": document,
        }

    def _apply(self, request, briefing, document, text, slug, subject, context):
        """Import as one revision and go to the briefing; None (with the reason in context) if refused."""
        if request.POST.get("previewed") != digest(text):
            context["refusal"] = "The text is not the one previewed. Check the preview below, then apply."
            context["stale"] = True
            return None
        base = bounded_int(request.POST.get("base_edit_version") or "")
        try:
            with transaction.atomic():
                if briefing is not None:
                    locked = lock_briefing(briefing.pk)
                    if base is None or locked.edit_version != base:
                        raise Stale(locked)
                elif Briefing.objects.filter(slug=slug).exists():
                    raise Stale(None)
                result = import_briefing(
                    document=document, slug=slug, subject=subject, user=request.user, force=True
                )
        except Stale as stale:
            context["refusal"] = self._stale_message(stale.args[0], slug)
            context["stale"] = True
            return None
        except FormatError as error:
            context.update(format_error=error, excerpt=excerpt(text, error.line))
            context["refusal"] = "Nothing was imported."
            return None
        except IntegrityError:
            context["refusal"] = (
                f"Another briefing took the address /briefings/{slug}/ meanwhile. Nothing was imported."
            )
            return None
        if not result.changed:
            messages.info(
                request, "The text matches the working copy: nothing changed, no revision was written."
            )
        else:
            number = (
                RevisionContents.objects.filter(revision=result.revision)
                .values_list("number", flat=True)
                .first()
            )
            created = result.references_created
            messages.success(
                request,
                f"Imported as revision #{number}: {result.sections - 1} sections and the executive summary, "
                f"{created} new placeholder source{'' if created == 1 else 's'}.",
            )
            for warning in result.warnings[:20]:
                messages.warning(request, f"Imported with a warning — {warning}")
            if len(result.warnings) > 20:
                messages.warning(request, f"… and {len(result.warnings) - 20} more warnings.")
        return redirect("admin:briefings_briefing_change", result.briefing.pk)

    @staticmethod
    def _stale_message(current, slug):
        if current is None:
            return (
                f"Not imported: a briefing with the address /briefings/{slug}/ was created after your "
                "preview. Import into it from its own page, or give another slug."
            )
        latest = latest_contents(current.pk)
        who = "Someone"
        if latest is not None:
            name = latest.revision.user.get_username() if latest.revision.user else "an unknown user"
            when = dateformat.format(template_localtime(latest.revision.date_created), "j M Y, H:i:s")
            who = f"{name} (revision #{latest.number}, {when})"
        return (
            f"Not imported: {who} saved this briefing after your preview. The preview below now shows "
            "what the import would change; check it, then apply again. Your text is kept."
        )
