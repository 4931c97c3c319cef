"""States of a briefing from revisions (stored JSON), the working copy and publications."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import ProtectedError
from reversion.models import Version

from briefings.editing.history import publication_state, revision_state, revision_states, working_state
from briefings.models import Partner, Section
from briefings.text.compare import diff_states
from sources.models import Reference
from tests.briefings.history_helpers import revise, revision_ids, section, set_body
from tests.factories import make_briefing, make_source, publish

pytestmark = pytest.mark.django_db


def test_a_revision_state_equals_the_working_copy_it_recorded():
    briefing = make_briefing()
    (revision_id,) = revision_ids(briefing)
    state = revision_state(briefing.pk, revision_id)
    assert not diff_states(state, working_state(briefing)).changed
    assert [(p["slug"], p["name"]) for p in state["sections"][1]["partners"]] == [("arden", "Arden")]
    assert [r["number"] for r in state["references"]] == [1, 2]
    assert state["notes"] == [] and state["restorable"]


def test_each_revision_keeps_its_own_text_and_references():
    briefing = make_briefing()
    first = revision_ids(briefing)[0]
    new_source = make_source("A replacement source")

    def change(b):
        set_body(1, "Arden lends money [1] [3].")(b)
        Reference.objects.create(briefing=b, number=3, source=new_source)

    second = revise(briefing, change)
    states = revision_states(briefing.pk, [first, second])
    diff = diff_states(states[first], states[second])
    assert diff.summary() == "§1 body, refs +[3]"
    assert states[second]["references"][-1]["source"]["title"] == "A replacement source"


def test_a_revision_of_another_briefing_has_no_state_for_this_one():
    one, other = make_briefing(), make_briefing()
    assert revision_state(one.pk, revision_ids(other)[0]) is None


def test_a_revision_whose_data_no_longer_fits_the_models_still_shows_read_only():
    briefing = make_briefing()
    (revision_id,) = revision_ids(briefing)
    summary = section(briefing, 0)
    version = Version.objects.get(
        revision_id=revision_id,
        content_type=ContentType.objects.get_for_model(Section),
        object_id=str(summary.pk),
    )
    data = json.loads(version.serialized_data)
    data[0]["fields"]["tone"] = "measured"  # a field a later migration removed
    del data[0]["fields"]["heading"]  # a field a later migration added
    version.serialized_data = json.dumps(data)
    version.save()

    state = revision_state(briefing.pk, revision_id)
    assert state["sections"][0]["body"] == summary.body
    assert state["sections"][0]["heading"] == ""
    assert any("tone" in note for note in state["notes"])
    assert any("heading" in note for note in state["notes"])
    assert not state["restorable"]


def test_a_publication_state_is_its_snapshot_not_the_working_copy():
    briefing = make_briefing()
    publication = publish(briefing)
    revise(briefing, set_body(0, "A later draft summary [1]."))
    assert publication_state(publication)["sections"][0]["body"].startswith("The sample summary")
    assert working_state(briefing)["sections"][0]["body"] == "A later draft summary [1]."


def test_a_source_an_old_revision_cites_cannot_be_deleted_so_the_revision_stays_restorable():
    briefing = make_briefing()
    first = revision_ids(briefing)[0]
    old_source = Reference.objects.get(briefing=briefing, number=2).source
    replacement = make_source("Its replacement")

    def repoint(b):
        Reference.objects.filter(briefing=b, number=2).update(source=replacement)

    revise(briefing, repoint)
    with pytest.raises(ProtectedError):
        old_source.delete()
    state = revision_state(briefing.pk, first)
    assert state["references"][1]["source"]["id"] == old_source.pk
    assert state["restorable"]


def test_a_partner_an_old_revision_names_cannot_be_deleted():
    briefing = make_briefing()
    arden = Partner.objects.get(name="Arden")
    revise(briefing, lambda b: b.sections.get(position=1).partners.clear())
    assert not arden.sections.exists()
    with pytest.raises(ProtectedError):
        arden.delete()


def test_a_revision_lacking_only_fields_with_defaults_can_still_be_restored():
    briefing = make_briefing()
    (revision_id,) = revision_ids(briefing)
    version = Version.objects.get_for_object(briefing).get()
    data = json.loads(version.serialized_data)
    del data[0]["fields"]["status"]  # has a default: restoring gives a draft
    version.serialized_data = json.dumps(data)
    version.save()
    state = revision_state(briefing.pk, revision_id)
    assert any("status" in note for note in state["notes"])
    assert state["restorable"]
