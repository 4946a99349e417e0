"""Errors: the one exception services raise, and the pages every error becomes.

Services refuse by raising `ServiceError` (or a feature's subclass of it) with a message that
is safe to show, the HTTP status to answer and, when it belongs to one, the form field. The
request layer (`saas.core.requests`) rolls back and turns it into a form error, a flash on the
page the request came from, a 4xx page, or a problem document (RFC 9457) for API clients.
Views hold no try/except of their own.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from saas.core.extensions import db

log = logging.getLogger(__name__)

TITLES = {
    400: "That request did not make sense",
    402: "Your plan does not include this",
    403: "You do not have access to this",
    404: "We could not find that page",
    405: "That is not allowed here",
    409: "That is not possible right now",
    413: "That file is too large",
    429: "Too many attempts",
    500: "Something went wrong on our side",
    503: "We are briefly unavailable",
}


class ServiceError(Exception):
    """A rule refused what was asked. The message is shown as it is to the person who asked.

    `status`: how the request is answered (400 bad input, 403 not yours, 404 not found, 409 not
    possible in the current state, 402 not in the plan). `field`: the form field the message
    belongs to, if any. Subclasses set a class-level `status` for their kind of refusal.
    """

    status: int = 400

    def __init__(self, message: str, status: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.field = field

    def __str__(self) -> str:
        return self.message


def wants_json() -> bool:
    """True for API clients: JSON preferred over HTML, or a path under /api/."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def problem(status: int, detail: str | None = None, **extra) -> tuple[Response, int]:
    """A problem document (RFC 9457): the one shape of every JSON error."""
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status}
    if detail:
        body["detail"] = detail
    body.update({key: value for key, value in extra.items() if value is not None})
    response = jsonify(body)
    response.mimetype = "application/problem+json"
    return response, status


def render_error(status: int, description: str | None = None):
    """Answer `status` in the form the client wants."""
    if wants_json():
        return problem(status, description)
    title = TITLES.get(status, "Error")
    template = "errors/unknown_shop.html" if g.get("unknown_shop") else "errors/error.html"
    return render_template(template, status=status, title=title, description=description), status


def handle_http_exception(error: HTTPException):
    """Every HTTP error (404, 403, ...) goes through here."""
    if isinstance(error, SecurityError) or "site" not in g:
        # A forged or unknown Host: no page of ours can be built for it.
        return Response(f"{error.code} {TITLES.get(error.code, 'Error')}\n", error.code, mimetype="text/plain")
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
    """Install the handlers on `app` (ServiceError's is the request layer's)."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
