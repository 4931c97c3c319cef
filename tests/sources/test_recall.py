"""Recalling a source: flags, notices for readers, and the correction that names it."""

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

from briefings.admin.safety import _revert_keeping_unversioned
from briefings.models import Claim, Publication, RecallFlag
from briefings.publishing import review
from briefings.publishing.recall import RecallError, lift_recall, recall_source
from sources.models import Source
from tests.factories import make_briefing, make_source, make_user, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client):
    user = make_user(group="Reviewers")
    client.force_login(user)
    client.user = user
    return client


def cited_in(source, *, title="Sample question: who lends to Estmark?", body="Arden lends [1]. Uncited."):
    return make_briefing(
        title=title,
        sections=[("Executive summary", body), ("Arden: lender", "Arden builds [2].", ["Arden"])],
        references={1: source, 2: make_source("Another source")},
    )


def page(client, url):
    response = client.get(url)
    return response, response.content.decode()


WITHDRAWN = "The publisher withdrew it: the figures were invented."


def recall_in_admin(client, source, reason=WITHDRAWN, kind="retracted"):
    url = reverse("admin:sources_source_recall", args=[source.pk])
    return client.post(url, {"recall": kind, "reason": reason})


def test_recalling_flags_every_citing_briefing_and_readers_see_notices_until_a_correction(reviewer, client):
    source = make_source("Harbour loan report", publisher="Estmark Review")
    published = cited_in(source)
    publish(published)
    draft_only = cited_in(source, title="Draft question?")
    unrelated = make_briefing(title="Unrelated question?")
    publish(unrelated)
    briefing_url = published.get_absolute_url()
    # Cached before the recall: the recall must empty the page cache.
    _, before = page(client, briefing_url)
    assert "Source recalled" not in before

    response = recall_in_admin(reviewer, source)
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.recall == Source.Recall.RETRACTED
    assert source.recall_reason == "The publisher withdrew it: the figures were invented."
    assert source.recalled_by == reviewer.user
    assert source.recalled_at is not None
    flagged = set(RecallFlag.objects.open().values_list("briefing_id", flat=True))
    assert flagged == {published.pk, draft_only.pk}

    response, html = page(client, briefing_url)
    assert response["X-Page-Cache"] == "miss"
    assert "Source recalled" in html
    assert 'href="#ref-1">[1]</a>' in html
    assert "retracted" in html
    assert "The publisher withdrew it: the figures were invented." in html
    _, html = page(client, unrelated.get_absolute_url())
    assert "Source recalled" not in html

    _, html = page(client, reverse("sources:source-detail", args=[source.pk]))
    assert "This source has been retracted" in html
    assert "The publisher withdrew it" in html
    title = "Sample question: who lends to Estmark?"
    assert f'href="{briefing_url}"><bdi>{title}</bdi></a> (version 1, reference [1])' in html
    assert (
        f'href="{briefing_url}#{Claim.objects.get(section__briefing=published, section__number=0).anchor}"'
        in html
    )

    # An update leaves the notice: only a correction answers a recall.
    publish(published, kind="update", note="New figures.")
    _, html = page(client, briefing_url)
    assert "Source recalled" in html

    publish(published, kind="correction", note="The harbour loan claim is withdrawn.")
    response, html = page(client, briefing_url)
    assert "Source recalled" not in html
    assert "The harbour loan claim is withdrawn." in html
    assert (
        "Recalled source: “<bdi>Harbour loan report</bdi>” (retracted: <bdi>The publisher withdrew it" in html
    )
    correction = Publication.objects.get(briefing=published, number=3)
    assert correction.recalled_sources == [
        {
            "id": source.pk,
            "title": "Harbour loan report",
            "recall": "retracted",
            "reason": "The publisher withdrew it: the figures were invented.",
        }
    ]
    flag = RecallFlag.objects.get(briefing=published)
    assert flag.resolved_by == correction
    # The draft-only briefing is still flagged.
    assert RecallFlag.objects.open().get().briefing == draft_only


def test_the_briefing_page_etag_changes_with_the_notice(client):
    source = make_source()
    briefing = cited_in(source)
    publish(briefing)
    url = briefing.get_absolute_url()
    etag = client.get(url)["ETag"]
    recall_source(source=source, user=make_user(superuser=True), recall="discredited", reason="Forged.")
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "discredited" in response.content.decode()


def test_a_flagged_briefing_can_be_submitted_unchanged_and_the_review_page_proposes_a_correction(reviewer):
    source = make_source("Shaky report")
    briefing = cited_in(source)
    publish(briefing)
    assert not review.unpublished_changes(briefing)
    recall_in_admin(reviewer, source, kind="discredited", reason="Shown to be forged.")
    assert review.unpublished_changes(briefing)
    _, html = page(reviewer, reverse("admin:briefings_briefing_review", args=[briefing.pk]))
    assert "Shaky report" in html
    assert "Shown to be forged." in html
    assert '<option value="correction" selected>' in html


