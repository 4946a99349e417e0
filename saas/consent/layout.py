"""What every page of the public site and of a shop gets from cookie consent (installed by create_app):
the visitor's consent for the banner, the consent pages' URLs on this host, the scripts of allowed
categories, and the removal of refused cookies after each request."""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_login import current_user

from saas.consent import visitor
from saas.consent.analytics import (
    Script,
    allow_in_policy,
    clean_ga4_measurement_id,
    clean_plausible_domain,
    site_setup,
)
from saas.consent.categories import ANALYTICS, GPC_NOTICE, all_categories, describe
from saas.consent.errors import ConsentError
from saas.core.tenancy import current_site


def cookie_consent() -> visitor.VisitorConsent | None:
    """The visitor's consent on this site; None where no banner belongs (the console, an unknown shop)."""
    return visitor.current() if visitor.on_consent_site() else None


def consent_url(name: str, **values) -> str:
    """The URL of a consent page (`save`, `policy`, `settings`) on this request's host."""
    prefix = "consent_shop" if current_site().kind == "shop" else "consent"
    return url_for(f"{prefix}.{name}", **values)


def consent_scripts() -> list[Script]:
    """The analytics tags this page may carry: only for a visitor who allowed analytics (and no GPC),
    and never on staff pages, which show customers' personal data. The page's Content-Security-Policy
    then allows their hosts, on this response only."""
    consent = cookie_consent()
    if consent is None or not consent.allows(ANALYTICS.key) or current_user.is_authenticated:
        return []
    setup = site_setup()
    allow_in_policy(setup)
    return setup.scripts()


def return_path() -> str:
    """Where a consent form sends the visitor back to: this page (a GET), else the site's home."""
    return request.full_path.rstrip("?") if request.method == "GET" else "/"


def check_platform_analytics(config) -> None:
    """The public site's analytics settings follow the shops' formats; a wrong one stops the app at start."""
    for key, clean in (
        ("PLATFORM_ANALYTICS_PLAUSIBLE_DOMAIN", clean_plausible_domain),
        ("PLATFORM_ANALYTICS_GA4_ID", clean_ga4_measurement_id),
    ):
        try:
            config[key] = clean(config.get(key))
        except ConsentError as error:
            raise RuntimeError(f"{key}: {error.message}") from None


def register(app: Flask) -> None:
    """Install the template globals and the after_request removal of refused cookies on `app`."""
    check_platform_analytics(app.config)
    app.jinja_env.globals.update(
        cookie_consent=cookie_consent,
        consent_url=consent_url,
        consent_scripts=consent_scripts,
        consent_categories=all_categories,
        consent_return_path=return_path,
        gpc_notice=GPC_NOTICE,
    )
    app.jinja_env.filters["consent_choice"] = describe
    app.after_request(visitor.sweep_refused_cookies)
