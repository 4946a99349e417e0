"""The embedded default's outbox page: every e-mail the app sent, readable in the browser."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from saas.core.mail import outbox_messages

bp = Blueprint("outbox", __name__)


@bp.before_request
def only_with_outbox_backend():
    """Exists only while mail goes to the outbox (never in production)."""
    if current_app.config["MAIL_BACKEND"] != "outbox":
        abort(404)


@bp.route("/outbox")
def outbox():
    """The newest messages first, with their links clickable."""
    return render_template("outbox.html", messages=outbox_messages())
