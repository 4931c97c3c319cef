"""Sources (shared bibliographic records) and each briefing's reference list."""

from urllib.parse import urlsplit, urlunsplit

import reversion
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from sources.validators import refuse_bidi_controls

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url):
    """One spelling per address, so that sources de-duplicate by URL.

    The scheme and host are lower-cased, a default port (80 for http, 443 for
    https) is dropped, as are trailing slashes on the path and the fragment.
    The query and the path's case are kept: servers may tell them apart. A
    value that does not parse as a URL with a host is returned stripped, for
    the form's URL validation to refuse.

    The data migration sources/0003 holds a frozen copy of this function.
    """
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if not parts.scheme or not parts.hostname:
        return url
    scheme = parts.scheme.lower()
    host = parts.hostname  # lower-cased by urlsplit, without IPv6 brackets
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username is not None or parts.password is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), parts.query, ""))


class SourceKind(models.TextChoices):
    NEWS = "news", "News report"
    ANALYSIS = "analysis", "Analysis or think-tank paper"
    GOVERNMENT = "government", "Government or official statement"
    ACADEMIC = "academic", "Academic publication"
    DATA = "data", "Data set"
    OTHER = "other", "Other"


class SourceGrade(models.TextChoices):
    """The Admiralty code's source-reliability grade (its first character)."""

    UNGRADED = "", "Not yet graded"
    A = "A", "A — completely reliable"
    B = "B", "B — usually reliable"
    C = "C", "C — fairly reliable"
    D = "D", "D — not usually reliable"
    E = "E", "E — unreliable"
    F = "F", "F — reliability cannot be judged"


# The plain-language meaning of each grade, as readers see it ("Grade B — usually reliable").
GRADE_MEANINGS = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}


def grade_label(grade):
    """A reliability grade as readers read it: "Grade B — usually reliable"; "" when ungraded."""
    return f"Grade {grade} — {GRADE_MEANINGS[grade]}" if grade in GRADE_MEANINGS else ""


class SourceRecall(models.TextChoices):
    NONE = "", "Not recalled"
    RETRACTED = "retracted", "Retracted"
    DISCREDITED = "discredited", "Discredited"


class SourceQuerySet(models.QuerySet):
    def by_normalised_url(self, urls, batch=200):
        """``{normalise_url(url): source}`` for the stored sources with one of ``urls``, however spelled.

        Candidates are the URL and the URL with a trailing slash in any case,
        a batch at a time; a candidate counts only if it normalises to exactly
        the URL asked for. (A source saved with its URL normalised is found
        at the first spelling.)
        """
        wanted = {normalise_url(url) for url in urls if url}
        spellings = sorted({spelling for url in wanted for spelling in (url, url + "/")})
        found = {}
        for start in range(0, len(spellings), batch):
            match = Q()
            for spelling in spellings[start : start + batch]:
                match |= Q(url__iexact=spelling)
            for source in self.filter(match).order_by("pk"):
                key = normalise_url(source.url)
                if key in wanted:
                    found.setdefault(key, source)
        return found


