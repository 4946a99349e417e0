"""The access log: who opened or exported whose personal data, when and from where (owner only)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from saas.audit import services
from saas.auth.decorators import permission_required
from saas.auth.models import User
from saas.core.extensions import db

bp = Blueprint("audit", __name__, template_folder="templates", url_prefix="/access-log")

PER_PAGE = 50


@bp.route("")
@permission_required("access_log.view")
def index():
    """The log, newest first; `?customer_id=`, `?user_id=` and `?action=` narrow it down."""
    customer_id = request.args.get("customer_id", type=int)
    user_id = request.args.get("user_id", type=int)
    action = request.args.get("action", "")
    action = action if action in services.ACTIONS else ""
    customer = None
    if customer_id is not None:
        name = services.subject_name("customer", customer_id)
        if name is None:
            abort(404)
        customer = services.Subject(customer_id, name)
    query = services.access_log(
        subject_type="customer" if customer else None,
        subject_id=customer_id if customer else None,
        user_id=user_id,
        action=action or None,
    )
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    customer_ids = {e.subject_id for e in page.items if e.subject_type == "customer" and e.subject_id is not None}
    names = services.subject_names("customer", customer_ids)
    staff = db.session.scalars(select(User).order_by(User.name, User.id)).all()
    filters = {
        key: value for key, value in (("customer_id", customer_id), ("user_id", user_id), ("action", action)) if value
    }
    return render_template(
        "audit/index.html",
        page=page,
        customer=customer,
        names=names,
        staff=staff,
        user_id=user_id,
        action=action,
        actions=services.ACTIONS,
        filters=filters,
    )
