"""Rules for a shop's subdomain: shape, reserved names, availability."""

from __future__ import annotations

import re

from sqlalchemy import exists, select

from saas.core.extensions import db
from saas.core.tenant import Tenant

SUBDOMAIN_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$")
RESERVED_SUBDOMAINS = frozenset(
    {
        "admin", "api", "app", "assets", "auth", "billing", "blog", "cdn", "dashboard", "dev", "docs",
        "help", "imap", "login", "mail", "media", "pop", "pop3", "portal", "signup", "smtp", "static",
        "status", "support", "test", "webmail", "workbay", "www",
    }
)  # fmt: skip


def normalize_subdomain(value: str) -> str:
    """Lower-case and trim what the user typed."""
    return (value or "").strip().lower()


def subdomain_problem(value: str) -> str | None:
    """A message saying why `value` cannot be a shop's subdomain, or None when it can."""
    if not 3 <= len(value) <= 40:
        return "Use 3 to 40 characters."
    if not SUBDOMAIN_PATTERN.match(value):
        return "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit."
    if "--" in value:
        return "Hyphens cannot follow each other."
    if value in RESERVED_SUBDOMAINS:
        return "This name is reserved. Please pick another."
    if shop_exists(value):
        return "This name is taken. Please pick another."
    return None


def shop_exists(subdomain: str) -> bool:
    """True if a shop uses this subdomain."""
    return bool(db.session.scalar(select(exists().where(Tenant.subdomain == subdomain))))
