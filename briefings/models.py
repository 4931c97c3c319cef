"""Partners, briefings and their sections, publications and what publishing derives.

The working copy (Briefing, Section, sources.Reference) is what editors
change; every change is a django-reversion revision. Readers only ever see
Publication rows and the rows publishing derives from them (PublishedSection,
Claim, ClaimCitation, PublishedReference, PublishedPartner), which exist for
each briefing's current publication.
"""

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision

from sources.models import SourceGrade, SourceKind, grade_label
from sources.validators import AddressSlugField


class Partner(models.Model):
    """A country or actor that briefings assess, shared across briefings."""

    name = models.CharField(max_length=200, unique=True, help_text="As readers know it, e.g. 'Russia'.")
    slug = AddressSlugField(max_length=200, unique=True, help_text="Used in the partner page's URL.")
    description = models.TextField(blank=True, help_text="One or two sentences shown on the partner page.")
    edit_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Optimistic lock: raised by one on every save. A save that started from another "
        "value is refused; see briefings/editing/lock.py.",
    )

    UNVERSIONED_FIELDS = ("edit_version",)

    class Meta:
        ordering = ("name",)

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Counts saves for the optimistic lock (briefings/editing/lock.py), checked under a row lock.
        if not self._state.adding:
            self.edit_version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("briefings:partner-detail", kwargs={"slug": self.slug})


class BriefingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "Awaiting review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    PUBLISHED = "published", "Published"


