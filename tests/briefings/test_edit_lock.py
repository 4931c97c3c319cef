"""No lost update: concurrent edits merge section by section, and only real conflicts are refused."""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from reversion.models import Revision

from briefings.editing.working_copy import import_briefing
from briefings.models import Briefing, ReviewEvent, RevisionContents
from briefings.text.parsing import parse_document, render_document
from tests.briefings.admin_forms import change_form_data, change_form_from_html
from tests.briefings.history_helpers import revision_numbers
from tests.factories import make_briefing, make_user


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(briefing):
    return reverse("admin:briefings_briefing_change", args=[briefing.pk])


def body(briefing, position):
    return Briefing.objects.get(pk=briefing.pk).sections.get(position=position).body


@pytest.fixture
def two_editors(db):
    first = make_user(username="amira", group="Editors")
    second = make_user(username="bruno", group="Editors")
    return logged_in(first), logged_in(second)


@pytest.mark.django_db
def test_two_editors_who_changed_different_sections_both_keep_their_edits(two_editors):
    amira, bruno = two_editors
    briefing = make_briefing()
    amira_form = change_form_data(amira, briefing)
    bruno_form = change_form_data(bruno, briefing)

    amira_form["sections-0-body"] = "The sample summary is firmly cited [1]. It has a second claim [2]."
    assert amira.post(change_url(briefing), amira_form).status_code == 302

    bruno_form["title"] = "Bruno's retitled question"
    bruno_form["sections-1-body"] = "Arden lends a great deal of money [1] [2]."
    response = bruno.post(change_url(briefing), bruno_form, follow=True)

    assert response.status_code == 200
    assert "Merged with changes saved since you opened the page" in response.content.decode()
    assert "firmly" in body(briefing, 0)  # Amira's edit survives Bruno's stale form
    assert "a great deal of money" in body(briefing, 1)
    assert Briefing.objects.get(pk=briefing.pk).title == "Bruno's retitled question"
    merged = RevisionContents.objects.filter(briefing_id=briefing.pk).order_by("-number").first()
    assert merged.base_revision_id is not None  # the revision records what Bruno started from


@pytest.mark.django_db
def test_the_same_section_changed_by_both_is_refused_with_theirs_beside_yours(two_editors):
    amira, bruno = two_editors
    briefing = make_briefing()
    amira_form = change_form_data(amira, briefing)
    bruno_form = change_form_data(bruno, briefing)

    amira_form["sections-1-body"] = "Arden lends less money now [1] [2]."
    amira_form["change_note"] = "Firmed up the <b>lender</b>"
    assert amira.post(change_url(briefing), amira_form).status_code == 302

    bruno_form["subject"] = "Estmark, revised by Bruno"
    bruno_form["sections-1-body"] = "Arden lends <script>alert(1)</script> money [1] [2]."
    response = bruno.post(change_url(briefing), bruno_form)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved: amira saved this briefing at" in page
    assert "you both changed §1 “Arden: the lender”" in page
    # Who, and their change note, escaped; theirs and yours side by side, escaped.
    assert "Firmed up the &lt;b&gt;lender&lt;/b&gt;" in page
    assert "Saved now (theirs)" in page and "Arden lends less money now" in page
    assert "Arden lends &lt;script&gt;alert(1)&lt;/script&gt; money" in page
    assert "<script>alert(1)</script>" not in page
    # Nothing of Bruno's was written, not even the part that did not conflict.
    saved = Briefing.objects.get(pk=briefing.pk)
    assert saved.subject == "Estmark"
    assert body(briefing, 1) == "Arden lends less money now [1] [2]."

    # Having read theirs, Bruno saves the form as it was given back to him: his section wins,
    # and his other change is merged.
    again = change_form_data(bruno, briefing, response=response)
    assert bruno.post(change_url(briefing), again).status_code == 302
    assert "script" in body(briefing, 1)
    assert Briefing.objects.get(pk=briefing.pk).subject == "Estmark, revised by Bruno"


@pytest.mark.django_db
def test_saving_again_after_a_conflict_never_undoes_a_colleagues_change_elsewhere(two_editors):
    amira, bruno = two_editors
    briefing = make_briefing()
    amira_form = change_form_data(amira, briefing)
    bruno_form = change_form_data(bruno, briefing)

    amira_form["sections-0-body"] = "A summary Amira rewrote [1]. It has a second claim [2]."
    amira_form["sections-1-body"] = "Arden lends, says Amira [1] [2]."
    assert amira.post(change_url(briefing), amira_form).status_code == 302

    bruno_form["sections-1-body"] = "Arden lends, says Bruno [1] [2]."
    refused = bruno.post(change_url(briefing), bruno_form)
    assert refused.status_code == 200
    again = change_form_data(bruno, briefing, response=refused)
    assert "A summary Amira rewrote" not in again["sections-0-body"]  # Bruno's form holds the old summary
    assert bruno.post(change_url(briefing), again).status_code == 302

    assert body(briefing, 0).startswith("A summary Amira rewrote")
    assert body(briefing, 1) == "Arden lends, says Bruno [1] [2]."


