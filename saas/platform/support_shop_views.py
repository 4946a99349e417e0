"""Support access on a shop's host: the console's one-time link in, the banner's way out, the guard that
keeps a visit read-only and keeps what it opened, and the owner's support log under Settings.

The guard and the page log are app-wide hooks (every shop request of a support session passes them);
they do nothing for anyone else.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from saas.audit.services import note_on_access_log
from saas.auth.decorators import permission_required
from saas.core.errors import problem, wants_json
from saas.core.extensions import db
from saas.core.requests import FormPage, keep_changes
from saas.core.tenancy import active_tenant
from saas.platform import support

bp = Blueprint("platform_support", __name__, template_folder="templates")

PER_PAGE = 20
READ_ONLY_MESSAGE = (
    "This is a read-only support visit: nothing was changed. "
    "The shop's owner can allow changes in Settings › Support access."
)
ENDED_MESSAGE = "This support visit has ended. You are logged out of this shop."


class _SupportLogin:
    """What Flask-Login keeps in the session for a visit: its identity only (`support.load_visitor` reads it)."""

    is_active = True
    is_authenticated = True
    is_anonymous = False

    def __init__(self, identity: str):
        self.identity = identity

    def get_id(self) -> str:
        return self.identity


def _ended_page():
    if wants_json():
        return problem(401, ENDED_MESSAGE)
    return render_template("platform/support_ended.html", message=ENDED_MESSAGE), 401


def _read_only_page():
    if wants_json():
        return problem(403, READ_ONLY_MESSAGE)
    return render_template("platform/support_read_only.html", message=READ_ONLY_MESSAGE), 403


@bp.before_app_request
def _guard_support_visit():
    """A support session's request: over -> logged out; live -> noted in the access log, writes refused if read-only."""
    tenant = g.get("tenant")
    named = support.identity_tenant(session.get("_user_id")) if tenant is not None else None
    if named is None:
        return None
    visit = support.current_visit() if current_user.is_authenticated else None
    if visit is None:
        if named != tenant.id:
            return None  # another shop's support session replayed here: nobody is logged in, nothing to end
        logout_user()
        # A new link into the shop simply replaces the visit that ran out; anything else says it ended.
        return None if request.endpoint == "platform_support.enter" else _ended_page()
    note_on_access_log(f"by Workbay support ({visit.admin_name})")
    if support.refuses_request(visit, request.method, request.endpoint):
        return _read_only_page()
    return None


@bp.after_app_request
def _record_support_page(response):
    """Keep every request of a live visit for the owner, refused ones too.

    A request answered with an error is rolled back by the request layer: its own changes are undone
    here first, then only the page's row is kept (`keep_changes`).
    """
    if g.get("tenant") is not None and support.identity_tenant(session.get("_user_id")) is not None:
        _ = current_user.is_authenticated  # a request refused before the guard ran still loads its visit
    visit = support.current_visit()
    if visit is None:
        return response
    if response.status_code >= 400 and not g.get("keep_changes"):
        db.session.rollback()
        keep_changes()
    support.record_page(
        visit, request.method, support.page_path(request.path, request.query_string), response.status_code
    )
    return response


@bp.route("/support/enter/<token>")
def enter(token: str):
    """The console's one-time link: this browser becomes the visit's staff member here, until the visit ends."""
    visit_identity, _user = support.enter_visit(token)
    logout_user()  # whoever this browser was at this shop before (a visit still running ends)
    g.pop("support_visit", None)
    login_user(_SupportLogin(visit_identity), remember=False)
    return redirect(url_for("shop.dashboard"))


@bp.route("/support/end", methods=["POST"])
def end():
    """The banner's button: end the visit now, log out, back to the console's page of the shop."""
    visit = support.current_visit()
    if visit is None:
        abort(404)
    support.end_visit(visit.visit_id)
    tenant_id = g.tenant.id
    logout_user()
    return redirect(url_for("platform.shop", tenant_id=tenant_id, _external=True), 303)


@bp.route("/settings/support-access", methods=["GET", "POST"])
@permission_required("support.manage")
def settings():
    """The owner's support log: whether support may make changes, and every visit with what it opened."""
    shop = active_tenant()
    page = FormPage(lambda: _support_log(shop))
    if request.method == "POST":
        allowed = request.form.get("write_allowed") == "on"
        support.set_write_allowed(shop, allowed)
        if allowed:
            flash("Workbay support may make changes during visits started from now on.", "success")
        else:
            flash("Visits started from now on are read-only.", "success")
        return redirect(url_for("platform_support.settings"))
    return page.show()


def _support_log(shop) -> str:
    visits = db.paginate(support.visits_newest_first(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "platform/support_log.html",
        shop=shop,
        visits=visits,
        names=support.names_of(visits.items),
        during_visit=support.current_visit() is not None,
    )