class Briefing(models.Model):
    """The question a briefing answers, and its working copy's editorial state."""

    Status = BriefingStatus

    title = models.CharField(
        max_length=500, help_text="The question the briefing answers, as readers will see it."
    )
    slug = AddressSlugField(
        max_length=200, unique=True, help_text="The briefing's address: /briefings/<slug>/. Keep it stable."
    )
    subject = models.CharField(
        max_length=200, blank=True, help_text="What the briefing is about, e.g. 'Venezuela'."
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Where the working copy stands. Any edit makes it a draft again.",
    )
    edit_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Optimistic lock: raised by one on every write to the working copy's content. "
        "A save that started from another value is merged or refused; see briefings/editing/lock.py.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not stored in revisions: it counts writes, and a revert must not wind it
    # back (a stale form would then match again); see briefings/editing/lock.py.
    UNVERSIONED_FIELDS = ("edit_version",)

    class Meta:
        ordering = ("title",)
        permissions = [
            ("publish_briefing", "Can publish a briefing"),
            ("revert_briefing", "Can revert a briefing to an earlier revision"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BriefingStatus.values), name="briefing_status_valid"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("briefings:briefing-detail", kwargs={"slug": self.slug})


class Section(models.Model):
    """One section of a briefing: the executive summary (first), or a numbered section."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(
        default=0,
        help_text="Order in the briefing. The first section is the executive summary.",
    )
    heading = models.CharField(
        max_length=500, help_text="'Partner: subtitle' for a partner section, or a theme."
    )
    body = models.TextField(
        help_text="Prose; leave a blank line between paragraphs. Cite entry n of the reference list as [n], "
        "after the words it supports."
    )
    partners = models.ManyToManyField(
        Partner, blank=True, related_name="sections", help_text="Partners this section concerns."
    )

    # Not stored in revisions: a revision's order of sections is RevisionContents.sections,
    # so moving a section writes no copy of it.
    UNVERSIONED_FIELDS = ("position",)

    class Meta:
        ordering = ("briefing", "position", "pk")
        verbose_name = "section"

    def __str__(self):
        return self.heading


class PublicationQuerySet(models.QuerySet):
    def live(self):
        """Publications readers may see: every one not withdrawn (briefings/publishing/takedown.py)."""
        return self.filter(withdrawal__isnull=True)

    def current(self):
        """The latest live publication of each briefing: the one its page shows."""
        newer = Publication.objects.filter(
            briefing=OuterRef("briefing"), number__gt=OuterRef("number"), withdrawal__isnull=True
        )
        return self.live().filter(~Exists(newer))

    def with_partners(self):
        """For lists of current publications: without the heavy columns, and with ``partners``.

        ``partners`` are the PublishedPartner rows of each publication (its
        partners' names and slugs as it published them), in the order its
        sections first name them, by name within a section: one query for the
        whole list. Only current publications have such rows.
        """
        first_section = (
            PublishedSection.objects.filter(publication=OuterRef("publication"), partners=OuterRef("partner"))
            .order_by("number")
            .values("number")[:1]
        )
        partners = PublishedPartner.objects.annotate(first_section=Subquery(first_section)).order_by(
            "first_section", "name", "pk"
        )
        return self.defer("snapshot", "rendered_html").prefetch_related(
            Prefetch("published_partners", queryset=partners, to_attr="partners")
        )


class PublicationKind(models.TextChoices):
    FIRST = "first", "First publication"
    UPDATE = "update", "Update"
    CORRECTION = "correction", "Correction"


class Publication(models.Model):
    """An immutable, numbered snapshot of a briefing as published."""

    # The snapshot schema (docs/snapshot-schema.md). 2: sentences stored by paragraph.
    # 3: source grades, each citation's credibility, judgments and the sourcing summary.
    SCHEMA_VERSION = 3

    Kind = PublicationKind

    briefing = models.ForeignKey(Briefing, on_delete=models.PROTECT, related_name="publications")
    number = models.PositiveIntegerField(help_text="1, 2, 3 … per briefing.")
    revision = models.ForeignKey(
        Revision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The working-copy revision this publication was made from.",
    )
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        help_text="First publication, an update, or a correction of an error; shown in the change log.",
    )
    note = models.TextField(help_text="Public change note, shown to readers in the change log.")
    title = models.CharField(
        max_length=500, help_text="The briefing's title as published; fixed at publication."
    )
    subject = models.CharField(
        max_length=200, blank=True, help_text="The briefing's subject as published; fixed at publication."
    )
    schema_version = models.PositiveSmallIntegerField(
        default=SCHEMA_VERSION, help_text="Version of the snapshot's format, so old snapshots stay readable."
    )
    snapshot = models.JSONField(help_text="The briefing as published; see docs/snapshot-schema.md.")
    rendered_html = models.TextField(help_text="The escaped article body, rendered once at publication.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Who published it; empty if published without --user or the account was deleted.",
    )
    published_at = models.DateTimeField(help_text="When it went public; readers see this date.")
    recalled_sources = models.JSONField(
        default=list,
        blank=True,
        help_text="Recalled sources this correction answers, named in the public change log: "
        '[{"id", "title", "recall", "reason"}, …].',
    )

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ("briefing", "-number")
        get_latest_by = "number"
        permissions = [("withdraw_publication", "Can withdraw a publication for legal reasons")]
        constraints = [
            models.UniqueConstraint(fields=("briefing", "number"), name="publication_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="publication_number_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=PublicationKind.values), name="publication_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=("-published_at",), name="publication_published_idx"),
            # Covers the sitemap's totals, the day filters and the lists in date order with the
            # "current" test (briefing, number): SQLite stores a row's columns in one record,
            # and reading published_at from the table walks past the snapshot and the HTML.
            models.Index(fields=("published_at", "briefing", "number"), name="publication_time_idx"),
        ]

    def __str__(self):
        return f"{self.title} (v{self.number})"

    def get_absolute_url(self):
        return reverse(
            "briefings:publication-detail", kwargs={"slug": self.briefing.slug, "number": self.number}
        )

    @property
    def log_note(self):
        """The note as the change log prints it after the kind: empty if it only repeats the kind.

        A first publication's note is often just "First publication", which would
        read "First publication: First publication".
        """
        note = self.note.strip()
        return "" if note.rstrip(".").strip().casefold() == self.get_kind_display().casefold() else note


class Withdrawal(models.Model):
    """A publication taken down for legal reasons: who, when and why. Never changed or deleted.

    The publication itself stays as it was (publications are immutable); this
    row is what makes its permalink, JSON and comparisons answer 410 Gone
    with ``notice``, and the change log say it was withdrawn and why.
    """

    # PROTECT: a withdrawn publication is kept, for the record.
    publication = models.OneToOneField(
        Publication,
        on_delete=models.PROTECT,
        related_name="withdrawal",
        help_text="The publication withdrawn.",
    )
    notice = models.TextField(
        help_text="Public: shown to readers at its address and in the change log, e.g. "
        "'Withdrawn following a court order of 3 March 2026.'"
    )
    reason = models.TextField(
        blank=True, help_text="Internal: the legal ground or case reference. Never shown to readers."
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-withdrawn_at", "-pk")
        constraints = [
            models.CheckConstraint(condition=~Q(notice=""), name="withdrawal_notice_required"),
        ]

    def __str__(self):
        return f"Withdrawal of {self.publication_id}"


class PublishedSection(models.Model):
    """A section of a briefing's current publication, for partner pages and search."""

    publication = models.ForeignKey(
        Publication,
        on_delete=models.CASCADE,
        related_name="published_sections",
        help_text="The briefing's current publication, which this section is copied from.",
    )
    briefing = models.ForeignKey(
        Briefing, on_delete=models.CASCADE, related_name="+", help_text="The publication's briefing."
    )
    number = models.PositiveIntegerField(help_text="0 for the executive summary.")
    heading = models.CharField(max_length=500, help_text="The heading as published.")
    body = models.TextField(
        help_text="The text as published, with its [n] markers; paragraphs separated by a blank line."
    )
    partners = models.ManyToManyField(
        Partner,
        blank=True,
        related_name="published_sections",
        help_text="Partners the section is about, as published; its partner pages list it.",
    )
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="PostgreSQL only: search_document() of heading and body, stored at publication "
        "and GIN-indexed (migration 0007); empty elsewhere.",
    )

    class Meta:
        ordering = ("publication", "number")
        constraints = [
            models.UniqueConstraint(fields=("publication", "number"), name="published_section_unique_number"),
        ]

    def __str__(self):
        return self.heading

    def get_absolute_url(self):
        return f"{self.briefing.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return section_anchor(self.number)

    @staticmethod
    def search_document():
        """The full-text vector of a section: heading (weight A) and body (B), in English."""
        return SearchVector("heading", weight="A", config="english") + SearchVector(
            "body", weight="B", config="english"
        )


class Claim(models.Model):
    """One cited sentence of a current publication. Derived by publishing, never typed in."""

    section = models.ForeignKey(
        PublishedSection, on_delete=models.CASCADE, related_name="claims", help_text="The section it is in."
    )
    ordinal = models.PositiveIntegerField(help_text="Position of the sentence within its section, from 1.")
    text = models.TextField(help_text="The sentence as published, with its [n] citation markers.")
    anchor = models.CharField(
        max_length=40,
        help_text="The sentence's id on the briefing page (#claim-…): it stays the same through later "
        "publications while the sentence's words do (briefings/text/anchors.py).",
    )
    sources = models.ManyToManyField(
        "sources.Source",
        through="ClaimCitation",
        related_name="claims",
        help_text="The sources it cites; each source's page lists it.",
    )

    class Meta:
        ordering = ("section", "ordinal")
        constraints = [
            models.UniqueConstraint(fields=("section", "ordinal"), name="claim_unique_ordinal"),
        ]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return f"{self.section.briefing.get_absolute_url()}#{self.anchor}"


class ClaimCitation(models.Model):
    """The n-th citation of a claim, in the order written."""

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="citations", help_text="The cited sentence."
    )
    position = models.PositiveIntegerField(help_text="Order of this citation within the sentence, from 1.")
    reference_number = models.PositiveIntegerField(
        help_text="The n of the [n] marker: the entry of the briefing's reference list it cites."
    )
    # PROTECT: deleting a source must never silently change a published page.
    source = models.ForeignKey(
        "sources.Source",
        on_delete=models.PROTECT,
        related_name="citations",
        help_text="The source entry n pointed to at publication.",
    )
    credibility = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The information's credibility as the citation states it ([n:c]): 1 confirmed by other "
        "sources … 6 truth cannot be judged; empty when not stated.",
    )
    source_kind = models.CharField(
        max_length=20,
        choices=SourceKind.choices,
        help_text="The source's kind as the publication published it (its PublishedReference's): the "
        "claim list's kind filter reads this indexed copy instead of joining to the reference list.",
    )

    class Meta:
        ordering = ("claim", "position")
        constraints = [
            models.UniqueConstraint(fields=("claim", "position"), name="claim_citation_unique_position"),
            models.CheckConstraint(
                condition=Q(credibility__isnull=True) | Q(credibility__gte=1, credibility__lte=6),
                name="claim_citation_credibility_valid",
            ),
        ]
        # A source's claims, in the claim list's order (by claim id).
        indexes = [
            models.Index(fields=("source", "claim"), name="claim_citation_source_idx"),
            models.Index(fields=("source_kind", "claim"), name="claim_citation_kind_idx"),
        ]

    def __str__(self):
        return f"[{self.reference_number}]"


