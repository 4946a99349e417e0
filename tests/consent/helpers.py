"""Cookie consent tests' helpers: choose through the real endpoint, read the consent cookie and the records."""

from __future__ import annotations

import re

from sqlalchemy import text

from saas.consent import services
from saas.consent.categories import CONSENT_COOKIE
from tests.fixtures.database import shop_session

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) ConsentTest/1.0"
GA4_ID = "G-TEST1234"
PLAUSIBLE_DOMAIN = "acme-repairs.example"


def choose(client, choice: str, categories=(), source: str = "banner", next_url: str = "/book", headers=None):
    """Post a choice to the consent endpoint of the client's host, as the banner's form does."""
    data = {"choice": choice, "source": source, "next": next_url, "category": list(categories)}
    return client.post(
        "/consent", data=data, headers={"User-Agent": BROWSER, **(headers or {})}, follow_redirects=False
    )


def consent_cookie(client, host: str):
    """The consent cookie the client keeps for `host` (None when it has none)."""
    return client.get_cookie(CONSENT_COOKIE, domain=host)


def set_cookie_headers(response, name: str) -> list[str]:
    """The Set-Cookie headers of `response` for cookie `name`."""
    return [header for header in response.headers.getlist("Set-Cookie") if header.startswith(f"{name}=")]


def cookie_names_set(response) -> set[str]:
    """Names of the cookies a response sets (deletions excluded)."""
    return {
        header.split("=", 1)[0]
        for header in response.headers.getlist("Set-Cookie")
        if "Max-Age=0" not in header and "Expires=Thu, 01 Jan 1970" not in header
    }


def cookie_names_deleted(response) -> set[str]:
    """Names of the cookies a response deletes."""
    return {header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie") if "Max-Age=0" in header}


def analytics_scripts(html: str) -> list[str]:
    """The script tags of the analytics category in a page."""
    return re.findall(r'<script [^>]*data-consent-category="analytics"[^>]*>', html)


def banner_open(html: str) -> bool:
    """True when the page shows the cookie banner open (rendered, not hidden)."""
    match = re.search(r"<section class=\"consent-banner\"[^>]*>", html)
    return match is not None and " hidden" not in match.group(0)


def consent_rows(engine, table: str = "cookie_consents", tenant_id: int | None = None) -> list[dict]:
    """Consent records as the database holds them (read past row-level security), oldest first."""
    where = "WHERE tenant_id = :t" if tenant_id is not None else ""
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {table} {where} ORDER BY given_at, id"), {"t": tenant_id})
        return [dict(row) for row in rows.mappings()]


def set_analytics(app, tenant_id: int, plausible: str | None = PLAUSIBLE_DOMAIN, ga4: str | None = GA4_ID) -> None:
    """Give a shop its analytics, through the service, committed."""
    with shop_session(app, tenant_id) as session:
        services.save_analytics(plausible, ga4)
        session.commit()
