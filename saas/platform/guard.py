"""A suspended shop, applied centrally to every request on its host.

Its staff are refused everywhere with a page that says what happened and how to reach support
(logging out still works). Its customers keep their rights: the privacy center, confirmation and
download links of their requests, the shop's privacy policy and the cookie banner still answer.
No data is touched; lifting the suspension gives everything back.
"""

from __future__ import annotations

from flask import g, render_template, request

from saas.core.tenancy import HOSTLESS_ENDPOINTS

# What still works on a suspended shop's host: the customers' privacy rights, never the shop's work.
OPEN_BLUEPRINTS = frozenset({"privacy_center", "consent_shop", "shop_policy"})
OPEN_ENDPOINTS = frozenset({"privacy_exports.download", "auth.logout", "platform_support.end", *HOSTLESS_ENDPOINTS})


def enforce_suspension():
    """before_request: a suspended shop answers 403 with the suspended page, except for what stays open."""
    tenant = g.get("tenant")
    if tenant is None or tenant.suspended_at is None or request.endpoint is None:
        return None
    if request.blueprint in OPEN_BLUEPRINTS or request.endpoint in OPEN_ENDPOINTS:
        return None
    return render_template("platform/suspended.html", tenant=tenant), 403