def pending_title(number, briefing_title):
    """How readers see a placeholder source: the entry that cites it and the briefing it is in."""
    return f"Details pending: [{number}] of {briefing_title}"


class PublishedReferenceQuerySet(models.QuerySet):
    def latest_per_source(self):
        """One row per cited source: the copy taken most recently at publication.

        A source cited by several current publications may have been copied at
        different times with different details; readers see the newest copy.
        Publishing keeps ``is_latest`` true on exactly that row, the copy of
        the most recently published publication (``publish.rebuild_derived_many``;
        a withdrawal that rebuilds a briefing from an older publication does
        not make its older copy latest).
        """
        return self.filter(is_latest=True)


class PublishedReference(models.Model):
    """Entry ``number`` of a current publication's reference list, with its source as published.

    Source rows are shared and editable at any time, so their live fields may
    hold edits nobody has published. Public pages read these copies, taken
    from the publication's snapshot, instead. Derived by publishing, never typed in.
    """

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="published_references"
    )
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="published_copies")
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField("URL", max_length=1000, blank=True)
    published_on = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    # The source's reliability grade as published ("" when ungraded, or published before grades).
    grade = models.CharField(max_length=1, choices=SourceGrade.choices, blank=True, default="")
    details_pending = models.BooleanField(default=False)
    is_latest = models.BooleanField(
        default=False, help_text="The source's most recently published copy: the one readers see."
    )

    objects = PublishedReferenceQuerySet.as_manager()

    class Meta:
        ordering = ("publication", "number")
        constraints = [
            models.UniqueConstraint(
                fields=("publication", "number"), name="published_reference_unique_number"
            ),
            # Also the index that finds a source's public copy.
            models.UniqueConstraint(
                fields=("source",), condition=Q(is_latest=True), name="published_reference_one_latest"
            ),
        ]
        indexes = [
            # The source list, in its order, and its publisher filter.
            models.Index(
                fields=("title", "id"), condition=Q(is_latest=True), name="published_reference_list_idx"
            ),
            models.Index(
                fields=("publisher",), condition=Q(is_latest=True), name="published_reference_pub_idx"
            ),
            models.Index(fields=("source", "id"), name="published_reference_source_idx"),
        ]

    def __str__(self):
        return f"[{self.number}] {self.title}"  # as stored: no query for the publication's title

    def get_absolute_url(self):
        return reverse("sources:source-detail", kwargs={"pk": self.source_id})

    @property
    def display_title(self):
        """The title readers see. A placeholder's stored title is the editor's to-do: readers get
        which entry of which briefing it is, "Details pending: [3] of <title>" (load ``publication``
        with the row: this reads its title)."""
        if self.details_pending:
            return pending_title(self.number, self.publication.title)
        return self.title

    @property
    def grade_label(self):
        """The grade as readers read it, "Grade B — usually reliable"; "" when ungraded."""
        return grade_label(self.grade)


