"""Our own legal documents and their current versions.

A new version gets a new entry in VERSIONS; acceptances record which one was accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PolicyDocument:
    """A versioned legal text shown on the public site."""

    key: str
    title: str
    version: str
    effective: date
    template: str


TERMS = PolicyDocument("terms", "Terms of service", "2026-11-01", date(2026, 11, 1), "privacy/terms.html")
PRIVACY = PolicyDocument("privacy", "Privacy policy", "2026-11-01", date(2026, 11, 1), "privacy/privacy_policy.html")
