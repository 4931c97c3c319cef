"""Point 5 of issue 9: while the database is unreachable, pages answer 503 with Retry-After.

No mock: the default connection is swapped for a real one pointed at a
database that cannot be reached (a closed TCP port on PostgreSQL, a file in a
directory that does not exist on SQLite), so the driver raises its own
OperationalError.
"""

import contextlib
import socket

import pytest
from django.db import connection, connections
from django.test import Client

from tests.factories import make_briefing, make_user, publish

pytestmark = pytest.mark.django_db


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is


@contextlib.contextmanager
def database_down():
    working = connections["default"]
    settings_dict = dict(working.settings_dict)
    if working.vendor == "postgresql":
        settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()), CONN_HEALTH_CHECKS=False)
        settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), "connect_timeout": 2}
    else:
        settings_dict["NAME"] = "/nonexistent-assay-dir/down.sqlite3"
    broken = working.__class__(settings_dict, "default")
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = working


@pytest.fixture
def published():
    briefing = make_briefing()
    publish(briefing)
    return briefing


def assert_unavailable(response, url):
    assert response.status_code == 503, (url, response.status_code)
    assert response["Retry-After"] == "30", url
    assert response["Cache-Control"] == "no-store", url


def test_the_failure_is_real():
    from django.db import OperationalError

    with database_down(), pytest.raises(OperationalError), connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def test_public_pages_answer_503_with_retry_after(published):
    client = Client(raise_request_exception=False)
    urls = [
        "/",
        f"/briefings/{published.slug}/",
        f"/briefings/{published.slug}/v1/",
        f"/briefings/{published.slug}.json",
        "/briefings/",
        "/claims/",
        "/sources/",
        "/search/?q=water",
        "/feeds/publications.atom",
        "/sitemap.xml",
    ]
    with database_down():
        for url in urls:
            response = client.get(url)
            assert_unavailable(response, url)
            assert "Temporarily unavailable" in response.content.decode(), url
            assert "Content-Security-Policy" in response, url
    # And back when the database is.
    assert client.get(f"/briefings/{published.slug}/").status_code == 200


def test_admin_pages_and_login_answer_503(published):
    staff = Client(raise_request_exception=False)
    staff.force_login(make_user(group="Reviewers"))
    anonymous = Client(raise_request_exception=False)
    with database_down():
        assert_unavailable(staff.get("/admin/"), "/admin/")
        assert_unavailable(staff.get(f"/admin/briefings/briefing/{published.pk}/change/"), "change")
        response = anonymous.post("/admin/login/", {"username": "someone", "password": "anything"})
        assert_unavailable(response, "login")


def test_healthz_is_honest():
    client = Client(raise_request_exception=False)
    assert client.get("/healthz").status_code == 200
    with database_down():
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {"status": "error", "database": "unreachable"}
        assert response["Retry-After"] == "30"
        assert response["Cache-Control"] == "no-store"
    assert client.get("/healthz").status_code == 200


def test_an_error_outside_a_view_is_a_503_too(rf):
    """handler500: a database error raised after the view (e.g. saving the session) is still a 503."""
    from django.db import OperationalError

    from config.outage import server_error

    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
