"""The analytics a site runs for visitors who allow them: a shop's own setup, or the platform's settings
on the public site; the script tags that setup needs; and the rules for its identifiers.

Which services a site uses is part of its cookie policy: switching to another service (or adding one)
changes the site's policy version, so visitors are asked again (`policy_version`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import current_app, g
from sqlalchemy import select

from saas.consent.categories import ANALYTICS, base_policy_version
from saas.consent.errors import ConsentError
from saas.consent.models import AnalyticsSettings
from saas.core.extensions import db
from saas.core.security_headers import allow_sources, origin_of
from saas.core.templating import asset_url
from saas.core.tenancy import active_tenant_id

DOMAIN = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")
GA4_MEASUREMENT_ID = re.compile(r"^G-[A-Z0-9]{4,12}$")
# Where Google's tag loads from and reports to, as Google's guide to a Content-Security-Policy lists them.
GOOGLE_TAG_HOSTS = "https://*.googletagmanager.com"
GOOGLE_ANALYTICS_HOSTS = ("https://*.google-analytics.com", "https://*.analytics.google.com")


@dataclass(frozen=True)
class AnalyticsService:
    """An analytics service a site can use, as the cookie policy names it."""

    key: str
    name: str
    recipient: str
    cookies: str


PLAUSIBLE = AnalyticsService(
    "plausible", "Plausible Analytics", "Plausible Insights OÜ (Estonia, EU)", "none (counts visits without cookies)"
)
GA4 = AnalyticsService("ga4", "Google Analytics 4", "Google Ireland Ltd. (and Google LLC, USA)", "_ga, _ga_*")


@dataclass(frozen=True)
class Script:
    """A `<script src defer>` tag of a consent category; its settings travel in data-* attributes."""

    src: str
    category: str
    data: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        """What consent.js needs to add the tag after a choice made without reloading the page."""
        return {"src": self.src, "category": self.category, "data": self.data}


@dataclass(frozen=True)
class AnalyticsSetup:
    """The analytics of one site: a Plausible domain and/or a Google Analytics 4 measurement id."""

    plausible_domain: str | None = None
    ga4_measurement_id: str | None = None

    @property
    def services(self) -> tuple[AnalyticsService, ...]:
        """The services in use, in a fixed order."""
        return tuple(
            service for service, value in ((PLAUSIBLE, self.plausible_domain), (GA4, self.ga4_measurement_id)) if value
        )

    def scripts(self) -> list[Script]:
        """The tags that load the services (only ever rendered for visitors who allowed analytics)."""
        config = current_app.config
        scripts = []
        if self.plausible_domain:
            scripts.append(
                Script(config["ANALYTICS_PLAUSIBLE_SCRIPT_URL"], ANALYTICS.key, {"domain": self.plausible_domain})
            )
        if self.ga4_measurement_id:
            gtag = _with_query(config["ANALYTICS_GA4_SCRIPT_URL"], id=self.ga4_measurement_id)
            scripts.append(Script(gtag, ANALYTICS.key))
            # Google's snippet is inline; its three lines live in a static file, configured by data-*.
            scripts.append(
                Script(asset_url("js/consent-ga4.js"), ANALYTICS.key, {"measurement-id": self.ga4_measurement_id})
            )
        return scripts


def allow_in_policy(setup: AnalyticsSetup) -> None:
    """Tell this response's Content-Security-Policy (saas.core.security_headers) the hosts the setup's tags
    load from and send their counts to: called as the tags are rendered, so no other page allows them."""
    config = current_app.config
    if setup.plausible_domain:
        origin = origin_of(config["ANALYTICS_PLAUSIBLE_SCRIPT_URL"])  # it posts its events to <origin>/api/event
        allow_sources("script-src", origin)
        allow_sources("connect-src", origin)
    if setup.ga4_measurement_id:
        origin = origin_of(config["ANALYTICS_GA4_SCRIPT_URL"])
        if origin is not None and origin.endswith(".googletagmanager.com"):
            allow_sources("script-src", GOOGLE_TAG_HOSTS)
            allow_sources("connect-src", *GOOGLE_ANALYTICS_HOSTS, GOOGLE_TAG_HOSTS)
            allow_sources("img-src", GOOGLE_ANALYTICS_HOSTS[0], GOOGLE_TAG_HOSTS)
        else:  # a tag served from elsewhere (a proxy of one's own) reports there too
            allow_sources("script-src", origin)
            allow_sources("connect-src", origin)


def _with_query(url: str, **params: str) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


def site_setup() -> AnalyticsSetup:
    """This request's site: the shop's own setup, or the platform's settings on the public site."""
    if "analytics_setup" not in g:
        if active_tenant_id() is None:
            config = current_app.config
            g.analytics_setup = AnalyticsSetup(
                config.get("PLATFORM_ANALYTICS_PLAUSIBLE_DOMAIN") or None,
                config.get("PLATFORM_ANALYTICS_GA4_ID") or None,
            )
        else:
            row = shop_settings()
            g.analytics_setup = (
                AnalyticsSetup(row.plausible_domain, row.ga4_measurement_id) if row is not None else AnalyticsSetup()
            )
    return g.analytics_setup


def shop_settings() -> AnalyticsSettings | None:
    """The current shop's analytics row, if it ever saved one."""
    return db.session.scalar(select(AnalyticsSettings))


def policy_version(setup: AnalyticsSetup) -> str:
    """The site's cookie policy version: the policy's own, plus the services the site uses."""
    return base_policy_version() + "".join(f"+{service.key}" for service in setup.services)


def clean_plausible_domain(value: str | None) -> str | None:
    """`acme-repairs.com` (lower case; a pasted https://…/ is trimmed), or None when empty."""
    value = (value or "").strip().lower()
    value = re.sub(r"^https?://", "", value).rstrip("/")
    if not value:
        return None
    if not DOMAIN.match(value):
        raise ConsentError(
            "Enter the site's domain as Plausible knows it, e.g. acme-repairs.com (no path).",
            field="plausible_domain",
        )
    return value


def clean_ga4_measurement_id(value: str | None) -> str | None:
    """`G-XXXXXXXXXX` (upper case), or None when empty."""
    value = (value or "").strip().upper()
    if not value:
        return None
    if not GA4_MEASUREMENT_ID.match(value):
        raise ConsentError(
            "A Google Analytics 4 measurement ID looks like G-A1B2C3D4E5 (Admin › Data streams).",
            field="ga4_measurement_id",
        )
    return value