@pytest.mark.django_db
def test_a_conflict_seen_against_an_older_save_is_shown_again_after_a_newer_one(two_editors):
    amira, bruno = two_editors
    briefing = make_briefing()
    bruno_form = change_form_data(bruno, briefing)

    def amira_saves(text):
        form = change_form_data(amira, briefing)
        form["sections-1-body"] = text
        assert amira.post(change_url(briefing), form).status_code == 302

    amira_saves("Amira's first word [1] [2].")
    bruno_form["sections-1-body"] = "Bruno's word [1] [2]."
    refused = bruno.post(change_url(briefing), bruno_form)
    assert refused.status_code == 200
    seen = change_form_data(bruno, briefing, response=refused)
    amira_saves("Amira's second word [1] [2].")

    # Bruno saw Amira's first word, not her second: he is shown the conflict again.
    again = bruno.post(change_url(briefing), seen)
    assert again.status_code == 200
    assert "Amira&#x27;s second word" in again.content.decode()
    assert body(briefing, 1) == "Amira's second word [1] [2]."


@pytest.mark.django_db
def test_a_save_that_changes_nothing_writes_no_revision_and_keeps_the_review_state(two_editors):
    amira, _ = two_editors
    briefing = make_briefing()
    Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.IN_REVIEW)
    revisions = Revision.objects.count()

    response = amira.post(change_url(briefing), change_form_data(amira, briefing), follow=True)

    assert "Nothing was changed, so no revision was written." in response.content.decode()
    assert Revision.objects.count() == revisions
    assert Briefing.objects.get(pk=briefing.pk).status == Briefing.Status.IN_REVIEW
    assert not ReviewEvent.objects.filter(briefing=briefing).exists()


@pytest.mark.django_db
def test_every_admin_save_raises_the_edit_version_by_one(two_editors):
    amira, _ = two_editors
    briefing = make_briefing()
    start = Briefing.objects.get(pk=briefing.pk).edit_version
    for n in range(1, 3):
        data = change_form_data(amira, briefing)
        data["subject"] = f"Estmark {n}"
        assert amira.post(change_url(briefing), data).status_code == 302
        assert Briefing.objects.get(pk=briefing.pk).edit_version == start + n


@pytest.mark.django_db
def test_a_save_without_its_edit_version_is_refused(two_editors):
    amira, _ = two_editors
    briefing = make_briefing()
    data = change_form_data(amira, briefing)
    del data["base_edit_version"]
    data["subject"] = "Changed"
    response = amira.post(change_url(briefing), data)
    assert response.status_code == 200
    assert "missing its edit version" in response.content.decode()
    assert Briefing.objects.get(pk=briefing.pk).subject == "Estmark"


@pytest.mark.django_db
def test_an_import_meanwhile_is_merged_with_an_open_admin_form(two_editors):
    amira, _ = two_editors
    briefing = make_briefing(slug="imported")
    data = change_form_data(amira, briefing)
    text = render_document(
        "An imported question?",
        [("Executive summary", "Imported summary [1]."), ("Arden: the lender", "Imported body [1].")],
    )
    import_briefing(
        document=parse_document(text), slug="imported", user=make_user(group="Editors"), force=True
    )

    data["subject"] = "Typed while the import ran"
    assert amira.post(change_url(briefing), data).status_code == 302
    saved = Briefing.objects.get(pk=briefing.pk)
    assert (saved.title, saved.subject) == ("An imported question?", "Typed while the import ran")
    assert body(briefing, 1) == "Imported body [1]."


