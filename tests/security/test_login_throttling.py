"""Point 1 of issue 9: failed logins lock an account and a client address; sessions are short."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-sample-password-42"
LOGIN = "/admin/login/?next=/admin/"


def attempt(client, username, password, address="10.0.0.1"):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )


def logged_in(response):
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_fifty_wrong_passwords_then_the_right_one_is_refused():
    user = make_user(group="Editors")
    client = Client()
    statuses = [attempt(client, user.username, f"wrong-{n}").status_code for n in range(50)]
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the login form again, with its error
    assert set(statuses[limit:]) == {429}
    response = attempt(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(response)
    text = response.content.decode()
    assert "too many failed logins" in text
    assert "whatever the password is" in text
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert "_auth_user_id" not in client.session


def test_an_account_is_locked_whatever_address_tries_it():
    user = make_user(group="Editors")
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user.username, "wrong", address=f"10.0.1.{n}")
    assert attempt(client, user.username, PASSWORD, address="10.0.2.1").status_code == 429
    # Another account from a fresh address is not affected.
    other = make_user(group="Editors")
    assert logged_in(attempt(Client(), other.username, PASSWORD, address="10.0.3.1"))


def test_an_address_is_locked_whatever_accounts_it_tries():
    user = make_user(group="Editors")
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"guess{n}", "wrong", address="10.9.9.9")
    assert attempt(client, user.username, PASSWORD, address="10.9.9.9").status_code == 429
    # The same account from another address still logs in: only the address is locked.
    assert logged_in(attempt(Client(), user.username, PASSWORD, address="10.9.9.10"))


def test_a_forwarded_for_header_cannot_dodge_the_address_lock():
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT + 2):
        response = client.post(
            LOGIN,
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR="10.8.8.8",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert response.status_code == 429


def test_a_trusted_proxy_count_takes_the_client_from_x_forwarded_for(settings):
    settings.ASSAY_TRUSTED_PROXY_COUNT = 1
    user = make_user(group="Editors")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": "guess", "password": "wrong"},
            REMOTE_ADDR="10.0.0.254",  # the proxy
            HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.7",
        )
    assert AccessAttempt.objects.filter(ip_address="198.51.100.7").exists()
    # Another client behind the same proxy still logs in.
    response = client.post(
        LOGIN,
        {"username": user.username, "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert logged_in(response)


def test_a_success_before_the_limit_clears_the_count():
    user = make_user(group="Editors")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(Client(), user.username, "wrong")
    assert logged_in(attempt(Client(), user.username, PASSWORD))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(Client(), user.username, "wrong")
    assert logged_in(attempt(Client(), user.username, PASSWORD))


@pytest.mark.parametrize(
    "command",
    [
        lambda user: call_command("axes_reset_username", user.username),
        lambda user: call_command("axes_reset_ip", "10.0.0.1"),
        lambda user: call_command("axes_reset"),
    ],
    ids=["axes_reset_username", "axes_reset_ip", "axes_reset"],
)
def test_the_documented_commands_lift_a_lockout(command):
    user = make_user(group="Editors")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user.username, "wrong")
    assert attempt(client, user.username, PASSWORD).status_code == 429
    command(user)
    if AccessAttempt.objects.exists():
        # axes_reset_ip lifts the address lock only; the account's own lock needs its command.
        call_command("axes_reset_username", user.username)
    assert logged_in(attempt(client, user.username, PASSWORD))


def test_admin_sessions_are_short_and_end_with_the_browser():
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    user = make_user(group="Editors")
    client = Client()
    response = attempt(client, user.username, PASSWORD)
    assert logged_in(response)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""  # a browser-session cookie
    assert cookie["httponly"]
    assert 0 < client.session.get_expiry_age() <= 8 * 60 * 60
