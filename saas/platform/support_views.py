"""Console: support access. An admin enters a shop as one of its staff, with a reason, for a limited time.

The form lives in a panel of the console's page of the shop (`shop_page_panels`); a refused form is
shown again on its own page. Starting a visit sends the admin's browser to the shop's host with a
one-time link (`saas.platform.support`, `support_shop_views`).
"""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from saas.core.extensions import db
from saas.core.panels import Panel
from saas.core.requests import FormPage
from saas.core.tenancy import cross_tenant_scope, is_valid_id
from saas.core.tenant import Tenant
from saas.platform import support
from saas.platform.access import console_required
from saas.platform.blueprint import bp
from saas.platform.forms import ActionForm
from saas.platform.signals import shop_page_panels


class SupportVisitForm(ActionForm):
    """Enter a shop as one of its staff: who, for how long, and why (the owners read the reason)."""

    user_id = SelectField("Enter as", coerce=int, validate_choice=False, validators=[InputRequired("Choose whom.")])
    minutes = IntegerField(
        "For",
        default=support.default_minutes,
        validators=[
            InputRequired("Say for how long."),
            NumberRange(support.MIN_MINUTES, support.MAX_MINUTES, "Choose between %(min)s and %(max)s minutes."),
        ],
    )

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only this shop's active staff are offered; a forged id is refused by support.start_visit.
        self.user_id.choices = [(user.id, f"{user.name} ({user.role_label}) · {user.email}") for user in staff]


def _panel_context(panel: support.ConsolePanel, form: SupportVisitForm | None = None) -> dict:
    return {
        "tenant": panel.tenant,
        "form": form or SupportVisitForm(staff=panel.staff, formdata=None),
        "staff": panel.staff,
        "recent": panel.recent,
        "max_minutes": support.MAX_MINUTES,
    }


@shop_page_panels.connect
def _support_panel(tenant: Tenant, **details) -> Panel | None:
    if not current_user.may("shops.support"):
        return None
    return Panel("platform/_support_panel.html", _panel_context(support.console_panel(tenant)), order=60)


def _shop_or_404(tenant_id: int) -> Tenant:
    with cross_tenant_scope(f"platform: support access to shop {tenant_id}"):
        tenant = db.session.get(Tenant, tenant_id) if is_valid_id(tenant_id) else None
    if tenant is None:
        abort(404)
    return tenant


@bp.route("/shops/<int:tenant_id>/support", methods=["GET", "POST"])
@console_required("shops.support")
def start_support_visit(tenant_id: int):
    """Open a support visit into the shop and send the admin's browser there (the owners are mailed)."""
    tenant = _shop_or_404(tenant_id)
    panel = support.console_panel(tenant)
    form = SupportVisitForm(staff=panel.staff)
    # Loaded again when shown: a refused visit was rolled back, and the rows loaded before with it.
    page = FormPage(
        lambda: render_template("platform/support_start.html", **_panel_context(support.console_panel(tenant), form)),
        form,
    )
    if form.validate_on_submit():
        started = support.start_visit(current_user, tenant.id, form.user_id.data, form.reason_text(), form.minutes.data)
        return redirect(
            url_for("platform_support.enter", shop=started.subdomain, token=started.token, _external=True), 303
        )
    return page.show()
