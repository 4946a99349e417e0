"""The embedded default's outbox page: every e-mail the app sent, readable in the browser.

The mails hold password-reset and invitation links, so the page exists only where nobody else can
reach it: in development or testing, with the outbox backend, and for a request from this machine
(loopback; behind trusted proxies, the client's own address). Anywhere else it is a 404.
"""

from __future__ import annotations

import ipaddress

from flask import Blueprint, abort, current_app, render_template, request

from saas.core.mail import outbox_messages
from saas.core.requests import private_page

bp = Blueprint("outbox", __name__)
bp.after_request(private_page)  # reset links: never cached, never sent on as a Referer

DEVELOPMENT_ENVIRONMENTS = frozenset({"development", "testing"})


def from_this_machine() -> bool:
    """True when the request comes from a loopback address."""
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.before_request
def only_in_development_from_this_machine():
    """Exists only in development (or tests), while mail goes to the outbox, for requests from loopback."""
    config = current_app.config
    if (
        config.get("ENV_NAME") not in DEVELOPMENT_ENVIRONMENTS
        or config["MAIL_BACKEND"] != "outbox"
        or not from_this_machine()
    ):
        abort(404)


@bp.route("/outbox")
def outbox():
    """The newest messages first, with their links clickable."""
    return render_template("outbox.html", messages=outbox_messages())
