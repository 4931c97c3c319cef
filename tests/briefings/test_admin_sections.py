"""Sections on the briefing page: move up / move down without saving, warnings beside each section,
and an error summary that links to each error."""

import re

import pytest
from django.urls import reverse

from briefings.models import Briefing, RevisionContents, Section
from tests.briefings.admin_forms import change_form_from_html
from tests.factories import make_briefing, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    client.force_login(make_user(group="Editors"))
    return client


@pytest.fixture
def briefing():
    return make_briefing(
        title="Sample question?",
        sections=[
            ("Executive summary", "Summary claim [1]. Second claim [2]."),
            ("Arden: the lender", "Arden lends [1]."),
            ("Belmont: the builder", "Belmont builds [2]."),
        ],
    )


def change_url(briefing):
    return reverse("admin:briefings_briefing_change", args=[briefing.pk])


def headings_in_order(html):
    return re.findall(r'name="sections-\d+-heading"[^>]*value="([^"]*)"', html)


def index_of(data, heading):
    return next(
        key.split("-")[1] for key, value in data.items() if key.endswith("-heading") and value == heading
    )


def saved_order(briefing):
    return list(
        Section.objects.filter(briefing=briefing).order_by("position").values_list("heading", flat=True)
    )


def revisions(briefing):
    return RevisionContents.objects.filter(briefing_id=briefing.pk).count()


def test_moving_a_section_up_keeps_every_unsaved_edit_and_saves_nothing(editor, briefing):
    data = change_form_from_html(editor.get(change_url(briefing)).content.decode())
    belmont = index_of(data, "Belmont: the builder")
    data[f"sections-{belmont}-body"] = "Belmont builds more now [2]."
    data["title"] = "Sample question, edited?"
    before = revisions(briefing)

    response = editor.post(change_url(briefing), {**data, "_move": f"sections-{belmont}:up"})

    assert response.status_code == 200
    html = response.content.decode()
    assert headings_in_order(html) == ["Executive summary", "Belmont: the builder", "Arden: the lender"]
    assert "Belmont builds more now [2]." in html
    assert 'value="Sample question, edited?"' in html
    assert "Moved “Belmont: the builder” to section 1. Nothing is saved until you press Save." in html
    # Nothing was written.
    assert saved_order(briefing) == ["Executive summary", "Arden: the lender", "Belmont: the builder"]
    assert Briefing.objects.get(pk=briefing.pk).title == "Sample question?"
    assert revisions(briefing) == before

    # Saving the form as it came back writes the new order and the edits, as one revision.
    again = change_form_from_html(html)
    response = editor.post(change_url(briefing), {**again, "_save": "Save"})
    assert response.status_code == 302
    assert saved_order(briefing) == ["Executive summary", "Belmont: the builder", "Arden: the lender"]
    assert Section.objects.get(briefing=briefing, heading="Belmont: the builder").body == (
        "Belmont builds more now [2]."
    )
    assert Briefing.objects.get(pk=briefing.pk).title == "Sample question, edited?"
    assert revisions(briefing) == before + 1


def test_moving_down_and_back_up_restores_the_order(editor, briefing):
    data = change_form_from_html(editor.get(change_url(briefing)).content.decode())
    arden = index_of(data, "Arden: the lender")
    html = editor.post(change_url(briefing), {**data, "_move": f"sections-{arden}:down"}).content.decode()
    assert headings_in_order(html) == ["Executive summary", "Belmont: the builder", "Arden: the lender"]
    data = change_form_from_html(html)
    arden = index_of(data, "Arden: the lender")
    html = editor.post(change_url(briefing), {**data, "_move": f"sections-{arden}:up"}).content.decode()
    assert headings_in_order(html) == ["Executive summary", "Arden: the lender", "Belmont: the builder"]


