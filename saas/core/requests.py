"""The request layer: the one way through a request, and the one place that commits.

1. `before_request` hooks resolve the site and the shop from the Host (tenancy), then features
   add theirs (login, the plan's read-only mode).
2. The view parses its input, calls services and returns a page or a redirect. It never
   commits, rolls back or catches a service's refusal.
3. Services change rows and flush; a refusal is a `ServiceError` (saas.core.errors).
4. Here, once per request: a response below 400 commits; anything else rolls back. Mail and
   jobs the request queued go out with that commit, or not at all (saas.core.mail).
5. A `ServiceError` is rolled back and answered: a problem document for API clients; else the
   view's `FormPage` again, with the message under its field or flashed above it; else, for a
   button on a list, a redirect to `BackTo` with the message flashed; for a download, the
   message as `PlainText`; else an error page.

A view whose page must record something even when it answers 4xx (rare) calls
`keep_changes()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, flash, g, redirect
from flask_wtf import FlaskForm

from saas.core.errors import ServiceError, problem, render_error, wants_json
from saas.core.extensions import db


@dataclass
class FormPage:
    """The page a request shows when its form is invalid or a service refuses it.

    `render` builds the page (the template with its form); `form` gets the service's message
    under the field it names. Creating one makes it the request's error page.
    """

    render: Callable[[], str]
    form: FlaskForm | None = None

    def __post_init__(self) -> None:
        g.refusal_page = self

    def show(self, status: int | None = None) -> tuple[str, int]:
        """The page, answering 400 when its form has errors (else 200) unless told `status`."""
        if status is None:
            status = 400 if self.form is not None and self.form.errors else 200
        return self.render(), status

    def refuse(self, error: ServiceError) -> tuple[str, int]:
        """Show the page again with `error`: under its field when the form has it, else flashed."""
        field = getattr(self.form, error.field, None) if self.form is not None and error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            flash(error.message, "error")
        return self.show(error.status)


@dataclass
class BackTo:
    """Where a refused button sends the person back to (a list page), with the message flashed."""

    url: str

    def __post_init__(self) -> None:
        g.refusal_page = self

    def refuse(self, error: ServiceError) -> Response:
        """Flash `error` and redirect (303) to the page the button was on."""
        flash(error.message, "error")
        return redirect(self.url, 303)


@dataclass
class PlainText:
    """For a download (a CSV, a file): a refusal answers its message as text/plain, with its status."""

    def __post_init__(self) -> None:
        g.refusal_page = self

    def refuse(self, error: ServiceError) -> Response:
        """The message alone, for a client that expected a file rather than a page."""
        return Response(f"{error.message}\n", error.status, mimetype="text/plain")


def private_page(response: Response) -> Response:
    """after_request of pages reached by a personal link or showing one person's data (an estimate, a
    privacy request's confirmation, a photo): never cached, never leaked through Referer, never indexed.
    (Every response also gets the headers of `core.security_headers`, which keeps these.)"""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def keep_changes() -> None:
    """Commit this request's changes even though it answers with an error status."""
    g.keep_changes = True


def handle_service_error(error: ServiceError):
    """A service refused: undo the request's changes and say why, where the person is."""
    db.session.rollback()
    if wants_json():
        return problem(error.status, error.message, field=error.field)
    page = g.get("refusal_page")
    if page is not None:
        return page.refuse(error)
    return render_error(error.status, error.message)


def commit_or_roll_back(response: Response) -> Response:
    """after_request: commit what a successful request did; roll back what a failed one did."""
    if response.status_code < 400 or g.get("keep_changes"):
        db.session.commit()
    else:
        db.session.rollback()
    return response


def register(app: Flask) -> None:
    """Install the request layer on `app`."""
    app.register_error_handler(ServiceError, handle_service_error)
    app.after_request(commit_or_roll_back)
