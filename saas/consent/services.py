"""The rules of a consent choice, its proof, and a shop's analytics settings."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app

from saas.consent.analytics import clean_ga4_measurement_id, clean_plausible_domain, shop_settings
from saas.consent.categories import GPC_BLOCKED_KEYS, OPTIONAL_KEYS
from saas.consent.errors import ConsentError
from saas.consent.models import USER_AGENT_MAX, AnalyticsSettings, CookieConsent, PlatformCookieConsent
from saas.core.extensions import db
from saas.core.tenancy import active_tenant_id

CHOICES = ("accept_all", "reject_all", "save")
SOURCES = ("banner", "settings")


@dataclass(frozen=True)
class Choice:
    """What a visitor chose: the optional categories allowed, and where (banner, settings or gpc)."""

    granted: frozenset[str]
    source: str


def parse_choice(choice: str | None, categories: Iterable[str], source: str | None, gpc: bool) -> Choice:
    """The choice a consent form sent, checked. With Global Privacy Control, analytics and marketing
    stay off whatever was asked, and the source is "gpc"."""
    if choice not in CHOICES:
        raise ConsentError("Choose Accept all, Reject all or Save choices.")
    if source not in SOURCES:
        raise ConsentError("This consent form was not sent from the banner or the cookie settings.")
    categories = set(categories) - {"necessary"}  # always on; a disabled box is never sent anyway
    unknown = categories - OPTIONAL_KEYS
    if unknown:
        raise ConsentError("Unknown cookie category: " + ", ".join(sorted(unknown))[:100] + ".")
    granted = {"accept_all": set(OPTIONAL_KEYS), "reject_all": set(), "save": categories}[choice]
    if gpc:
        return Choice(frozenset(granted - GPC_BLOCKED_KEYS), "gpc")
    return Choice(frozenset(granted), source)


def hash_ip(address: str | None) -> str:
    """HMAC-SHA256 of an IP address with the server's key: the same address gives the same hash,
    the address cannot be read back without the key (CONSENT_IP_HASH_KEY, else SECRET_KEY)."""
    key = current_app.config.get("CONSENT_IP_HASH_KEY") or current_app.secret_key
    return hmac.new(str(key).encode(), (address or "").encode(), hashlib.sha256).hexdigest()


def record_consent(
    consent_id: str, choice: Choice, policy_version: str, address: str | None, user_agent: str | None
) -> CookieConsent | PlatformCookieConsent:
    """Keep proof of a choice: a new row each time (the shop's, or the platform's on the public site)."""
    model = PlatformCookieConsent if active_tenant_id() is None else CookieConsent
    record = model(
        consent_id=consent_id,
        categories=sorted(choice.granted),
        policy_version=policy_version,
        source=choice.source,
        ip_hash=hash_ip(address),
        user_agent=(user_agent or "")[:USER_AGENT_MAX],
    )
    db.session.add(record)
    db.session.flush()
    return record


def save_analytics(plausible_domain: str | None, ga4_measurement_id: str | None) -> AnalyticsSettings:
    """Set the shop's analytics (either or both; empty turns one off)."""
    plausible_domain = clean_plausible_domain(plausible_domain)
    ga4_measurement_id = clean_ga4_measurement_id(ga4_measurement_id)
    settings = shop_settings()
    if settings is None:
        settings = AnalyticsSettings()
        db.session.add(settings)
    settings.plausible_domain = plausible_domain
    settings.ga4_measurement_id = ga4_measurement_id
    db.session.flush()
    return settings
