"""Console: close a shop (a grace period, then the deletion of all of it) and restore it meanwhile.

Closing is confirmed three times: a reason, the confirmation box and the shop's subdomain typed
out. A form with errors shows the shop's page again with the errors under its fields (400).
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from wtforms import StringField
from wtforms.validators import InputRequired, ValidationError

from saas.core.panels import Panel
from saas.core.tenant import Tenant
from saas.platform import closing, forms
from saas.platform.access import console_required
from saas.platform.blueprint import bp
from saas.platform.shops import load_tenant
from saas.platform.signals import shop_page_panels
from saas.platform.views import shop_page, submitted_form


class CloseShopForm(forms.ActionForm):
    """Closing a shop: the reason, the confirmation and the shop's subdomain typed out."""

    subdomain = StringField(
        "Type the shop's subdomain to confirm",
        validators=[InputRequired("Type the shop's subdomain to confirm.")],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )

    def __init__(self, *args, expected_subdomain: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.expected_subdomain = expected_subdomain

    def validate_subdomain(self, field) -> None:
        """The subdomain typed must be this shop's (case and surrounding spaces aside)."""
        if (field.data or "").strip().lower() != self.expected_subdomain:
            raise ValidationError(f"That is not this shop's subdomain: type {self.expected_subdomain} to confirm.")


def _close_form(tenant: Tenant, **kwargs) -> CloseShopForm:
    return CloseShopForm(prefix="close", expected_subdomain=tenant.subdomain, **kwargs)


@bp.route("/shops/<int:tenant_id>/close", methods=["POST"])
@console_required("shops.manage")
def close_shop(tenant_id: int):
    """Close the shop: read-only now, all of it deleted after the grace period; its owners are mailed."""
    tenant = load_tenant(tenant_id)
    form = _close_form(tenant)
    page = shop_page(tenant_id, close_form=form)
    if not form.validate_on_submit():
        return page.show()
    tenant = closing.close_shop(tenant_id, form.reason_text())
    flash(
        f"{tenant.name} is closing: read-only now, deleted on {tenant.deletion_due_at:%d %b %Y} unless restored. "
        "Its owners were mailed.",
        "success",
    )
    return redirect(url_for("platform.shop", tenant_id=tenant_id, _anchor="closure"), 303)


@bp.route("/shops/<int:tenant_id>/restore", methods=["POST"])
@console_required("shops.manage")
def restore_shop(tenant_id: int):
    """Restore a closing shop during its grace period: nothing is deleted; its owners are mailed."""
    load_tenant(tenant_id)
    form = forms.ActionForm(prefix="restore")
    page = shop_page(tenant_id, restore_form=form)
    if not form.validate_on_submit():
        return page.show()
    tenant = closing.restore_shop(tenant_id, form.reason_text())
    flash(f"{tenant.name} is no longer closing. Its owners were mailed.", "success")
    return redirect(url_for("platform.shop", tenant_id=tenant_id, _anchor="closure"), 303)


@shop_page_panels.connect
def _closure_panel(tenant: Tenant, **details) -> Panel:
    return Panel(
        "platform/_closure_panel.html",
        {
            "tenant": tenant,
            "grace_days": closing.grace_days(),
            "close_form": submitted_form("close_form", lambda: _close_form(tenant, formdata=None)),
            "restore_form": submitted_form("restore_form", lambda: forms.ActionForm(prefix="restore", formdata=None)),
        },
        order=90,
    )