def test_the_summary_has_no_move_buttons_and_nothing_moves_above_it(editor, briefing):
    html = editor.get(change_url(briefing)).content.decode()
    buttons = re.findall(r'name="_move" value="([^"]+)"', html)
    assert buttons == ["sections-1:down", "sections-2:up"]

    data = change_form_from_html(html)
    for button, message in [
        ("sections-1:up", "cannot move above the executive summary"),
        ("sections-0:down", "The executive summary stays first; it cannot be moved."),
        ("sections-2:down", "is already the last section"),
        ("sections-99:up", "does not name a section on this page"),
    ]:
        response = editor.post(change_url(briefing), {**data, "_move": button})
        html = response.content.decode()
        assert message in html, button
        assert "Nothing was moved." in html
        assert headings_in_order(html) == ["Executive summary", "Arden: the lender", "Belmont: the builder"]
    assert saved_order(briefing) == ["Executive summary", "Arden: the lender", "Belmont: the builder"]


def test_a_new_section_can_be_moved_above_saved_ones_and_saving_renumbers_the_rest(editor, briefing):
    data = change_form_from_html(editor.get(change_url(briefing)).content.decode())
    data.update(
        {
            "sections-TOTAL_FORMS": "4",
            "sections-3-heading": "Corvia: the newcomer",
            "sections-3-body": "Corvia arrives [1].",
            "sections-3-position": "",
        }
    )
    html = editor.post(change_url(briefing), {**data, "_move": "sections-3:up"}).content.decode()
    assert headings_in_order(html) == [
        "Executive summary",
        "Arden: the lender",
        "Corvia: the newcomer",
        "Belmont: the builder",
    ]
    html = editor.post(
        change_url(briefing), {**change_form_from_html(html), "_move": "sections-2:up"}
    ).content.decode()
    assert headings_in_order(html)[1] == "Corvia: the newcomer"
    assert saved_order(briefing) == ["Executive summary", "Arden: the lender", "Belmont: the builder"]

    response = editor.post(change_url(briefing), {**change_form_from_html(html), "_save": "Save"})
    assert response.status_code == 302
    assert saved_order(briefing) == [
        "Executive summary",
        "Corvia: the newcomer",
        "Arden: the lender",
        "Belmont: the builder",
    ]
    assert list(
        Section.objects.filter(briefing=briefing).order_by("position").values_list("position", flat=True)
    ) == [
        0,
        1,
        2,
        3,
    ]


def test_moving_sections_of_a_new_briefing_before_its_first_save(editor):
    add = reverse("admin:briefings_briefing_add")
    data = change_form_from_html(editor.get(add).content.decode())
    data.update(
        {
            "title": "A new question?",
            "slug": "a-new-question",
            "sections-TOTAL_FORMS": "3",
            "sections-0-body": "The summary [1].",
            "sections-1-heading": "First written",
            "sections-1-body": "One [1].",
            "sections-2-heading": "Second written",
            "sections-2-body": "Two [1].",
            "references-TOTAL_FORMS": "0",
        }
    )
    html = editor.post(add, {**data, "_move": "sections-2:up"}).content.decode()
    assert headings_in_order(html) == ["Executive summary", "Second written", "First written"]
    assert not Briefing.objects.filter(slug="a-new-question").exists()


def test_enter_in_a_field_saves_instead_of_moving_a_section(editor, briefing):
    html = editor.get(change_url(briefing)).content.decode()
    form = html[html.index('id="briefing_form"') :]
    first_submit = re.search(r'<(?:input|button)[^>]*type="submit"[^>]*>', form).group(0)
    assert 'name="_save"' in first_submit


def test_warnings_are_shown_inside_the_section_they_concern(editor):
    briefing = make_briefing(
        sections=[
            ("Executive summary", "Summary claim [1]."),
            ("Arden: the lender", "Arden lends [1]. Nobody <b>cites</b> this."),
            ("Belmont: the builder", "Belmont builds [1]."),
        ]
    )
    html = editor.get(change_url(briefing)).content.decode()
    summary, arden, belmont = (
        html[html.index('id="sections-0"') : html.index('id="sections-1"')],
        html[html.index('id="sections-1"') : html.index('id="sections-2"')],
        html[html.index('id="sections-2"') : html.index('id="sections-empty"')],
    )
    assert "sentence has no citation: &#x27;Nobody &lt;b&gt;cites&lt;/b&gt; this.&#x27;" in arden
    assert "1 warning in this section" in arden
    assert "warning" not in summary.lower()
    assert "warning" not in belmont.lower()
    # The summary at the top links to it.
    assert '<a href="#sections-1-warnings">Arden: the lender: 1 warning</a>' in html
    assert 'id="sections-1-warnings"' in arden


