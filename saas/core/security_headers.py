"""Security headers on every response, set in one after_request hook (installed by create_app).

- `Content-Security-Policy`: scripts, styles, images and requests from this host only (the templates
  carry no inline code: tests/core/test_templates_csp.py), plus what this response itself needs from
  elsewhere: a per-request nonce for a `<script nonce="{{ csp_nonce() }}">`, the analytics a visitor
  allowed on this site (cookie consent calls `allow_sources` as it renders their tags), the storage
  host that serves photos on S3, and the hosts forms may end up on (the shops' subdomains, Stripe).
  Never `unsafe-inline`; no page can be framed (`frame-ancestors 'none'`). A downloaded file gets a
  policy of its own that lets it run nothing, were a browser ever to show it.
- `X-Frame-Options: DENY` (older browsers), `X-Content-Type-Options: nosniff`, a strict
  `Referrer-Policy` (a personal-link page's `no-referrer` is kept), a `Permissions-Policy` that turns
  off what no page uses, `Cross-Origin-Opener-Policy: same-origin`.
- `Strict-Transport-Security` where HSTS_SECONDS is set (production) and the site is served over HTTPS.
- `Cache-Control: no-store` on every page of a shop's host and of the console (what staff, admins and
  customers with a personal link see); static files stay cacheable.

A hook of our own rather than Flask-Talisman: the policy differs per response (the analytics one
visitor allowed on one shop), which Talisman's one policy per app or per view cannot say, and
Talisman's other duties (HTTPS redirects, cookie flags) are already config.py's and the proxy's.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

from saas.core.tenancy import current_site

# Directives a response may widen with `allow_sources`; every other one is fixed.
EXTENSIBLE = ("script-src", "connect-src", "img-src")
STATIC_ENDPOINTS = frozenset({"static", "shop_static"})
PRIVATE_SITES = frozenset({"shop", "platform"})
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# A stored file (an upload, an export) is only ever a download; if a browser showed it anyway, it runs nothing.
ATTACHMENT_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
# Where Stripe sends the owner after a form posts to us (a 303 redirect is checked against form-action).
STRIPE_FORM_TARGETS = ("https://checkout.stripe.com", "https://billing.stripe.com")
# A host source as CSP writes it: scheme, host (a leading `*.` allowed) and port, nothing that could
# end the directive or start another.
_SOURCE = re.compile(r"^https?://(\*\.)?[a-z0-9.-]+(:[0-9]{1,5})?$")


def csp_nonce() -> str:
    """This request's nonce (`<script nonce="{{ csp_nonce() }}">`), new for every request."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def origin_of(url: str | None) -> str | None:
    """`https://plausible.io` for `https://plausible.io/js/script.js`; None for a same-origin path."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    source = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return source.lower()


def allow_sources(directive: str, *sources: str | None) -> None:
    """Let this response's policy load `sources` (origins like `https://plausible.io`, or `https://*.host`)
    for `directive`, e.g. a feature rendering a tag from another host. Anything else is refused."""
    if directive not in EXTENSIBLE:
        raise ValueError(f"{directive} cannot be widened per response")
    allowed = g.setdefault("csp_sources", {}).setdefault(directive, [])
    for source in sources:
        if not source:
            continue
        if not _SOURCE.match(source):
            raise ValueError(f"not a CSP host source: {source!r}")
        if source not in allowed:
            allowed.append(source)


def storage_image_sources(config) -> list[str]:
    """Where photos come from when they are on S3 (an estimate's `<img>` is redirected to a presigned URL)."""
    if (config.get("STORAGE_BACKEND") or "local").lower() != "s3":
        return []
    bucket = (config.get("S3_BUCKET") or "").lower()
    endpoint = origin_of(config.get("S3_ENDPOINT_URL"))
    if endpoint is not None:  # path-style (`host/bucket/key`) or virtual-hosted (`bucket.host/key`)
        scheme, host = endpoint.split("://", 1)
        return [endpoint, f"{scheme}://{bucket}.{host}"] if bucket else [endpoint]
    region = (config.get("S3_REGION") or "").lower()
    sources = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        sources.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return [source for source in sources if _SOURCE.match(source)]


def form_targets(config) -> list[str]:
    """Where a form may post, or be redirected after posting: this app's hosts (signup hands over to the new
    shop, the console to a support visit) and, with billing on, Stripe Checkout and the Customer Portal."""
    scheme = config.get("PREFERRED_URL_SCHEME") or "https"
    server_name = (config.get("SERVER_NAME") or "").lower()
    targets = [f"{scheme}://{server_name}", f"{scheme}://*.{server_name}"] if server_name else []
    if config.get("STRIPE_SECRET_KEY"):
        targets.extend(STRIPE_FORM_TARGETS)
        # Another Stripe (STRIPE_API_BASE, a stand-in) hands out Checkout and Portal URLs of its own host.
        stand_in = origin_of(config.get("STRIPE_API_BASE"))
        if stand_in is not None:
            targets.append(stand_in)
    return [target for target in targets if _SOURCE.match(target)]


def content_security_policy() -> str:
    """The policy of this response: fixed directives, widened by what `allow_sources` was told."""
    config = current_app.config
    extra = g.get("csp_sources", {})
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{csp_nonce()}'", *extra.get("script-src", [])],
        "style-src": ["'self'"],
        # No data: or blob: images: the QR code of the console's second factor is inline SVG.
        "img-src": ["'self'", *storage_image_sources(config), *extra.get("img-src", [])],
        "connect-src": ["'self'", *extra.get("connect-src", [])],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'", *form_targets(config)],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in directives.items())


def _is_download(response: Response) -> bool:
    return response.headers.get("Content-Disposition", "").lower().startswith("attachment")


def _is_private() -> bool:
    """Pages of a shop's host and of the console: staff, admins, customers' personal links. Not static files."""
    return request.endpoint not in STATIC_ENDPOINTS and current_site().kind in PRIVATE_SITES


def _served_over_https() -> bool:
    # Behind a TLS proxy without TRUSTED_PROXY_HOPS the request looks like http; PREFERRED_URL_SCHEME=https
    # (required in production) says the site is HTTPS. Browsers ignore the header on a plain-http answer.
    return request.is_secure or current_app.config.get("PREFERRED_URL_SCHEME") == "https"


def add_security_headers(response: Response) -> Response:
    """after_request: the headers of the module's docstring on `response` (any page, file or redirect)."""
    headers = response.headers
    headers["Content-Security-Policy"] = ATTACHMENT_POLICY if _is_download(response) else content_security_policy()
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    hsts_seconds = int(current_app.config.get("HSTS_SECONDS") or 0)
    if hsts_seconds > 0 and _served_over_https():
        headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"
    if _is_private() and "no-store" not in headers.get("Cache-Control", ""):
        headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    """Install the hook and `csp_nonce()` for templates. Call it before the request layer's and the
    features' after_request hooks: Flask runs them in reverse, so this one sees the response they made."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(add_security_headers)
