import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from reversion.models import Revision, Version

from briefings.editing.lock import content_write
from briefings.editing.working_copy import import_briefing
from briefings.models import Briefing, ReviewEvent
from briefings.text.parsing import parse_document, render_document
from tests.briefings.admin_forms import change_form_data
from tests.factories import make_briefing, make_user


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(briefing):
    return reverse("admin:briefings_briefing_change", args=[briefing.pk])


@pytest.fixture
def two_editors(db):
    first = make_user(username="amira", group="Editors")
    second = make_user(username="bruno", group="Editors")
    return logged_in(first), logged_in(second)


@pytest.mark.django_db
def test_the_second_of_two_editors_is_refused_and_keeps_their_text(two_editors):
    amira, bruno = two_editors
    briefing = make_briefing()
    amira_form = change_form_data(amira, briefing)
    bruno_form = change_form_data(bruno, briefing)

    amira_form["sections-0-body"] = "The sample summary is firmly cited [1]. It has a second claim [2]."
    amira_form["change_note"] = "Firmed up the <b>summary</b>"
    assert amira.post(change_url(briefing), amira_form).status_code == 302

    bruno_form["title"] = "Bruno's retitled question"
    bruno_form["sections-1-body"] = "Arden lends <script>alert(1)</script> money [1] [2]."
    response = bruno.post(change_url(briefing), bruno_form)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved: amira saved this briefing at" in page
    # Who, and their change note, escaped.
    assert "Firmed up the &lt;b&gt;summary&lt;/b&gt;" in page
    assert "<b>summary</b>" not in page
    # What changed between what Bruno started from and what is saved: Amira's word.
    assert "The sample summary is <ins>firmly </ins>cited" in page
    # Bruno's typed text is still in the form, escaped.
    assert "Arden lends &lt;script&gt;alert(1)&lt;/script&gt; money" in page
    assert "<script>alert(1)</script>" not in page
    assert 'value="Bruno&#x27;s retitled question"' in page

    briefing.refresh_from_db()
    assert briefing.title != "Bruno's retitled question"
    assert "firmly" in briefing.sections.get(position=0).body
    assert "script" not in briefing.sections.get(position=1).body

    # Having read the changes, Bruno saves the form as it was given back to him.
    again = change_form_data(bruno, briefing, response=response)
    assert bruno.post(change_url(briefing), again).status_code == 302
    briefing.refresh_from_db()
    assert briefing.title == "Bruno's retitled question"
    # His form still held the old summary, so saving it over Amira's is his informed choice.
    assert "firmly" not in briefing.sections.get(position=0).body


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
def test_an_import_makes_an_open_admin_form_stale(two_editors):
    amira, _ = two_editors
    briefing = make_briefing(slug="imported")
    data = change_form_data(amira, briefing)
    text = render_document(
        "An imported question?",
        [("Executive summary", "Imported summary [1]."), ("Arden: the lender", "Imported body [1].")],
    )
    import_briefing(document=parse_document(text), slug="imported", user=make_user(group="Editors"))

    data["subject"] = "Typed while the import ran"
    response = amira.post(change_url(briefing), data)
    assert response.status_code == 200
    assert "Imported (update)" in response.content.decode()
    assert Briefing.objects.get(pk=briefing.pk).title == "An imported question?"


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


@pytest.mark.django_db
def test_a_restore_cannot_wind_the_edit_version_back(two_editors):
    amira, _ = two_editors
    briefing = make_briefing()
    first = Version.objects.get_for_object(briefing).first().revision
    data = change_form_data(amira, briefing)
    data["subject"] = "Second state"
    amira.post(change_url(briefing), data)
    before = Briefing.objects.get(pk=briefing.pk).edit_version

    with content_write(briefing.pk):
        first.revert(delete=True)

    restored = Briefing.objects.get(pk=briefing.pk)
    assert restored.subject == "Estmark"
    assert restored.edit_version == before + 1
    # The form opened before the restore is stale.
    data["subject"] = "Typed before the restore"
    assert amira.post(change_url(briefing), data).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_stale_saves_are_refused_and_every_accepted_one_is_in_history(on_postgres):
    """Several threads race to save from whatever version they last read."""
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
                data = change_form_data(client, briefing)
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
    assert {a["base"] for a in refused} <= {a["base"] for a in accepted}
    final = Briefing.objects.get(pk=briefing.pk)
    assert final.edit_version == min(a["base"] for a in attempts) + len(accepted)
    # Every accepted save is a revision; no refused one is.
    comments = set(
        Revision.objects.filter(version__object_id=str(briefing.pk)).values_list("comment", flat=True)
    )
    assert {a["marker"] for a in accepted} <= comments
    assert not {a["marker"] for a in refused} & comments
    assert final.subject in {a["marker"] for a in accepted}


@pytest.mark.django_db
def test_reverting_through_the_admin_raises_the_edit_version_and_stales_open_forms():
    reviewer = logged_in(make_user(username="rhea", group="Reviewers"))
    briefing = make_briefing()
    first = Version.objects.get_for_object(briefing).first()
    data = change_form_data(reviewer, briefing)
    data["subject"] = "Second state"
    assert reviewer.post(change_url(briefing), data).status_code == 302
    opened_before_revert = change_form_data(reviewer, briefing)
    before = Briefing.objects.get(pk=briefing.pk).edit_version

    revert_url = reverse("admin:briefings_briefing_revert", args=[briefing.pk, first.revision_id])
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
def test_a_briefing_added_in_the_admin_starts_at_edit_version_one():
    editor = logged_in(make_user(group="Editors"))
    data = {"title": "A new question?", "slug": "a-new-question", "subject": "Estmark"}
    for prefix in ("sections", "references"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = editor.post(reverse("admin:briefings_briefing_add"), data)
    assert response.status_code == 302
    assert Briefing.objects.get(slug="a-new-question").edit_version == 1