class Source(models.Model):
    """A bibliographic record, shared by every briefing that cites it."""

    Kind = SourceKind
    Grade = SourceGrade
    Recall = SourceRecall

    title = models.CharField(max_length=500, help_text="The source's own title, as published.")
    publisher = models.CharField(
        max_length=200, blank=True, help_text="Outlet, institution or author responsible."
    )
    url = models.URLField(
        "URL",
        max_length=1000,
        blank=True,
        help_text="Where readers can check the source. Sources are de-duplicated by URL: it is stored "
        "with its scheme and host in lower case, without a default port, trailing slash or #fragment.",
        validators=[refuse_bidi_controls],
    )
    published_on = models.DateField(
        null=True, blank=True, help_text="Date the source was published, if known."
    )
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.OTHER,
        help_text="What sort of source it is; readers can filter sources by kind.",
    )
    grade = models.CharField(
        "reliability grade",
        max_length=1,
        choices=Grade.choices,
        default=Grade.UNGRADED,
        blank=True,
        help_text="How far this source can be relied on (the Admiralty code): A completely reliable, "
        "B usually reliable, C fairly reliable, D not usually reliable, E unreliable, F cannot be judged. "
        "Readers see it beside the source.",
    )
    details_pending = models.BooleanField(
        default=False,
        help_text="Set by the importer on placeholder sources. Clear it once the details are filled in.",
    )
    notes = models.TextField(blank=True, help_text="Internal notes; never shown to readers.")
    archive_url = models.URLField(
        "archive URL",
        max_length=1000,
        blank=True,
        help_text="A copy of the source kept by an archive (e.g. the Wayback Machine), for when the link "
        "dies or its content changes.",
    )
    # Set and lifted only by briefings/publishing/recall.py, which flags every briefing that cites it.
    recall = models.CharField(
        max_length=20,
        choices=SourceRecall.choices,
        default=SourceRecall.NONE,
        blank=True,
        editable=False,
        help_text="Retracted by its publisher, or discredited; readers see a notice.",
    )
    recall_reason = models.TextField(
        blank=True, editable=False, help_text="Why the source was recalled; shown to readers."
    )
    recalled_at = models.DateTimeField(null=True, blank=True, editable=False)
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    edit_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Optimistic lock: raised by one on every save; a save that started from another value is "
        "refused.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # A recall is its own record (who, when, why), not an edit: restoring an old
    # revision of the source must not lift it.
    UNVERSIONED_FIELDS = ("edit_version", "recall", "recall_reason", "recalled_at", "recalled_by")

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ("title", "pk")
        constraints = [
            models.UniqueConstraint(fields=("url",), condition=~Q(url=""), name="source_unique_url"),
            models.CheckConstraint(condition=Q(kind__in=SourceKind.values), name="source_kind_valid"),
            models.CheckConstraint(condition=Q(grade__in=SourceGrade.values), name="source_grade_valid"),
            models.CheckConstraint(condition=Q(recall__in=SourceRecall.values), name="source_recall_valid"),
        ]
        indexes = [models.Index(fields=("publisher",), name="source_publisher_idx")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.url = normalise_url(self.url)
        # Counts saves for the optimistic lock (briefings/editing/lock.py), checked under a row lock.
        if not self._state.adding:
            self.edit_version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("sources:source-detail", kwargs={"pk": self.pk})

    @property
    def grade_label(self):
        return grade_label(self.grade)


class LinkState(models.TextChoices):
    OK = "ok", "Link works"
    CHANGED = "changed", "Content changed"
    DEAD = "dead", "Dead link"
    BLOCKED = "blocked", "Not checked: robots.txt disallows it, or not a public address"


class LinkCheck(models.Model):
    """The latest check of a source's URL by ``manage.py check_sources``.

    Written by the checker (and an editor's "content reviewed" action) only,
    never by a source form: it is not part of the source's revisions, and a
    check does not raise the source's ``edit_version``.
    """

    State = LinkState

    source = models.OneToOneField(
        Source, on_delete=models.CASCADE, primary_key=True, related_name="link_check"
    )
    state = models.CharField(max_length=20, choices=LinkState.choices)
    url = models.URLField("URL checked", max_length=1000)
    checked_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="HTTP status of the last answer; empty when none came."
    )
    final_url = models.URLField("final URL", max_length=2000, blank=True)
    redirects = models.JSONField(
        default=list, blank=True, help_text="Each redirect followed: [[status, from URL, to URL], …]."
    )
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the body of the last successful fetch."
    )
    error = models.TextField(blank=True, help_text="Why the link counts as dead or was not fetched.")
    dead_since = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the content was first seen to differ from the check before; cleared when an "
        "editor marks it reviewed.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(state__in=LinkState.values), name="link_check_state_valid"),
        ]
        indexes = [models.Index(fields=("state",), name="link_check_state_idx")]

    def __str__(self):
        return f"{self.get_state_display()}: {self.url}"


class Reference(models.Model):
    """Entry ``number`` of a briefing's reference list, pointing to a source."""

    briefing = models.ForeignKey("briefings.Briefing", on_delete=models.CASCADE, related_name="references")
    number = models.PositiveIntegerField(help_text="The n that the briefing's text cites as [n].")
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="references",
        help_text="The source this entry points to. Start typing to search sources.",
    )

    class Meta:
        ordering = ("briefing", "number")
        constraints = [
            models.UniqueConstraint(fields=("briefing", "number"), name="reference_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="reference_number_positive"),
        ]

    def __str__(self):
        return f"[{self.number}] {self.source}"


# A briefing's reference list is recorded in its revisions' contents
# (briefings.RevisionContents), not as versions of each Reference row.
reversion.register(Source, exclude=Source.UNVERSIONED_FIELDS)
