"""Paste or upload a briefing in the admin: preview what changes, then apply as one revision."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from briefings.models import Briefing, Partner, RevisionContents, Section
from sources.models import Source
from tests.briefings.admin_forms import change_form_from_html
from tests.briefings.history_helpers import revise, set_body
from tests.factories import make_briefing, make_user

pytestmark = pytest.mark.django_db

NEW = """What do partners do for Estmark's water?
Executive summary
Partners fund the pipes [1]. The desk has no source for this.
1. Arden: the lender
Arden lends money [1] [2].
"""


@pytest.fixture
def editor():
    client = Client()
    client.force_login(make_user(username="edith", group="Editors"))
    return client


def import_url(briefing=None):
    if briefing is None:
        return reverse("admin:briefings_briefing_import")
    return reverse("admin:briefings_briefing_import_into", args=[briefing.pk])


def counts():
    return (
        Briefing.objects.count(),
        Section.objects.count(),
        Source.objects.count(),
        Partner.objects.count(),
        RevisionContents.objects.count(),
    )


def sample_text(arden_body):
    return f"Sample question?\nExecutive summary\nSummary claim [1].\n1. Arden: the lender\n{arden_body}\n"


def textarea(html):
    return html.split("<textarea", 1)[1].split("</textarea>", 1)[0]


def preview_then_apply(client, url, text, **fields):
    preview = client.post(url, {"text": text, "action": "preview", **fields})
    assert preview.status_code == 200
    data = change_form_from_html(preview.content.decode().split('id="content-main"')[1])
    return preview, client.post(url, {**data, "action": "apply"})


def test_a_new_briefing_is_previewed_in_full_and_nothing_is_written(editor):
    before = counts()
    response = editor.post(import_url(), {"text": NEW, "action": "preview", "subject": "Estmark"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: the new briefing" in html
    assert html.count("section added") == 2
    assert "<ins>Arden lends money" in html
    assert "2 new placeholder sources" in html
    assert "Line 3: sentence has no citation" in html
    assert counts() == before


def test_applying_a_new_briefing_creates_it_as_one_revision(editor):
    _, response = preview_then_apply(editor, import_url(), NEW, subject="Estmark")
    briefing = Briefing.objects.get(slug="what-do-partners-do-for-estmarks-water")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:briefings_briefing_change", args=[briefing.pk])
    assert briefing.subject == "Estmark"
    assert list(briefing.sections.order_by("position").values_list("heading", flat=True)) == [
        "Executive summary",
        "Arden: the lender",
    ]
    contents = RevisionContents.objects.get(briefing_id=briefing.pk)
    assert contents.kind == RevisionContents.Kind.IMPORTED
    assert contents.revision.user.username == "edith"
    page = editor.get(response["Location"]).content.decode()
    assert "Imported as revision #1" in page
    assert "Imported with a warning — line 3: sentence has no citation" in page


def test_a_malformed_text_is_an_error_naming_its_line_and_the_text_is_kept(editor):
    bad = NEW.replace("Arden lends money [1] [2].", "Arden lends money [sic] [2].")
    before = counts()
    response = editor.post(import_url(), {"text": bad, "action": "apply", "previewed": "x"})
    html = response.content.decode()
    assert "<strong>Line 5:</strong> &#x27;[sic]&#x27; is not a citation" in html
    assert "<mark>5: Arden lends money [sic] [2].</mark>" in html
    assert "Arden lends money [sic] [2]." in textarea(html)
    assert 'value="apply"' not in html  # nothing to apply until a preview succeeds
    assert counts() == before


def test_an_uploaded_file_is_previewed_and_its_text_carried_to_apply(editor):
    upload = SimpleUploadedFile("briefing.txt", ("\ufeff" + NEW).encode(), content_type="text/plain")
    response = editor.post(import_url(), {"file": upload, "action": "preview"})
    html = response.content.decode()
    assert "Preview: the new briefing" in html
    assert "Partners fund the pipes [1]." in textarea(html)
    data = change_form_from_html(html.split('id="content-main"')[1])
    assert editor.post(import_url(), {**data, "action": "apply"}).status_code == 302
    assert Briefing.objects.filter(title="What do partners do for Estmark's water?").exists()


def test_an_upload_that_is_not_utf8_names_the_line(editor):
    raw = NEW.encode().replace(b"Arden lends", b"Arden l\xe9nds")
    upload = SimpleUploadedFile("briefing.txt", raw, content_type="text/plain")
    html = editor.post(import_url(), {"file": upload, "action": "preview"}).content.decode()
    assert "Line 5 of briefing.txt is not UTF-8 text" in html
    assert not Briefing.objects.exists()


def test_importing_into_a_briefing_previews_the_diff_against_the_working_copy(editor):
    briefing = make_briefing(
        title="Sample question?",
        sections=[("Executive summary", "Summary claim [1]."), ("Arden: the lender", "Arden lends [1].")],
    )
    text = sample_text("Arden lends more [1] [2].")
    before = counts()
    preview, response = preview_then_apply(editor, import_url(briefing), text)
    html = preview.content.decode()
    assert "what changes in the working copy" in html
    assert "Arden lends <ins>more </ins>" in html
    assert "<ins>+ Arden</ins>" in html  # the heading names a partner
    assert "1 new placeholder source" in html
    # The working copy was last written by a test's write, not an import: the preview says so.
    assert "not by an import" in html
    assert response.status_code == 302
    assert Section.objects.get(briefing=briefing, position=1).body == "Arden lends more [1] [2]."
    assert RevisionContents.objects.count() == before[4] + 1
    assert Source.objects.count() == before[2] + 1


def test_apply_is_refused_if_the_working_copy_was_saved_since_the_preview(editor):
    briefing = make_briefing(
        title="Sample question?",
        sections=[("Executive summary", "Summary claim [1]."), ("Arden: the lender", "Arden lends [1].")],
    )
    text = sample_text("Arden lends more [1].")
    preview = editor.post(import_url(briefing), {"text": text, "action": "preview"})
    data = change_form_from_html(preview.content.decode().split('id="content-main"')[1])
    revise(briefing, set_body(0, "A colleague's summary [1]."), user=make_user(username="colin"))
    revisions = RevisionContents.objects.count()

    response = editor.post(import_url(briefing), {**data, "action": "apply"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not imported: colin (revision #2" in html
    assert "saved this briefing after your preview" in html
    assert RevisionContents.objects.count() == revisions
    assert Section.objects.get(briefing=briefing, position=0).body == "A colleague's summary [1]."
    # The new preview shows what applying now would do, and the text is still there.
    diff = html.split('id="import-preview"')[1]
    assert "<del>A colleague&#x27;s summary</del>" in diff, diff
    assert "Arden lends more [1]." in textarea(html)
    again = change_form_from_html(html.split('id="content-main"')[1])
    assert editor.post(import_url(briefing), {**again, "action": "apply"}).status_code == 302
    assert Section.objects.get(briefing=briefing, position=1).body == "Arden lends more [1]."


def test_apply_imports_only_the_text_that_was_previewed(editor):
    preview = editor.post(import_url(), {"text": NEW, "action": "preview"})
    data = change_form_from_html(preview.content.decode().split('id="content-main"')[1])
    data["text"] = NEW.replace("Arden lends money", "Arden gives money")
    html = editor.post(import_url(), {**data, "action": "apply"}).content.decode()
    assert "The text is not the one previewed" in html
    assert "<ins>Arden gives money" in html
    assert not Briefing.objects.exists()


def test_a_new_briefing_whose_address_is_taken_points_to_the_existing_one(editor):
    existing = make_briefing(slug="what-do-partners-do-for-estmarks-water")
    html = editor.post(import_url(), {"text": NEW, "action": "preview"}).content.decode()
    assert "A briefing already has the address /briefings/what-do-partners-do-for-estmarks-water/" in html
    assert import_url(existing) in html
    assert "Preview:" not in html


def test_imported_text_is_shown_escaped(editor):
    text = NEW.replace("Arden lends money", "Arden <script>alert(1)</script> lends money")
    html = editor.post(import_url(), {"text": text, "action": "preview"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_import_pages_need_edit_permissions(editor):
    briefing = make_briefing()
    staff = make_user()
    staff.is_staff = True
    staff.save()
    viewer = Client()
    viewer.force_login(staff)
    assert viewer.get(import_url()).status_code == 403
    assert viewer.post(import_url(briefing), {"text": NEW, "action": "apply"}).status_code == 403
    assert editor.get(import_url(briefing)).status_code == 200
    change = editor.get(reverse("admin:briefings_briefing_change", args=[briefing.pk])).content.decode()
    assert f'href="{import_url(briefing)}"' in change
    assert (
        f'href="{import_url()}"'
        in editor.get(reverse("admin:briefings_briefing_changelist")).content.decode()
    )
    assert re.search(
        "Import a briefing", editor.get(reverse("admin:briefings_briefing_changelist")).content.decode()
    )
