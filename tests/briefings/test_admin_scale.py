"""The briefing admin at scale: a 200-section briefing saves, and its cost does not grow per section."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefings.models import Briefing, RevisionContents
from tests.briefings.admin_forms import change_form_data
from tests.factories import make_briefing, make_partner, make_source, make_user

pytestmark = pytest.mark.django_db

PARTNERS = ("Arden", "Belmont", "Corvia")


def big_briefing(sections, references=40):
    sources = {n: make_source(f"Sample source {n}") for n in range(1, references + 1)}
    for name in PARTNERS:
        make_partner(name)
    specs = [("Executive summary", "The sample summary is cited [1]. It has a second claim [2].")]
    for n in range(1, sections):
        cite = (n % references) + 1
        specs.append(
            (
                f"Theme {n}: a sample section",
                f"Sample sentence {n} is cited [{cite}]. Another sample sentence [1] [{cite}].",
                [PARTNERS[n % 3]],
            )
        )
    return make_briefing(
        title=f"Sample question with {sections} sections?", sections=specs, references=sources
    )


def counted(call):
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return response, len(queries)


@pytest.fixture
def editor(client):
    client.force_login(make_user(group="Editors"))
    return client


def measure(client, sections):
    briefing = big_briefing(sections)
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    page, page_queries = counted(lambda: client.get(url))
    assert page.status_code == 200
    data = change_form_data(client, briefing, response=page)
    data["sections-3-body"] = "One sentence changed in this sample [1]. Another sample sentence [1] [4]."
    saved, save_queries = counted(lambda: client.post(url, data))
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    return briefing, page_queries, save_queries


def test_a_200_section_briefing_with_40_references_can_be_saved(editor):
    briefing, _, _ = measure(editor, 200)
    assert (
        Briefing.objects.get(pk=briefing.pk).sections.get(position=3).body.startswith("One sentence changed")
    )
    latest = RevisionContents.objects.filter(briefing_id=briefing.pk).latest("number")
    # One changed section: the revision stores the briefing and that section, nothing else.
    assert latest.revision.version_set.count() == 2
    assert len(latest.sections) == 200


def test_the_change_form_and_its_save_cost_the_same_queries_at_5_40_and_200_sections(editor):
    counts = {n: measure(editor, n)[1:] for n in (5, 40, 200)}
    assert counts[5] == counts[40] == counts[200], counts
