"""A never-published briefing opens at its public address only for people who may view briefings."""

import pytest
from django.contrib.auth.models import User

from tests.factories import make_briefing, make_user

pytestmark = pytest.mark.django_db


def test_staff_without_view_briefing_get_404_and_editors_get_the_draft(client):
    briefing = make_briefing(title="A draft question?")
    url = briefing.get_absolute_url()

    staff = User.objects.create_user(username="helpdesk", password="a-sample-password-42", is_staff=True)
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 404
    assert "A draft question?" not in response.content.decode()

    client.force_login(make_user(group="Editors"))
    response = client.get(url)
    assert response.status_code == 200
    assert "A draft question?" in response.content.decode()
