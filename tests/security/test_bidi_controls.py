"""Point 4 of issue 9: Unicode bidi controls are refused in addresses and kept off every page."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from briefings.editing.draft import current_draft
from briefings.editing.working_copy import import_briefing, write
from briefings.models import Partner
from briefings.text.parsing import FormatError, parse_document
from sources.models import Source
from sources.validators import BIDI_CONTROLS
from tests.factories import make_briefing, make_partner, make_source, make_user, publish
from tests.security.test_headers import public_urls

pytestmark = pytest.mark.django_db

RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"


@pytest.mark.parametrize("control", list(BIDI_CONTROLS))
def test_a_source_url_with_a_bidi_control_is_refused_with_a_clear_message(control):
    source = Source(title="A report", url=f"https://example.org/{control}fdp.exe")
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    message = " ".join(refused.value.message_dict["url"])
    assert f"invisible bidirectional control character (U+{ord(control):04X})" in message


def test_the_admin_refuses_a_source_url_with_a_bidi_control():
    client = Client()
    client.force_login(make_user(group="Editors"))
    response = client.post(
        reverse("admin:sources_source_add"),
        {
            "title": "A report",
            "url": f"https://example.org/{RLO}fdp.exe",
            "kind": "news",
            "grade": "",
        },
    )
    assert response.status_code == 200
    assert "invisible bidirectional control character (U+202E)" in response.content.decode()
    assert not Source.objects.exists()


def test_the_admin_refuses_a_partner_slug_with_a_bidi_control():
    client = Client()
    client.force_login(make_user(group="Editors"))
    response = client.post(reverse("admin:briefings_partner_add"), {"name": "Arden", "slug": f"ard{RLO}en"})
    assert response.status_code == 200
    assert "invisible bidirectional control character (U+202E)" in response.content.decode()
    assert not Partner.objects.exists()


def test_a_briefing_slug_with_a_bidi_control_is_refused_on_import_and_in_the_write_path():
    document = parse_document("A question?\n\nExecutive summary\n\nA claim [1].\n")
    with pytest.raises(FormatError, match="U\\+2067"):
        import_briefing(document=document, slug=f"a{RLI}b")
    briefing = make_briefing()
    draft = current_draft(briefing)
    draft = type(draft)(**{**draft.__dict__, "slug": f"{briefing.slug}{RLO}"})
    with pytest.raises(ValidationError, match="U\\+202E"):
        write(briefing=briefing, draft=draft, user=None, comment="hostile")


def test_no_page_writes_a_bidi_control_out_and_citations_stay_outside_the_isolated_text():
    make_partner("Arden")
    source = make_source(
        f"Report {RLO}tropeR{PDF}", publisher=f"Press {RLI}ssert{PDI}", url="https://example.org/r"
    )
    briefing = make_briefing(
        title=f"Who {RLO}sepahs{PDF} the water?",
        subject=f"Estmark{RLO}",
        sections=[
            ("Executive summary", f"Arden {RLO}sdnel{PDF} money [1]. Then {RLI}more{PDI} [1]."),
            (f"1. Arden: {RLO}the lender", f"Arden lends {RLO}here [1].", ["Arden"]),
        ],
        references={1: source},
    )
    publish(briefing, note=f"First {RLO}note")
    # Stored as typed.
    assert RLO in briefing.sections.first().body
    client = Client()
    data = {
        "briefing_slugs": [briefing.slug],
        "publication_numbers": [(briefing.slug, 1)],
        "partner_slugs": ["arden"],
        "source_ids": [source.pk],
    }
    urls = public_urls(data) + ["/search/?q=Arden", "/claims/?text=Arden", f"/search/?q={RLO}Arden"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        if response["Content-Type"].startswith("application/json"):
            continue  # data as stored; checked below
        found = [f"U+{ord(c):04X}" for c in BIDI_CONTROLS if c in text]
        assert found == [], (url, found)
    article = client.get(briefing.get_absolute_url()).content.decode()
    # Each run of prose is isolated; the citation after it stays outside.
    assert "money </bdi><sup" in article.replace("money  ", "money ") or "money</bdi> <sup" in article
    assert '<h1 dir="auto">' in article
    # The JSON export keeps the data as published.
    exported = json.loads(client.get(f"/briefings/{briefing.slug}.json").content)
    assert RLO in exported["snapshot"]["briefing"]["title"]


def test_admin_pages_carry_no_bidi_control_either():
    briefing = make_briefing(sections=[("Executive summary", f"Arden {RLO}sdnel money [1].")])
    client = Client()
    client.force_login(make_user(superuser=True))
    for url in (
        reverse("admin:briefings_briefing_change", args=[briefing.pk]),
        reverse("admin:briefings_briefing_history", args=[briefing.pk]),
        reverse("admin:briefings_briefing_changelist"),
    ):
        text = client.get(url).content.decode()
        assert RLO not in text, url
