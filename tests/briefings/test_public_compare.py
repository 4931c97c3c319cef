"""The public comparison of two publications."""

import pytest
from django.urls import reverse

from sources.models import Reference
from tests.briefings.history_helpers import revise, section, set_body
from tests.factories import make_briefing, make_source, publish

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


def compare_url(briefing, a, b):
    return reverse("briefings:publication-compare", args=[briefing.slug, a, b])


@pytest.fixture
def published_twice():
    briefing = make_briefing()
    publish(briefing)
    revise(briefing, set_body(1, "Arden lends much more money [1] [2]."))
    publish(briefing, note="Sharper wording on Arden.")
    return briefing


def test_two_publications_compare_at_a_stable_cacheable_url(published_twice, client):
    url = compare_url(published_twice, 1, 2)
    assert url == f"/briefings/{published_twice.slug}/compare/v1...v2/"
    response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<ins> much more</ins>" in content
    assert "Sharper wording on Arden." in content
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    assert response["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    side = client.get(url + "?view=side").content.decode()
    assert 'class="diff-side"' in side


def test_the_change_log_links_each_update_to_what_changed(published_twice, client):
    page = client.get(reverse("briefings:briefing-detail", args=[published_twice.slug])).content.decode()
    assert f'href="{compare_url(published_twice, 1, 2)}"' in page
    assert "compare/v0...v1" not in page


def test_the_public_compare_reads_publications_never_the_working_copy(published_twice, client):
    revise(published_twice, set_body(1, "An unpublished draft sentence [1]."))
    response = client.get(compare_url(published_twice, 1, 2))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<ins> much more</ins>" in content  # what version 2 published
    assert "unpublished draft" not in content


def test_a_missing_publication_is_not_found(published_twice, client):
    assert client.get(compare_url(published_twice, 1, 3)).status_code == 404
    assert client.get(f"/briefings/{published_twice.slug}/compare/v1...vx/").status_code == 404


def test_what_an_editor_typed_is_escaped_in_the_public_compare(client):
    briefing = make_briefing()
    publish(briefing)

    nasty = make_source(SCRIPT)

    def change(b):
        s = section(b, 1)
        s.heading = f"Arden {SCRIPT}"
        s.body = f"Arden lends {SCRIPT} money [1] [3]."
        s.save()
        Reference.objects.create(briefing=b, number=3, source=nasty)

    revise(briefing, change)
    publish(briefing, note=f"Note {SCRIPT}")
    content = client.get(compare_url(briefing, 1, 2)).content.decode()
    assert "<script>alert" not in content
    assert content.count("&lt;script&gt;") >= 4
