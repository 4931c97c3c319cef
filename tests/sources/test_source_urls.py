"""Sources are de-duplicated by URL: stored normalised, and a duplicate names the source that exists."""

import importlib
import json

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from sources.models import Source, normalise_url
from tests.factories import make_source, make_user

pytestmark = pytest.mark.django_db

migration = importlib.import_module("sources.migrations.0003_normalise_urls")


@pytest.fixture
def editor():
    client = Client()
    client.force_login(make_user(group="Editors"))
    return client


def add(client, url, title="A new source", **extra):
    data = {"title": title, "url": url, "kind": "news", "grade": "", **extra}
    return client.post(reverse("admin:sources_source_add"), data)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("HTTPS://Example.ORG/Reports/2024/", "https://example.org/Reports/2024"),
        ("http://example.org:80/a?b=C#section-2", "http://example.org/a?b=C"),
        ("https://example.org:443/", "https://example.org"),
        ("https://example.org:8443/a/", "https://example.org:8443/a"),
        ("example.org/a/", "https://example.org/a"),
    ],
)
def test_a_source_url_is_stored_normalised(editor, typed, stored):
    response = add(editor, typed)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Source.objects.get(title="A new source").url == stored


def test_adding_a_source_whose_url_exists_names_the_existing_one_with_a_link(editor):
    existing = make_source("Arden budget <2024>", url="https://example.org/budget", publisher="Arden MoF")
    response = add(editor, "HTTPS://EXAMPLE.org/budget/#p3")
    assert response.status_code == 200
    html = response.content.decode()
    link = reverse("admin:sources_source_change", args=[existing.pk])
    assert f'<a href="{link}">Arden budget &lt;2024&gt;</a>, Arden MoF.' in html
    assert "A source already has this URL (https://example.org/budget)" in html
    assert "Constraint" not in html and "already exists" not in html
    assert Source.objects.count() == 1
    # What the editor typed is still in the form.
    assert response.context["adminform"].form["title"].value() == "A new source"


def test_changing_a_source_to_another_sources_url_is_refused_the_same_way(editor):
    existing = make_source("The original", url="https://example.org/a")
    other = make_source("Another", url="https://example.org/b")
    url = reverse("admin:sources_source_change", args=[other.pk])
    form = editor.get(url).context["adminform"].form
    data = {b.html_name: b.value() for b in form if b.value() not in (None, False)}
    data["url"] = "https://example.org/a/"
    response = editor.post(url, data)
    assert response.status_code == 200
    assert "Another source already has this URL" in response.content.decode()
    assert reverse("admin:sources_source_change", args=[existing.pk]) in response.content.decode()
    other.refresh_from_db()
    assert other.url == "https://example.org/b"


def test_in_the_reference_lists_pop_up_the_existing_source_can_be_chosen_instead(editor):
    existing = make_source("The original", url="https://example.org/a")
    response = add(editor, "https://example.org/a/", _popup="1")
    html = response.content.decode()
    assert f'name="_use_existing" value="{existing.pk}"' in html
    response = add(editor, "https://example.org/a/", _popup="1", _use_existing=str(existing.pk))
    assert response.status_code == 200
    data = json.loads(response.context["popup_response_data"])
    assert data == {"value": str(existing.pk), "obj": "The original"}
    assert Source.objects.count() == 1


def test_saving_a_source_in_code_normalises_its_url_too():
    source = make_source(url="HTTP://Example.org:80/x/")
    source.refresh_from_db()
    assert source.url == "http://example.org/x"


def test_normalising_keeps_what_servers_tell_apart():
    assert normalise_url("https://example.org/A?x=1&Y=2") == "https://example.org/A?x=1&Y=2"
    assert normalise_url("https://user:Secret@Example.org/") == "https://user:Secret@example.org"
    assert normalise_url("https://[2001:DB8::1]:443/a/") == "https://[2001:db8::1]/a"
    assert normalise_url("") == ""


def test_the_migration_normalises_existing_urls():
    a, b = make_source("A"), make_source("B")
    Source.objects.filter(pk=a.pk).update(url="HTTPS://Example.org/A/")
    Source.objects.filter(pk=b.pk).update(url="https://example.org/b#top")
    migration.forwards(apps, None)
    assert dict(Source.objects.values_list("title", "url")) == {
        "A": "https://example.org/A",
        "B": "https://example.org/b",
    }


def test_the_migration_refuses_and_lists_sources_that_would_collide():
    a, b, c = make_source("First copy"), make_source("Second copy"), make_source("Unrelated")
    Source.objects.filter(pk=a.pk).update(url="https://example.org/a/")
    Source.objects.filter(pk=b.pk).update(url="https://EXAMPLE.org/a")
    Source.objects.filter(pk=c.pk).update(url="https://example.org/c/")
    with pytest.raises(migration.DuplicateSources) as refused:
        migration.forwards(apps, None)
    message = str(refused.value)
    assert f"source #{a.pk} “First copy” (https://example.org/a/)" in message
    assert f"source #{b.pk} “Second copy” (https://EXAMPLE.org/a)" in message
    assert "Unrelated" not in message
    assert "Nothing was changed" in message
    assert Source.objects.get(pk=c.pk).url == "https://example.org/c/"  # untouched