@pytest.mark.django_db
def test_a_review_step_does_not_make_an_open_form_stale(two_editors):
    amira, _ = two_editors
    briefing = make_briefing()
    data = change_form_data(amira, briefing)
    Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.IN_REVIEW)

    data["subject"] = "Edited during review"
    assert amira.post(change_url(briefing), data).status_code == 302
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT
    event = ReviewEvent.objects.get(briefing=briefing)
    assert event.kind == ReviewEvent.Kind.EDITED
    assert event.user.username == "amira"
    assert event.revision_id == RevisionContents.objects.filter(briefing_id=briefing.pk).latest("number").pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_stale_saves_of_one_field_are_refused_and_every_accepted_one_is_in_history(on_postgres):
    """Several threads race to change the subject from whatever version they last read."""
    editors = [make_user(username=f"racer{i}", group="Editors") for i in range(6)]
    briefing = make_briefing()
    attempts = []
    lock = threading.Lock()
    errors = []
    barrier = threading.Barrier(len(editors))

    def race(user, index):
        try:
            client = logged_in(user)
            barrier.wait()
            for round_ in range(5):
                # Read from the HTML: the test client's response.context is shared between threads.
                page = client.get(change_url(briefing))
                data = change_form_from_html(page.content.decode())
                marker = f"racer{index}-round{round_}"
                data["subject"] = marker
                data["change_note"] = marker
                response = client.post(change_url(briefing), data)
                with lock:
                    attempts.append(
                        {
                            "base": int(data["base_edit_version"]),
                            "marker": marker,
                            "status": response.status_code,
                            "refused": "Not saved:" in response.content.decode()
                            if response.status_code == 200
                            else False,
                        }
                    )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(user, i)) for i, user in enumerate(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    accepted = [a for a in attempts if a["status"] == 302]
    refused = [a for a in attempts if a["status"] != 302]
    assert len(attempts) == 30
    assert refused, "the race produced no stale save; it tested nothing"
    assert all(a["refused"] for a in refused)
    # Exactly one accepted save per base version, and the count moved once per accepted save.
    assert set(Counter(a["base"] for a in accepted).values()) == {1}
    final = Briefing.objects.get(pk=briefing.pk)
    assert final.edit_version == min(a["base"] for a in attempts) + len(accepted)
    # Every accepted save is a revision; no refused one is.
    comments = set(
        Revision.objects.filter(briefing_contents__briefing_id=briefing.pk).values_list("comment", flat=True)
    )
    assert {a["marker"] for a in accepted} <= comments
    assert not {a["marker"] for a in refused} & comments
    assert final.subject in {a["marker"] for a in accepted}


@pytest.mark.django_db
def test_restoring_through_the_admin_raises_the_edit_version_and_conflicts_with_an_open_form():
    reviewer = logged_in(make_user(username="rhea", group="Reviewers"))
    briefing = make_briefing()
    first = revision_numbers(briefing)[0]
    data = change_form_data(reviewer, briefing)
    data["subject"] = "Second state"
    assert reviewer.post(change_url(briefing), data).status_code == 302
    opened_before_revert = change_form_data(reviewer, briefing)
    before = Briefing.objects.get(pk=briefing.pk).edit_version

    revert_url = reverse("admin:briefings_briefing_revert", args=[briefing.pk, first])
    assert reviewer.get(revert_url).status_code == 200
    assert Briefing.objects.get(pk=briefing.pk).edit_version == before
    assert reviewer.post(revert_url).status_code == 302

    restored = Briefing.objects.get(pk=briefing.pk)
    assert restored.subject == "Estmark"
    assert restored.edit_version == before + 1
    opened_before_revert["subject"] = "Typed before the revert"
    assert reviewer.post(change_url(briefing), opened_before_revert).status_code == 200
    assert Briefing.objects.get(pk=briefing.pk).subject == "Estmark"


@pytest.mark.django_db
def test_a_briefing_added_in_the_admin_starts_with_its_summary_at_edit_version_one():
    editor = logged_in(make_user(group="Editors"))
    page = editor.get(reverse("admin:briefings_briefing_add")).content.decode()
    assert 'value="Executive summary"' in page
    data = {"title": "A new question?", "slug": "a-new-question", "subject": "Estmark"}
    data.update({"sections-TOTAL_FORMS": 1, "sections-INITIAL_FORMS": 0})
    data.update({"sections-0-heading": "Executive summary", "sections-0-body": "A first sentence."})
    data.update({"references-TOTAL_FORMS": 0, "references-INITIAL_FORMS": 0})
    response = editor.post(reverse("admin:briefings_briefing_add"), data)
    assert response.status_code == 302
    briefing = Briefing.objects.get(slug="a-new-question")
    assert briefing.edit_version == 1
    assert list(briefing.sections.values_list("heading", flat=True)) == ["Executive summary"]


@pytest.mark.django_db
def test_a_briefing_cannot_be_added_without_its_summary():
    editor = logged_in(make_user(group="Editors"))
    data = {"title": "A new question?", "slug": "a-new-question", "subject": "Estmark"}
    for prefix in ("sections", "references"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = editor.post(reverse("admin:briefings_briefing_add"), data)
    assert response.status_code == 200
    assert "needs its executive summary" in response.content.decode()
    assert not Briefing.objects.filter(slug="a-new-question").exists()
