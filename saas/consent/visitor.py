"""The visitor's consent on this request: read from this host's signed consent cookie and the browser's
Global Privacy Control; written back after a choice; cookies of refused categories removed.

The cookie is host-only (no Domain attribute), so a shop's subdomain, another shop and the public
site each keep their own; its signed content also names its site, so a copied value means nothing
elsewhere. It holds a random consent id, the allowed categories and the policy version; its
signature's timestamp is the time of the choice, and it is void after CONSENT_MAX_AGE_DAYS.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import Response, current_app, g, has_request_context, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from saas.consent.analytics import policy_version, site_setup
from saas.consent.categories import (
    CONSENT_COOKIE,
    GPC_BLOCKED_KEYS,
    OPTIONAL_KEYS,
    category_of,
    consent_max_age_seconds,
)
from saas.core.tenancy import current_site

SALT = "cookie-consent"
CONSENT_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class VisitorConsent:
    """What this visitor allowed on this site, as far as it still holds."""

    consent_id: str | None  # from a genuine cookie of this site, even an outdated one
    granted: frozenset[str]  # the optional categories of a current choice
    decided: bool  # a current choice exists: the banner stays closed
    gpc: bool  # the browser sent Sec-GPC: 1
    version: str  # the site's cookie policy version now
    given_at: datetime | None = None
    reason: str | None = None  # why the visitor is asked again: "expired" | "changed"

    def allows(self, category: str) -> bool:
        """True when cookies and scripts of `category` may reach this browser now."""
        if category not in OPTIONAL_KEYS:
            return category == "necessary"
        if self.gpc and category in GPC_BLOCKED_KEYS:
            return False
        return self.decided and category in self.granted

    @property
    def allowed(self) -> list[str]:
        """The optional categories allowed now, sorted."""
        return sorted(key for key in OPTIONAL_KEYS if self.allows(key))


def on_consent_site() -> bool:
    """True on the public site and on a known shop's subdomain (not the console, not an unknown shop)."""
    if not has_request_context() or "site" not in g:
        return False
    site = current_site()
    return site.kind == "public" or (site.kind == "shop" and g.get("tenant") is not None)


def site_key() -> str:
    """Which site a consent belongs to: `shop:<id>` or `public`."""
    tenant = g.get("tenant")
    return f"shop:{tenant.id}" if tenant is not None else "public"


def gpc_requested() -> bool:
    """True when the browser sends Global Privacy Control (`Sec-GPC: 1`)."""
    return request.headers.get("Sec-GPC", "").strip() == "1"


def new_consent_id() -> str:
    """A random, anonymous id for a browser's consents on one site."""
    return secrets.token_hex(16)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def _genuine(payload) -> dict | None:
    """The cookie's content when it is well-formed and belongs to this site."""
    if not isinstance(payload, dict) or payload.get("s") != site_key():
        return None
    consent_id, categories, version = payload.get("i"), payload.get("c"), payload.get("v")
    if not (isinstance(consent_id, str) and CONSENT_ID.match(consent_id)):
        return None
    if not (isinstance(categories, list) and all(isinstance(key, str) and key in OPTIONAL_KEYS for key in categories)):
        return None
    if not isinstance(version, str):
        return None
    return payload


def _read() -> VisitorConsent:
    version = policy_version(site_setup())
    gpc = gpc_requested()
    undecided = VisitorConsent(None, frozenset(), False, gpc, version)
    raw = request.cookies.get(CONSENT_COOKIE)
    if not raw:
        return undecided
    serializer = _serializer()
    try:
        payload, given_at = serializer.loads(raw, max_age=consent_max_age_seconds(), return_timestamp=True)
    except SignatureExpired as expired:
        try:
            payload = _genuine(serializer.load_payload(expired.payload))
        except BadSignature:
            payload = None
        return (
            VisitorConsent(payload["i"], frozenset(), False, gpc, version, reason="expired") if payload else undecided
        )
    except BadSignature:
        return undecided
    payload = _genuine(payload)
    if payload is None:
        return undecided
    if payload["v"] != version:
        return VisitorConsent(payload["i"], frozenset(), False, gpc, version, given_at, reason="changed")
    return VisitorConsent(payload["i"], frozenset(payload["c"]), True, gpc, version, given_at)


def current() -> VisitorConsent:
    """This request's visitor consent (read once per request)."""
    if "visitor_consent" not in g:
        g.visitor_consent = _read()
    return g.visitor_consent


def remember(consent_id: str, granted: frozenset[str]) -> VisitorConsent:
    """The visitor's new choice, from now on in this request (the cookie follows with `issue`)."""
    before = current()
    g.visitor_consent = VisitorConsent(consent_id, frozenset(granted), True, before.gpc, before.version)
    return g.visitor_consent


def issue(response: Response, consent: VisitorConsent) -> None:
    """Set the signed, host-only consent cookie for `consent` on `response`."""
    token = _serializer().dumps(
        {"i": consent.consent_id, "c": sorted(consent.granted), "v": consent.version, "s": site_key()}
    )
    response.set_cookie(
        CONSENT_COOKIE,
        token,
        max_age=consent_max_age_seconds(),
        path="/",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def sweep_refused_cookies(response: Response) -> Response:
    """after_request: delete the cookies this browser sent of categories it has not allowed (now).

    This is how a withdrawal, an expired consent, a new policy version or GPC removes cookies that
    analytics or marketing scripts set earlier. Deleted both host-only and for this host's domain.
    """
    if request.endpoint in ("static", "shop_static") or not on_consent_site():
        return response
    refused = [name for name in request.cookies if category_of(name) is not None]
    if not refused:
        return response
    visitor = current()
    host = request.host.split(":", 1)[0]
    for name in refused:
        if not visitor.allows(category_of(name).key):
            response.delete_cookie(name, path="/")
            if "." in host:
                response.delete_cookie(name, path="/", domain=host)
    return response
