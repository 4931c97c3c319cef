"""Sections of several paragraphs (a blank line between them): admin, file, page, diff, export."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Revision

from briefings.models import Briefing, Claim, PublishedSection
from tests.briefings.admin_forms import change_form_from_html
from tests.briefings.history_helpers import revise, set_body
from tests.factories import make_briefing, make_source, make_user, publish

pytestmark = pytest.mark.django_db

TWO_PARAGRAPHS = "Arden lends [1]. It lends more each year [2].\n\nBelmont builds [2]."


@pytest.fixture
def briefing():
    return make_briefing(
        sections=[
            ("Executive summary", TWO_PARAGRAPHS),
            ("Arden: the lender", "Arden lends [1].\n\nArden also advises [2].", ["Arden"]),
        ]
    )


def change_url(briefing):
    return reverse("admin:briefings_briefing_change", args=[briefing.pk])


def as_browser_sends(data):
    """A browser sends a textarea's line ends as CRLF."""
    return {
        key: value.replace("\n", "\r\n") if isinstance(value, str) else value for key, value in data.items()
    }


@pytest.fixture
def editor(client):
    user = make_user(group="Editors")
    client.force_login(user)
    return user


def test_saving_a_multi_paragraph_body_unchanged_writes_no_revision(client, editor, briefing):
    data = as_browser_sends(change_form_from_html(client.get(change_url(briefing)).content.decode()))
    assert data["sections-0-body"] == TWO_PARAGRAPHS.replace("\n", "\r\n")
    revisions = Revision.objects.count()
    response = client.post(change_url(briefing), data)
    assert response.status_code == 302
    assert Revision.objects.count() == revisions
    assert briefing.sections.get(position=0).body == TWO_PARAGRAPHS


def test_the_admin_stores_paragraphs_with_one_blank_line_between(client, editor, briefing):
    data = as_browser_sends(change_form_from_html(client.get(change_url(briefing)).content.decode()))
    data["sections-1-body"] = (
        "  Arden lends [1].\r\n\r\n\r\n \t \r\nArden also advises [2].\r\nOn rates [1].  \r\n\r\n"
    )
    response = client.post(change_url(briefing), data)
    assert response.status_code == 302
    body = briefing.sections.get(position=1).body
    assert body == "Arden lends [1].\n\nArden also advises [2].\nOn rates [1]."


def test_an_error_in_a_second_paragraph_is_shown_on_that_section(client, editor, briefing):
    data = change_form_from_html(client.get(change_url(briefing)).content.decode())
    data["sections-1-body"] = "Arden lends [1].\r\n\r\nArden also advises [sic]."
    response = client.post(change_url(briefing), data)
    assert response.status_code == 200
    assert "&#x27;[sic]&#x27; is not a citation" in response.content.decode()
    assert briefing.sections.get(position=1).body == "Arden lends [1].\n\nArden also advises [2]."


def test_a_published_section_of_two_paragraphs_reads_as_two_on_the_partner_page(client, briefing):
    publish(briefing)
    page = client.get(reverse("briefings:partner-detail", args=["arden"])).content.decode()
    article = page[page.index('<article class="partner-section"') : page.index("</article>")]
    paragraphs = re.findall(r"<p(?: dir=\"auto\")?>(.*?)</p>", article, re.S)
    assert len(paragraphs) == 2
    assert "Arden lends" in paragraphs[0] and "advises" in paragraphs[1]
    # Each citation keeps a tooltip id of its own.
    tips = re.findall(r'id="([^"]*-tip)"', article)
    assert len(tips) == len(set(tips)) == 2


def test_search_and_claims_read_each_paragraph(client, briefing):
    publish(briefing)
    section = PublishedSection.objects.get(briefing=briefing, number=0)
    assert section.body == TWO_PARAGRAPHS
    claims = Claim.objects.filter(section=section).order_by("ordinal")
    assert [c.text for c in claims] == [
        "Arden lends [1].",
        "It lends more each year [2].",
        "Belmont builds [2].",
    ]
    page = client.get(reverse("briefings:search") + "?q=Belmont").content.decode()
    assert "<mark>Belmont</mark> builds" in page


def test_a_new_paragraph_break_is_visible_in_the_public_compare(client, briefing):
    publish(briefing)
    revise(briefing, set_body(1, "Arden lends [1]. Arden also advises [2]."))
    publish(briefing, note="One paragraph for Arden.")
    url = reverse("briefings:publication-compare", args=[briefing.slug, 1, 2])
    content = client.get(url).content.decode()
    assert '<del>\n\n<span class="diff-para" title="paragraph break">¶</span>' not in content
    assert re.search(r'<del><span class="diff-para" title="paragraph break">¶</span>\n\n</del>', content)
    back = reverse("briefings:publication-compare", args=[briefing.slug, 2, 1])
    assert re.search(
        r'<ins><span class="diff-para" title="paragraph break">¶</span>\n\n</ins>',
        client.get(back).content.decode(),
    )


FILE = """Sample question: who shapes Estmark's water?
Executive summary
Arden lends [1].
It lends more each year [2].

Belmont builds [2].
1. Arden: the lender

Arden lends [1].



Arden also advises
on rates [2].
"""

EXPORTED = """Sample question: who shapes Estmark's water?
Executive summary
Arden lends [1]. It lends more each year [2].

Belmont builds [2].
1. Arden: the lender
Arden lends [1].

Arden also advises on rates [2].
"""


def test_paragraphs_import_export_and_import_again_unchanged(tmp_path):
    path = tmp_path / "briefing.txt"
    path.write_text(FILE, encoding="utf-8")
    call_command("import_briefing", str(path), "--slug", "estmark", stdout=StringIO(), stderr=StringIO())
    briefing = Briefing.objects.get(slug="estmark")
    assert (
        briefing.sections.get(position=0).body
        == "Arden lends [1]. It lends more each year [2].\n\nBelmont builds [2]."
    )
    out = StringIO()
    call_command("export_briefing", "estmark", stdout=out)
    assert out.getvalue().startswith(EXPORTED)
    again = tmp_path / "again.txt"
    again.write_text(out.getvalue(), encoding="utf-8")
    revisions = Revision.objects.count()
    result = StringIO()
    call_command("import_briefing", str(again), "--slug", "estmark", stdout=result, stderr=StringIO())
    assert "Nothing changed" in result.getvalue()
    assert Revision.objects.count() == revisions


def test_a_draft_with_a_bad_marker_previews_with_its_paragraphs(client):
    """Only a draft can hold one (publishing refuses it); its page still shows every paragraph."""
    briefing = make_briefing(
        sections=[("Executive summary", "Arden lends [1].\n\nBelmont <i>builds</i> [sic] [1].")],
        references={1: make_source()},
    )
    client.force_login(make_user(group="Editors"))
    page = client.get(briefing.get_absolute_url()).content.decode()
    summary = page[page.index('<section id="summary"') : page.index('<section id="references"')]
    paragraphs = re.findall(r"<p>(.*?)</p>", summary, re.S)
    assert len(paragraphs) == 2
    assert "Belmont &lt;i&gt;builds&lt;/i&gt; [sic]" in paragraphs[1]
    assert 'href="#ref-1"' in paragraphs[1]
