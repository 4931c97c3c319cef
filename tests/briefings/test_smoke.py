import pytest
from django.urls import reverse

from tests.factories import make_briefing, publish


@pytest.mark.django_db
def test_a_published_briefing_is_readable_at_its_address(client):
    briefing = make_briefing()
    publish(briefing)
    response = client.get(reverse("briefings:briefing-detail", args=[briefing.slug]))
    assert response.status_code == 200
    assert 'href="#ref-1"' in response.content.decode()
