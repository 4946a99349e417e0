"""Error pages: HTML for people, JSON for API clients; the session is rolled back first."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from saas.extensions import db

log = logging.getLogger(__name__)

TITLES = {
    400: "That request did not make sense",
    403: "You do not have access to this",
    404: "We could not find that page",
    405: "That is not allowed here",
    413: "That file is too large",
    429: "Too many attempts",
    500: "Something went wrong on our side",
    503: "We are briefly unavailable",
}


def wants_json() -> bool:
    """True for API clients: JSON preferred over HTML, or a path under /api/."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(status: int, description: str | None = None):
    """Answer `status` in the form the client wants."""
    title = TITLES.get(status, "Error")
    if wants_json():
        return jsonify(error=title, status=status, description=description), status
    template = "errors/unknown_shop.html" if g.get("unknown_shop") else "errors/error.html"
    return render_template(template, status=status, title=title, description=description), status


def handle_http_exception(error: HTTPException):
    """Every HTTP error (404, 403, ...) goes through here."""
    if isinstance(error, SecurityError) or "site" not in g:
        # A forged or unknown Host: no page of ours can be built for it.
        return Response(f"{error.code} {TITLES.get(error.code, 'Error')}\n", error.code, mimetype="text/plain")
    if error.code and error.code >= 500:
        db.session.rollback()
    description = error.description if error.code in (400, 403, 413, 429) else None
    return render_error(error.code or 500, description)


def handle_csrf_error(error: CSRFError):
    """An expired or missing form token: ask to try again instead of a bare 400."""
    return render_error(400, "The form expired or was sent from elsewhere. Please go back, reload and try again.")


def handle_unexpected(error: Exception):
    """A bug: roll back, log it, show a calm 500."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(InternalServerError.code)


def register(app: Flask) -> None:
    """Install the handlers on `app`."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
