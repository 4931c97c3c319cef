"""Editing a briefing in the admin: one page, one revision, partners included, restorable."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from reversion.models import Revision, Version

from briefings.models import Briefing, Partner, Section
from sources.models import Reference, Source
from tests.briefings.history_helpers import number_of
from tests.factories import make_briefing, make_partner, make_user

pytestmark = pytest.mark.django_db


def form_data(response):
    """The POST data a browser would send back for the change form it was given."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif value is not None:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[formset.management_form.add_prefix(key)] = value
        for form in formset.forms:
            add(form)
    return data


@pytest.fixture
def briefing():
    arden, belmont = make_partner("Arden"), make_partner("Belmont")
    return make_briefing(
        title="Sample question?",
        sections=[
            ("Executive summary", "Summary claim [1]. Second claim [2]."),
            ("Arden: the lender", "Arden lends [1].", [arden.name]),
            ("Belmont: the builder", "Belmont builds [2].", [belmont.name]),
        ],
    )


def change_url(briefing):
    return reverse("admin:briefings_briefing_change", args=[briefing.pk])


def section_key(briefing, position):
    pk = briefing.sections.get(position=position).pk
    index = list(briefing.sections.order_by("position", "pk").values_list("pk", flat=True)).index(pk)
    return f"sections-{index}"


@pytest.fixture(params=["superuser", "editor"])
def editor(request, client):
    user = make_user(superuser=True) if request.param == "superuser" else make_user(group="Editors")
    client.force_login(user)
    return user


def test_one_save_is_one_revision_with_the_new_partners(client, editor, briefing):
    data = form_data(client.get(change_url(briefing)))
    key = section_key(briefing, 1)
    belmont = Partner.objects.get(name="Belmont")
    corvia = make_partner("Corvia")
    data[f"{key}-partners"] = [str(belmont.pk), str(corvia.pk)]
    data[f"{key}-body"] = "Arden lends less now [1] [2]."
    data["title"] = "Sample question, revised?"
    data["change_note"] = "Partners of section 1 corrected"
    revisions = Revision.objects.count()

    response = client.post(change_url(briefing), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert Revision.objects.count() == revisions + 1
    revision = Revision.objects.order_by("-pk").first()
    assert revision.user == editor
    assert revision.comment == "Partners of section 1 corrected"
    section = briefing.sections.get(position=1)
    assert section.body == "Arden lends less now [1] [2]."
    assert {p.name for p in section.partners.all()} == {"Belmont", "Corvia"}
    version = revision.version_set.get(
        content_type__app_label="briefings", content_type__model="section", object_id=str(section.pk)
    )
    assert sorted(version.field_dict["partners"]) == sorted([belmont.pk, corvia.pk])
    assert version.field_dict["body"] == "Arden lends less now [1] [2]."
    # The revision stores what changed: the briefing and that one section. Its contents row
    # names the rest: every section in order, and the reference list.
    models = {(v.content_type.model, v.object_id) for v in revision.version_set.all()}
    assert models == {("briefing", str(briefing.pk)), ("section", str(section.pk))}
    contents = revision.briefing_contents
    assert [sid for sid, _ in contents.sections] == list(
        briefing.sections.order_by("position").values_list("pk", flat=True)
    )
    assert sorted(map(tuple, contents.references)) == sorted(
        briefing.references.values_list("number", "source_id")
    )
    briefing.refresh_from_db()
    assert briefing.title == "Sample question, revised?"
    assert briefing.status == Briefing.Status.DRAFT


def test_a_marker_naming_no_reference_is_an_error_on_that_section_and_nothing_is_saved(
    client, editor, briefing
):
    data = form_data(client.get(change_url(briefing)))
    key = section_key(briefing, 2)
    data[f"{key}-body"] = "Belmont builds [7]."
    data["title"] = "Changed title"
    revisions = Revision.objects.count()

    response = client.post(change_url(briefing), data)

    assert response.status_code == 200
    sections_formset = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is Section
    )
    errors = [form.errors.get("body") for form in sections_formset.forms]
    assert errors[0] is None and errors[1] is None
    assert "[7] names no entry in the reference list" in errors[2][0]
    assert Revision.objects.count() == revisions
    briefing.refresh_from_db()
    assert briefing.title == "Sample question?"
    assert briefing.sections.get(position=2).body == "Belmont builds [2]."


def test_a_bad_marker_is_an_error_on_that_section(client, editor, briefing):
    data = form_data(client.get(change_url(briefing)))
    data[f"{section_key(briefing, 1)}-body"] = "Arden lends [abc]."
    response = client.post(change_url(briefing), data)
    assert response.status_code == 200
    assert "&#x27;[abc]&#x27; is not a citation" in response.content.decode()
    assert briefing.sections.get(position=1).body == "Arden lends [1]."


