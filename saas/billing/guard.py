"""Read-only mode and the online-booking gate, applied centrally to every shop request.

A shop whose trial ended without a subscription, whose subscription ended, or whose payment
is overdue beyond the grace period can still read, export, log in and out, and pay: every
GET passes, and so do the billing pages and the sign-in routes. Any other write is refused
with a friendly page (402) that says why and links to billing.
"""

from __future__ import annotations

from flask import g, render_template, request

from saas.billing.access import current_access, plan_allows

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Visitors answer a read-only shop's cookie banner, and its customers' privacy requests are still answered:
# withdrawing consent must always work, and the law does not wait for a payment.
ALLOWED_BLUEPRINTS = frozenset({"billing", "consent_shop", "privacy_center", "privacy_requests"})
ALLOWED_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.logout",
        "auth.forgot_password",
        "auth.reset_password",
        "auth.verify_email",
        "auth.resend_verification",
        "auth.end_session",  # ending one's sessions is never held back by an unpaid plan
        "auth.end_all_sessions",
    }
)


def _allowed_while_read_only(endpoint: str) -> bool:
    return request.blueprint in ALLOWED_BLUEPRINTS or endpoint in ALLOWED_ENDPOINTS or "export" in endpoint


def access():
    """The current shop's access, computed once per request (None outside a shop)."""
    if "billing_access" not in g:
        site = g.get("site")
        g.billing_access = current_access() if site is not None and site.kind == "shop" and g.get("tenant") else None
    return g.billing_access


def enforce() -> object:
    """before_request: refuse writes of a read-only shop; close online booking when the plan lacks it."""
    site = g.get("site")
    if site is None or site.kind != "shop" or g.get("tenant") is None or request.endpoint is None:
        return None
    endpoint = request.endpoint
    if request.blueprint == "booking" and not plan_allows("online_booking"):
        return render_template("billing/booking_closed.html"), 404
    if request.method in SAFE_METHODS or _allowed_while_read_only(endpoint):
        return None
    shop_access = access()
    if shop_access is not None and shop_access.read_only:
        return render_template("billing/read_only.html", access=shop_access), 402
    return None