class PublishedPartnerQuerySet(models.QuerySet):
    def latest_per_partner(self):
        """One row per partner: as the most recently published current publication names it.

        Partner rows are shared and editable at any time, and two current
        publications may have copied one partner under different names,
        slugs or descriptions. The latest publication wins: readers see the
        partner as it was last published, and an older copy's slug still
        finds the partner (see ``views.partner_detail``). Publishing keeps
        ``is_latest`` true on exactly that row (``publish.rebuild_derived_many``).
        """
        return self.filter(is_latest=True)


class PublishedPartner(models.Model):
    """A partner that a current publication's sections name, with its details as published.

    Public pages read these copies, taken from the publication's snapshot,
    never the live Partner row, whose edits nobody has published yet.
    Derived by publishing, never typed in.
    """

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="published_partners")
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="+")
    # PROTECT: deleting a partner must not change what readers were shown.
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="published_copies")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    description = models.TextField(blank=True)
    is_latest = models.BooleanField(
        default=False, help_text="The partner's most recently published copy: the one readers see."
    )

    objects = PublishedPartnerQuerySet.as_manager()

    class Meta:
        ordering = ("name", "pk")
        constraints = [
            models.UniqueConstraint(fields=("publication", "partner"), name="published_partner_unique"),
            models.UniqueConstraint(
                fields=("partner",), condition=Q(is_latest=True), name="published_partner_one_latest"
            ),
        ]
        # The publications naming a partner (the briefing list's partner filter).
        indexes = [models.Index(fields=("partner", "publication"), name="published_partner_partner_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("briefings:partner-detail", kwargs={"slug": self.slug})


def section_anchor(number):
    return "summary" if number == 0 else f"section-{number}"


class RecallFlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class RecallFlag(models.Model):
    """A briefing that cited a source when it was recalled, until a correction is published.

    Raised by briefings/publishing/recall.py for every briefing whose working
    copy or current publication cites the source; resolved by publishing the
    briefing as a correction (which names the source in the change log) or by
    lifting the recall.
    """

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="recall_flags")
    source = models.ForeignKey("sources.Source", on_delete=models.CASCADE, related_name="recall_flags")
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        Publication,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The correction that answered it; empty if the recall was lifted.",
    )

    objects = RecallFlagQuerySet.as_manager()

    class Meta:
        ordering = ("-raised_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("briefing", "source"),
                condition=Q(resolved_at__isnull=True),
                name="recall_flag_one_open",
            ),
        ]

    def __str__(self):
        return f"Briefing {self.briefing_id} cites recalled source {self.source_id}"


