"""The access log: who opened or exported whose personal data, when and from where (owner only).

The owner searches it by customer, staff member, action, dates and words in the description,
and exports what the search finds as CSV (the export itself is logged).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from sqlalchemy import select
from wtforms import SelectChoice

from saas.audit import services
from saas.audit.forms import LogSearchForm
from saas.auth.decorators import permission_required
from saas.auth.models import User
from saas.core.extensions import db
from saas.core.requests import FormPage, PlainText
from saas.core.tenancy import active_tenant

bp = Blueprint("audit", __name__, template_folder="templates", url_prefix="/access-log")

PER_PAGE = 50


def _search_form() -> tuple[LogSearchForm, services.Subject | None, list[User]]:
    """The search form read from the query string, the customer it names (404 if not this shop's), the staff."""
    form = LogSearchForm(request.args)
    staff = db.session.scalars(select(User).order_by(User.name, User.id)).all()
    form.user_id.choices = [SelectChoice("", "Everyone"), *(SelectChoice(member.id, member.name) for member in staff)]
    customer = None
    if form.customer_id.data is not None and not form.customer_id.errors:
        name = services.subject_name("customer", form.customer_id.data)
        if name is None:
            abort(404)
        customer = services.Subject(form.customer_id.data, name)
    return form, customer, staff


def _log_filter(form: LogSearchForm) -> services.LogFilter:
    return services.LogFilter(
        customer_id=form.customer_id.data,
        user_id=form.user_id.data,
        action=form.action.data if form.action.data in services.ACTIONS else None,
        since=form.since.data,
        until=form.until.data,
        text=form.q.data or "",
    )


@bp.route("")
@permission_required("access_log.view")
def index():
    """The log, newest first, narrowed down by the search form (a bad search answers 400 and says why)."""
    form, customer, staff = _search_form()
    valid = form.validate()
    log_filter = _log_filter(form) if valid else services.LogFilter()
    page = db.paginate(services.access_log(log_filter), per_page=PER_PAGE, error_out=False) if valid else None
    view = FormPage(
        lambda: render_template(
            "audit/index.html",
            form=form,
            page=page,
            customer=customer,
            names=services.customer_names_of(page.items) if page else {},
            staff=staff,
            actions=services.ACTIONS,
            filters=log_filter.as_args(),
        ),
        form,
    )
    return view.show()


@bp.route("/export.csv")
@permission_required("access_log.view")
def export():
    """What the search finds, every entry, as CSV; the export is itself written to the log."""
    PlainText()
    form, _, _ = _search_form()
    if not form.validate():
        errors = "; ".join(f"{form[name].label.text}: {' '.join(messages)}" for name, messages in form.errors.items())
        return Response(f"The search is not valid, nothing was exported. {errors}\n", 400, mimetype="text/plain")
    body = services.export_csv(_log_filter(form))
    name = f"access-log-{active_tenant().subdomain}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"},
    )
