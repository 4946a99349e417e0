"""Our own legal documents (the platform's), each with every version it ever had.

Each version is a template under privacy/versions/ that is never edited once published: a change
is a new `PolicyVersion` (a new template) appended to its document, and the old text stays readable
at /legal/<document>/<version>. Acceptances record which version was accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PolicyVersion:
    """One version of a document: its number (the date it was written), when it takes effect, its text."""

    version: str
    effective: date
    template: str
    changes: str = ""  # what changed from the version before, in a sentence or two


@dataclass(frozen=True)
class PolicyDocument:
    """A legal text shown on the public site, with its versions, oldest first."""

    key: str
    title: str
    endpoint: str
    versions: tuple[PolicyVersion, ...]

    @property
    def current(self) -> PolicyVersion:
        return self.versions[-1]

    @property
    def version(self) -> str:
        """The current version's number (what an acceptance records)."""
        return self.current.version

    def find(self, version: str) -> PolicyVersion | None:
        """The version numbered `version`, or None."""
        return next((item for item in self.versions if item.version == version), None)


def _version(key: str, day: date, changes: str = "") -> PolicyVersion:
    number = day.isoformat()
    return PolicyVersion(number, day, f"privacy/versions/{key}-{number}.html", changes)


TERMS = PolicyDocument(
    "terms",
    "Terms of service",
    "privacy.terms",
    (_version("terms", date(2026, 11, 1)),),
)
PRIVACY = PolicyDocument(
    "privacy",
    "Privacy policy",
    "privacy.privacy_policy",
    (
        _version("privacy", date(2026, 11, 1)),
        _version(
            "privacy",
            date(2026, 12, 2),
            "Each shop now has its own privacy policy, sub-processor list and record of processing; requests are "
            "answered within one month (not 30 days); cookies have their own policy; the children's section follows "
            "each country's age; the claim of an extra encryption layer for some fields, which Workbay does not "
            "have, is gone.",
        ),
    ),
)

DOCUMENTS = {document.key: document for document in (PRIVACY, TERMS)}