def test_a_reference_added_on_the_same_page_satisfies_a_new_marker(client, editor, briefing):
    data = form_data(client.get(change_url(briefing)))
    source = Source.objects.create(title="A new sample source")
    data[f"{section_key(briefing, 1)}-body"] = "Arden lends [1] [3]."
    total = int(data["references-TOTAL_FORMS"])
    data["references-TOTAL_FORMS"] = str(total + 1)
    data[f"references-{total}-number"] = "3"
    data[f"references-{total}-source"] = str(source.pk)
    data[f"references-{total}-briefing"] = str(briefing.pk)
    response = client.post(change_url(briefing), data)
    assert response.status_code == 302
    assert Reference.objects.get(briefing=briefing, number=3).source == source


def test_an_uncited_sentence_saves_with_a_warning(client, editor, briefing):
    data = form_data(client.get(change_url(briefing)))
    data[f"{section_key(briefing, 1)}-body"] = "Arden lends [1]. Nobody cites this."
    response = client.post(change_url(briefing), data)
    assert response.status_code == 302
    assert briefing.sections.get(position=1).body == "Arden lends [1]. Nobody cites this."
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert any("sentence has no citation" in w and "Nobody cites this." in w for w in warnings)


def test_sections_are_reordered_by_position(client, editor, briefing):
    data = form_data(client.get(change_url(briefing)))
    data[f"{section_key(briefing, 1)}-position"] = "2"
    data[f"{section_key(briefing, 2)}-position"] = "1"
    assert client.post(change_url(briefing), data).status_code == 302
    headings = list(briefing.sections.order_by("position").values_list("heading", flat=True))
    assert headings == ["Executive summary", "Belmont: the builder", "Arden: the lender"]