class ReviewEventKind(models.TextChoices):
    SUBMITTED = "submitted", "Submitted for review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved and published"
    EDITED = "edited", "Edited (review state reset)"
    PUBLISHED = "published", "Published by an operator"


class ReviewEvent(models.Model):
    """One step of a briefing's review, with who took it and when. Rows are never changed."""

    Kind = ReviewEventKind

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="review_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    message = models.TextField(blank=True, help_text="The editor's or reviewer's words; never public.")
    revision = models.ForeignKey(
        Revision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The working-copy revision this step concerned.",
    )
    publication = models.ForeignKey(
        Publication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=("briefing", "-created_at"), name="review_event_briefing_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReviewEventKind.values), name="review_event_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.briefing_id}"


class PreviewLink(models.Model):
    """A signed link to the working copy for a reader without an account.

    The URL carries a signature over this row's id; the row decides whether
    the link still works, so a link can be revoked before it expires.
    """

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="preview_links")
    label = models.CharField(
        max_length=200, blank=True, help_text="Who the link is for, e.g. 'legal reader'. Only staff see it."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self):
        return f"Preview of {self.briefing_id} for {self.label or 'unnamed reader'}"

    def is_active(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class RevisionKind(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    IMPORTED = "imported", "Imported"
    RESTORED = "restored", "Restored"
    RECOVERED = "recovered", "Recovered"


class RevisionContents(models.Model):
    """The whole working copy at one revision, so that the revision need store only what changed.

    A revision of a briefing holds a django-reversion Version of the briefing
    and of each section the write changed, nothing else. This row names every
    section the working copy had then, in order, each with the revision that
    holds its text as of then, and the reference list. Written with the
    revision (``reversion.add_meta``) by briefings/editing/working_copy.py.
    """

    Kind = RevisionKind

    revision = models.OneToOneField(
        Revision, on_delete=models.CASCADE, primary_key=True, related_name="briefing_contents"
    )
    # Not a foreign key: the history of a deleted briefing stays, so it can be recovered.
    briefing_id = models.BigIntegerField(help_text="The briefing this revision is of.")
    number = models.PositiveIntegerField(help_text="1, 2, 3 … per briefing, as History shows it.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sections = models.JSONField(
        help_text="[[section id, id of the revision holding its text (null: this one)], …] in order."
    )
    references = models.JSONField(help_text="[[number, source id], …] by number.")
    base_revision_id = models.IntegerField(
        null=True, blank=True, help_text="The revision the editor started from, when it was not the latest."
    )

    class Meta:
        ordering = ("briefing_id", "number")
        verbose_name_plural = "revision contents"
        constraints = [
            models.UniqueConstraint(fields=("briefing_id", "number"), name="revision_contents_unique_number"),
            models.CheckConstraint(
                condition=Q(kind__in=RevisionKind.values), name="revision_contents_kind_valid"
            ),
        ]

    def __str__(self):
        return f"Revision #{self.number} of briefing {self.briefing_id}"


class SourceInHistory(models.Model):
    """A source that some revision of a briefing cites.

    PROTECT keeps it: a revision must stay restorable, so a source any of them
    names cannot be deleted. The briefing is an id, not a foreign key, so the
    protection outlives a deleted (and recoverable) briefing.
    """

    briefing_id = models.BigIntegerField()
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "use in a briefing's history"
        verbose_name_plural = "uses in briefings' history"
        constraints = [
            models.UniqueConstraint(fields=("source", "briefing_id"), name="source_in_history_unique"),
        ]

    def __str__(self):
        return f"named by revisions of briefing #{self.briefing_id}"


class PartnerInHistory(models.Model):
    """A partner that some revision of a briefing names; see SourceInHistory."""

    briefing_id = models.BigIntegerField()
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "use in a briefing's history"
        verbose_name_plural = "uses in briefings' history"
        constraints = [
            models.UniqueConstraint(fields=("partner", "briefing_id"), name="partner_in_history_unique"),
        ]

    def __str__(self):
        return f"named by revisions of briefing #{self.briefing_id}"


# A briefing's revision holds the briefing and the sections that write changed
# (briefings/editing/working_copy.py adds them by hand); RevisionContents says
# what else the working copy held. References are part of RevisionContents.
reversion.register(Partner, exclude=Partner.UNVERSIONED_FIELDS)
reversion.register(Section, exclude=Section.UNVERSIONED_FIELDS)
reversion.register(Briefing, exclude=Briefing.UNVERSIONED_FIELDS)
