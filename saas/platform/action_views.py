"""Console: the actions on a shop (trial, plan, suspension). Each form says why and is confirmed;
a form with errors shows the shop's page again with the errors under its fields (400)."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, url_for

from saas.billing.plans import all_plans
from saas.platform import actions, forms
from saas.platform.access import console_required
from saas.platform.blueprint import bp
from saas.platform.shops import load_tenant
from saas.platform.views import shop_page


def _act(tenant_id: int, name: str, form: forms.ActionForm, act: Callable[[], str]):
    """Validate the action's form (else the shop page again, 400), do it, flash what `act` answers."""
    load_tenant(tenant_id)
    page = shop_page(tenant_id, **{name: form})
    if not form.validate_on_submit():
        return page.show()
    flash(act(), "success")
    return redirect(url_for("platform.shop", tenant_id=tenant_id), 303)


@bp.route("/shops/<int:tenant_id>/trial", methods=["POST"])
@console_required("shops.manage")
def extend_trial(tenant_id: int):
    """Give the shop more days of free trial."""
    form = forms.ExtendTrialForm(prefix="trial")

    def act() -> str:
        tenant = actions.extend_shop_trial(tenant_id, form.days.data, form.reason_text())
        return f"{tenant.name}'s trial now ends on {tenant.trial_ends_at:%d %b %Y}."

    return _act(tenant_id, "trial_form", form, act)


@bp.route("/shops/<int:tenant_id>/plan", methods=["POST"])
@console_required("shops.manage")
def set_plan(tenant_id: int):
    """Put the shop on a plan by hand, paid outside Stripe or free of charge until a date."""
    form = forms.PlanForm(prefix="plan", plans=all_plans())

    def act() -> str:
        tenant = actions.set_shop_plan(tenant_id, form.plan.data, form.comped_until.data, form.reason_text())
        plan = next((plan.name for plan in all_plans() if plan.key == form.plan.data), "the trial plan")
        until = f", free of charge until {form.comped_until.data:%d %b %Y}" if form.comped_until.data else ""
        return f"{tenant.name} is now on {plan}{until}."

    return _act(tenant_id, "plan_form", form, act)


@bp.route("/shops/<int:tenant_id>/suspend", methods=["POST"])
@console_required("shops.manage")
def suspend(tenant_id: int):
    """Suspend the shop: staff refused everywhere, customers' privacy pages still open, nothing lost."""
    form = forms.ActionForm(prefix="suspend")

    def act() -> str:
        tenant = actions.suspend_shop(tenant_id, form.reason_text())
        return f"{tenant.name} is suspended. Its staff see the suspended page."

    return _act(tenant_id, "suspend_form", form, act)


@bp.route("/shops/<int:tenant_id>/reactivate", methods=["POST"])
@console_required("shops.manage")
def reactivate(tenant_id: int):
    """Lift the shop's suspension."""
    form = forms.ActionForm(prefix="suspend")

    def act() -> str:
        return f"{actions.reactivate_shop(tenant_id, form.reason_text()).name} is active again."

    return _act(tenant_id, "suspend_form", form, act)
