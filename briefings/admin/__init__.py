"""The editors' and reviewers' admin. Importing the package registers every model admin."""

from briefings.admin import briefings, partners, publications, sources  # noqa: F401