def test_the_admin_lists_flagged_briefings_and_what_cites_a_source(reviewer):
    source = make_source("Harbour loan report")
    flagged = cited_in(source)
    publish(flagged)
    other = make_briefing(title="Calm question?")
    recall_in_admin(reviewer, source)
    _, html = page(reviewer, reverse("admin:briefings_briefing_changelist"))
    assert "1 — needs a correction" in html
    _, html = page(reviewer, reverse("admin:briefings_briefing_changelist") + "?recalled=yes")
    assert flagged.title in html
    assert other.title not in html
    _, html = page(reviewer, reverse("admin:briefings_briefing_change", args=[flagged.pk]))
    assert "Cites a recalled source" in html
    review.submit_for_review(briefing=flagged, user=reviewer.user, message="Correct the recalled claim.")
    _, html = page(reviewer, reverse("admin:briefings_briefing_review_queue"))
    assert "Cites 1 recalled source: publish as a correction" in html

    _, html = page(reviewer, reverse("admin:sources_source_change", args=[source.pk]))
    assert "Retracted</strong> on" in html
    assert f"by {reviewer.user.username}" in html
    assert "(working copy, reference [1])" in html
    assert "(current publication, version 1, reference [1])" in html
    assert "Published claims (1):" in html
    assert "Arden lends [1]." in html
    _, html = page(reviewer, reverse("admin:sources_source_changelist") + "?recall=retracted")
    assert "Harbour loan report" in html
    assert "<strong>Retracted</strong>" in html


def test_a_recall_needs_a_kind_and_a_reason_and_is_not_made_twice(reviewer):
    source = make_source()
    cited_in(source)
    response = recall_in_admin(reviewer, source, reason="   ")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    user = reviewer.user
    with pytest.raises(RecallError, match="A recall is one of “retracted”, “discredited”, not “wrong”"):
        recall_source(source=source, user=user, recall="wrong", reason="Because.")
    with pytest.raises(RecallError, match="A reason is required"):
        recall_source(source=source, user=user, recall="retracted", reason="")
    recall_source(source=source, user=user, recall="retracted", reason="Because.")
    with pytest.raises(RecallError, match="is already retracted; lift that recall first"):
        recall_source(source=source, user=user, recall="discredited", reason="Again.")
    assert RecallFlag.objects.count() == 1
    with pytest.raises(RecallError, match="You may not recall sources"):
        recall_source(source=make_source(), user=make_user(), recall="retracted", reason="No rights.")


def test_lifting_a_recall_removes_the_notices_and_closes_the_flags(reviewer, client):
    source = make_source()
    briefing = cited_in(source)
    publish(briefing)
    recall_in_admin(reviewer, source)
    assert "Source recalled" in page(client, briefing.get_absolute_url())[1]
    response = reviewer.post(reverse("admin:sources_source_recall", args=[source.pk]))
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.recall == ""
    assert not RecallFlag.objects.open().exists()
    assert "Source recalled" not in page(client, briefing.get_absolute_url())[1]
    with pytest.raises(RecallError, match="is not recalled"):
        lift_recall(source=source, user=reviewer.user)


def test_a_recall_reason_is_shown_as_text_never_as_html(reviewer, client):
    source = make_source()
    briefing = cited_in(source)
    publish(briefing)
    recall_in_admin(reviewer, source, reason="<script>alert(1)</script> & more")
    for url in (briefing.get_absolute_url(), reverse("sources:source-detail", args=[source.pk])):
        html = page(client, url)[1]
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    html = page(reviewer, reverse("admin:sources_source_change", args=[source.pk]))[1]
    assert "<script>alert(1)</script>" not in html


def test_the_briefing_page_stays_at_its_query_count_and_adds_one_only_while_a_recall_is_open(
    client, django_assert_num_queries
):
    source = make_source()
    briefing = cited_in(source)
    publish(briefing)
    with django_assert_num_queries(2):
        client.get(briefing.get_absolute_url())
    recall_source(source=source, user=make_user(superuser=True), recall="retracted", reason="Withdrawn.")
    with django_assert_num_queries(3):
        assert "Withdrawn." in client.get(briefing.get_absolute_url()).content.decode()


def test_the_recall_survives_restoring_an_older_revision_of_the_source(reviewer):
    with reversion.create_revision():
        source = make_source("Old title")
    cited_in(source)
    recall_source(source=source, user=reviewer.user, recall="retracted", reason="Withdrawn.")
    _revert_keeping_unversioned(Version.objects.get_for_object(source).get())
    source.refresh_from_db()
    assert source.recall == "retracted"
    assert source.recall_reason == "Withdrawn."
    assert source.recalled_by == reviewer.user


def test_an_incremental_bake_renders_the_notice_and_removes_it_after_the_correction(tmp_path):
    from briefings.public.bake import Baker

    source = make_source("Harbour loan report")
    briefing = cited_in(source)
    publish(briefing)
    baker = Baker(tmp_path, base_url="http://localhost")
    baker.bake()
    page_file = tmp_path / "briefings" / briefing.slug / "index.html"
    source_file = tmp_path / "sources" / str(source.pk) / "index.html"
    assert "Source recalled" not in page_file.read_text()
    recall_source(source=source, user=make_user(superuser=True), recall="retracted", reason="Withdrawn.")
    assert not baker.bake().full
    assert "Source recalled" in page_file.read_text()
    assert "This source has been retracted" in source_file.read_text()
    publish(briefing, kind="correction", note="Claim withdrawn.")
    baker.bake()
    assert "Source recalled" not in page_file.read_text()
    assert "Recalled source: “<bdi>Harbour loan report</bdi>”" in page_file.read_text()


def test_a_source_page_lists_a_bounded_number_of_citing_briefings(client, monkeypatch):
    from briefings.public import sources as source_views

    monkeypatch.setattr(source_views, "CITING_SHOWN", 2)
    source = make_source("A widely cited sample source")
    for n in range(3):
        publish(
            make_briefing(
                title=f"Sample question {n}?", slug=f"sample-cited-{n}", references={1: source, 2: source}
            )
        )
    html = client.get(reverse("sources:source-detail", args=[source.pk])).content.decode()
    assert html.count('<li><a href="/briefings/sample-cited-') == 2
    assert "And more: the first 2 are listed" in html