def test_history_lists_revisions(client, editor, briefing):
    data = form_data(client.get(change_url(briefing)))
    data["subject"] = "Estmark, revised"
    data["change_note"] = "A second revision"
    client.post(change_url(briefing), data)
    response = client.get(reverse("admin:briefings_briefing_history", args=[briefing.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "A second revision" in html
    assert "Created by a test" in html
    versions = Version.objects.get_for_object(briefing)
    assert versions.count() == 2
    for version in versions:
        compare = reverse("admin:briefings_briefing_compare", args=[briefing.pk])
        assert f"{compare}?from={number_of(version.revision_id)}&amp;to=working" in html


def test_restoring_an_old_revision_brings_back_text_and_partners(client, briefing):
    admin_user = make_user(superuser=True)
    client.force_login(admin_user)
    old_version = Version.objects.get_for_object(briefing).get()
    arden_section = briefing.sections.get(position=1)

    data = form_data(client.get(change_url(briefing)))
    key = section_key(briefing, 1)
    data[f"{key}-body"] = "Arden has stopped lending [2]."
    data[f"{key}-partners"] = [str(make_partner("Corvia").pk)]
    data["title"] = "A changed question?"
    assert client.post(change_url(briefing), data).status_code == 302
    arden_section.refresh_from_db()
    assert [p.name for p in arden_section.partners.all()] == ["Corvia"]
    revisions = Revision.objects.count()

    # Reversion's own revision page leads to the diff-first restore page.
    old_url = reverse("admin:briefings_briefing_revision", args=[briefing.pk, old_version.pk])
    url = reverse("admin:briefings_briefing_revert", args=[briefing.pk, number_of(old_version.revision_id)])
    assert client.get(old_url).url == url
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # The diff shows what restoring brings back.
    assert "lends" in html
    assert "stopped" in html
    # Viewing an old revision changes nothing.
    arden_section.refresh_from_db()
    assert arden_section.body == "Arden has stopped lending [2]."
    assert Revision.objects.count() == revisions

    response = client.post(url)
    assert response.status_code == 302
    briefing.refresh_from_db()
    arden_section.refresh_from_db()
    assert briefing.title == "Sample question?"
    assert arden_section.body == "Arden lends [1]."
    assert [p.name for p in arden_section.partners.all()] == ["Arden"]
    assert Revision.objects.count() == revisions + 1
    restored = Revision.objects.order_by("-pk").first()
    assert restored.comment.startswith("Restored")
    version = restored.version_set.get(content_type__model="section", object_id=str(arden_section.pk))
    assert version.field_dict["partners"] == [Partner.objects.get(name="Arden").pk]


def test_restoring_brings_back_a_deleted_section(client, briefing):
    client.force_login(make_user(superuser=True))
    old_version = Version.objects.get_for_object(briefing).get()
    data = form_data(client.get(change_url(briefing)))
    data[f"{section_key(briefing, 2)}-DELETE"] = "on"
    assert client.post(change_url(briefing), data).status_code == 302
    assert briefing.sections.count() == 2

    url = reverse("admin:briefings_briefing_revert", args=[briefing.pk, number_of(old_version.revision_id)])
    response = client.post(url)
    assert response.status_code == 302
    assert list(briefing.sections.order_by("position").values_list("heading", flat=True)) == [
        "Executive summary",
        "Arden: the lender",
        "Belmont: the builder",
    ]
    assert [p.name for p in briefing.sections.get(position=2).partners.all()] == ["Belmont"]


@pytest.mark.parametrize("model", ["source", "partner"])
def test_source_and_partner_admin_have_search_and_history(client, editor, model):
    if model == "source":
        obj = Source.objects.create(title="Findable sample source", publisher="Sample desk")
        app = "sources"
    else:
        obj = Partner.objects.create(name="Findable", slug="findable")
        app = "briefings"
    Partner.objects.get_or_create(name="Other", slug="other")
    changelist = reverse(f"admin:{app}_{model}_changelist")
    response = client.get(changelist, {"q": "findable"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [obj]
    response = client.get(reverse(f"admin:{app}_{model}_history", args=[obj.pk]))
    assert response.status_code == 200


def test_partner_autocomplete_finds_partners(client, editor):
    make_partner("Arden")
    make_partner("Belmont")
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "briefings", "model_name": "section", "field_name": "partners", "term": "bel"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Belmont"]


def test_reference_source_autocomplete_finds_sources(client, editor):
    Source.objects.create(title="Water ministry statement")
    Source.objects.create(title="Bank review")
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "sources", "model_name": "reference", "field_name": "source", "term": "ministry"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Water ministry statement"]


def test_claims_are_not_editable_in_the_admin(client, editor, briefing):
    response = client.get(change_url(briefing))
    html = response.content.decode()
    assert "claim" not in " ".join(response.context["adminform"].form.fields).lower()
    for inline in response.context["inline_admin_formsets"]:
        assert inline.formset.model in (Section, Reference)
    assert "/admin/briefings/claim/" not in html
    assert client.get("/admin/briefings/claim/").status_code == 404
    assert client.get("/admin/briefings/claimcitation/").status_code == 404
    assert client.get("/admin/briefings/publishedsection/").status_code == 404


def test_deleting_a_reference_that_is_still_cited_is_an_error_on_the_citing_section(client, editor, briefing):
    response = client.get(change_url(briefing))
    data = form_data(response)
    refs = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is Reference)
    index = next(i for i, form in enumerate(refs.forms) if form.instance.number == 2)
    data[f"references-{index}-DELETE"] = "on"
    response = client.post(change_url(briefing), data)
    assert response.status_code == 200
    assert "[2] names no entry in the reference list" in response.content.decode()
    assert briefing.references.filter(number=2).exists()


def test_a_citation_in_a_section_heading_is_an_error_on_the_heading(client, editor, briefing):
    data = form_data(client.get(change_url(briefing)))
    data[f"{section_key(briefing, 1)}-heading"] = "Arden: the lender [1]"
    response = client.post(change_url(briefing), data)
    assert response.status_code == 200
    sections_formset = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is Section
    )
    assert sections_formset.forms[1].errors["heading"] == [
        "a heading cannot carry citations; put them in the paragraph"
    ]
    assert briefing.sections.get(position=1).heading == "Arden: the lender"


def test_a_section_added_in_the_admin_goes_after_the_last_one(client, editor, briefing):
    page = client.get(change_url(briefing))
    sections = next(
        i.formset for i in page.context["inline_admin_formsets"] if i.formset.prefix == "sections"
    )
    # The blank form the "Add another" button copies leaves the position empty.
    assert sections.empty_form["position"].value() in (None, "")
    data = form_data(page)
    total = int(data["sections-TOTAL_FORMS"])
    data["sections-TOTAL_FORMS"] = str(total + 2)
    for offset, heading in enumerate(["Corvia: the patrols", "What nobody can do"]):
        data[f"sections-{total + offset}-heading"] = heading
        data[f"sections-{total + offset}-body"] = f"{heading} is cited [1]."
        data[f"sections-{total + offset}-position"] = ""
        data[f"sections-{total + offset}-briefing"] = str(briefing.pk)
    response = client.post(change_url(briefing), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    headings = list(briefing.sections.order_by("position", "pk").values_list("heading", flat=True))
    assert headings == [
        "Executive summary",
        "Arden: the lender",
        "Belmont: the builder",
        "Corvia: the patrols",
        "What nobody can do",
    ]
    assert list(briefing.sections.order_by("position").values_list("position", flat=True)) == [0, 1, 2, 3, 4]


def test_a_new_section_given_a_position_keeps_it(client, editor, briefing):
    data = form_data(client.get(change_url(briefing)))
    total = int(data["sections-TOTAL_FORMS"])
    data["sections-TOTAL_FORMS"] = str(total + 1)
    data[f"sections-{total}-heading"] = "Corvia: the patrols"
    data[f"sections-{total}-body"] = "Corvia patrols [1]."
    data[f"sections-{total}-position"] = "1"
    data[f"sections-{total}-briefing"] = str(briefing.pk)
    data[f"{section_key(briefing, 1)}-position"] = "2"
    data[f"{section_key(briefing, 2)}-position"] = "3"
    assert client.post(change_url(briefing), data).status_code == 302
    assert briefing.sections.get(position=1).heading == "Corvia: the patrols"