def test_the_error_summary_links_to_each_field_in_error(editor, briefing):
    data = change_form_from_html(editor.get(change_url(briefing)).content.decode())
    arden = index_of(data, "Arden: the lender")
    data["title"] = ""
    data[f"sections-{arden}-body"] = "Arden lends [9]."
    data[f"sections-{arden}-heading"] = "Arden <script>x</script>"
    response = editor.post(change_url(briefing), {**data, "_save": "Save"})
    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index('id="error-summary-heading"') :]
    summary = summary[: summary.index("</div>")]
    assert '<a href="#id_title">Title: This field is required.</a>' in summary
    assert (
        f'<a href="#id_sections-{arden}-body">Section {arden} '
        "(“Arden &lt;script&gt;x&lt;/script&gt;”), body: [9] names no entry in the reference list." in summary
    )
    # Every link goes somewhere on the page.
    for anchor in re.findall(r'href="#([^"]+)"', summary):
        assert f'id="{anchor}"' in html, anchor
    assert saved_order(briefing) == ["Executive summary", "Arden: the lender", "Belmont: the builder"]


def test_a_move_costs_the_same_queries_at_5_and_40_sections(editor):
    from tests.briefings.test_admin_scale import big_briefing, counted

    costs = {}
    for n in (5, 40):
        briefing = big_briefing(n)
        data = change_form_from_html(editor.get(change_url(briefing)).content.decode())
        response, costs[n] = counted(
            lambda b=briefing, d=data: editor.post(change_url(b), {**d, "_move": "sections-3:up"})
        )
        assert response.status_code == 200
        assert headings_in_order(response.content.decode())[2] == "Theme 3: a sample section"
    assert costs[5] == costs[40], costs


def test_a_move_keeps_partners_and_delete_ticks_and_needs_change_permission(editor, briefing):
    from django.contrib.auth.models import Permission

    from tests.factories import make_partner

    corvia = make_partner("Corvia")
    data = change_form_from_html(editor.get(change_url(briefing)).content.decode())
    arden, belmont = index_of(data, "Arden: the lender"), index_of(data, "Belmont: the builder")
    data[f"sections-{belmont}-partners"] = [str(corvia.pk)]
    data[f"sections-{arden}-DELETE"] = "on"
    html = editor.post(change_url(briefing), {**data, "_move": f"sections-{belmont}:up"}).content.decode()
    moved = change_form_from_html(html)
    assert moved["sections-1-heading"] == "Belmont: the builder"
    assert moved["sections-1-partners"] == [str(corvia.pk)]
    assert moved["sections-2-DELETE"] == "on"
    # Nothing saved: the section keeps its partners and the other is not deleted.
    assert not Section.objects.get(briefing=briefing, heading="Belmont: the builder").partners.exists()
    assert Section.objects.filter(briefing=briefing, heading="Arden: the lender").exists()

    viewer = make_user()
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_briefing"))
    editor.force_login(viewer)
    assert editor.post(change_url(briefing), {**data, "_move": f"sections-{belmont}:up"}).status_code == 403


def test_inserting_a_new_section_at_a_position_renumbers_the_rest(editor, briefing):
    data = change_form_from_html(editor.get(change_url(briefing)).content.decode())
    data.update(
        {
            "sections-TOTAL_FORMS": "4",
            "sections-3-heading": "Corvia: the newcomer",
            "sections-3-body": "Corvia arrives [1].",
            "sections-3-position": "1",
        }
    )
    assert editor.post(change_url(briefing), {**data, "_save": "Save"}).status_code == 302
    rows = Section.objects.filter(briefing=briefing).order_by("position").values_list("position", "heading")
    assert list(rows) == [
        (0, "Executive summary"),
        (1, "Corvia: the newcomer"),
        (2, "Arden: the lender"),
        (3, "Belmont: the builder"),
    ]
