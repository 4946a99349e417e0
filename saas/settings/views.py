"""Shop settings: the shop's profile as printed on invoices, currency, timezone, rates, terms."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from saas.auth.decorators import permission_required
from saas.core.panels import gather_panels
from saas.core.requests import FormPage
from saas.core.tenancy import active_tenant
from saas.settings import services, signals
from saas.settings.forms import ShopSettingsForm

bp = Blueprint("settings", __name__, template_folder="templates", url_prefix="/settings")


def _form_data(shop) -> dict:
    profile = services.profile_of(shop)
    return {
        "name": profile.name,
        "email": profile.email,
        "phone": profile.phone,
        "address": profile.address,
        "tax_id": profile.tax_id,
        "currency": profile.currency,
        "timezone": profile.timezone,
        "labor_rate": profile.labor_rate,
        "tax_rate_labor": profile.tax_percent_labor,
        "tax_rate_parts": profile.tax_percent_parts,
        "tax_rate_fees": profile.tax_percent_fees,
        "invoice_due_days": profile.invoice_due_days,
    }


@bp.route("", methods=["GET", "POST"])
@permission_required("shop.settings")
def index():
    """Show and save the shop's settings."""
    shop = active_tenant()
    form = ShopSettingsForm(data=_form_data(shop))
    page = FormPage(
        lambda: render_template(
            "settings/index.html",
            form=form,
            shop=shop,
            panels=gather_panels(signals.page_panels, shop, user=current_user),
        ),
        form,
    )
    if form.validate_on_submit():
        services.update_shop(
            shop,
            services.ShopProfile(
                name=form.name.data,
                email=form.email.data,
                phone=form.phone.data,
                address=form.address.data,
                tax_id=form.tax_id.data,
                currency=form.currency.data,
                timezone=form.timezone.data,
                labor_rate=form.labor_rate.data,
                tax_percent_labor=form.tax_rate_labor.data,
                tax_percent_parts=form.tax_rate_parts.data,
                tax_percent_fees=form.tax_rate_fees.data,
                invoice_due_days=form.invoice_due_days.data,
            ),
        )
        flash("Settings saved. New estimates and invoices use them; issued invoices stay as they were.", "success")
        return redirect(url_for("settings.index"))
    if form.errors:
        flash("Please correct the highlighted fields; nothing was saved.", "error")
    return page.show()
