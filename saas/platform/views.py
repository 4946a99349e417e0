"""Console: the shops list (filters, sorting, CSV) and the page of one shop."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, g, render_template, request
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from saas.billing.plans import all_plans
from saas.core.panels import gather_panels
from saas.core.requests import FormPage, PlainText
from saas.core.tenant import TenantStatus
from saas.platform import forms
from saas.platform import shops as shop_queries
from saas.platform.access import console_required
from saas.platform.blueprint import bp
from saas.platform.signals import shop_page_panels

STATUS_CHOICES = (
    *(SelectChoice(status.value, status.value.replace("_", " ").capitalize()) for status in TenantStatus),
    SelectChoice(shop_queries.SUSPENDED, "Suspended"),
    SelectChoice(shop_queries.CLOSING, "Closing"),
)


def _filter_form() -> forms.ShopFilterForm:
    plans = (
        SelectChoice(shop_queries.TRIAL_PLAN, "Trial plan"),
        *(SelectChoice(plan.key, plan.name) for plan in all_plans()),
        SelectChoice(shop_queries.COMPED, "Complimentary"),
    )
    return forms.ShopFilterForm(request.args, statuses=STATUS_CHOICES, plans=plans)


def _shop_filter(form: forms.ShopFilterForm) -> shop_queries.ShopFilter:
    """The filter the form asks for; a field with an error is left out (the page says why)."""

    def valid(field):
        return None if field.errors else field.data

    return shop_queries.ShopFilter(
        search=valid(form.q) or "",
        status=valid(form.status) or "",
        plan=valid(form.plan) or "",
        trial_ends_within_days=valid(form.trial_days),
        past_due=bool(valid(form.past_due)),
        created_from=valid(form.created_from),
        created_to=valid(form.created_to),
        sort=valid(form.sort) or "created",
        descending=form.dir.data != "asc",
    )


@bp.route("/")
@console_required("shops.view")
def shops():
    """Every shop with plan, status, trial end, staff and storage; filtered, sorted, paginated."""
    form = _filter_form()
    form.validate()
    shop_filter = _shop_filter(form)
    result = shop_queries.list_shops(shop_filter, request.args.get("page", 1, type=int))
    page = FormPage(
        lambda: render_template("platform/shops.html", result=result, form=form, args=shop_filter.as_args()), form
    )
    return page.show()


@bp.route("/shops.csv")
@console_required("shops.view")
def shops_csv():
    """The filtered shops list, all of it, as CSV (audited)."""
    PlainText()
    form = _filter_form()
    form.validate()
    body = shop_queries.shops_csv(_shop_filter(form))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="workbay-shops.csv"'
    return response


SUBMITTED = "console_submitted_forms"  # on `g`: a form that came back with errors, for its part of the page


def submitted_form(name: str, make: Callable[[], FlaskForm]) -> FlaskForm:
    """The form `name` as it was sent (with its errors) when the shop page is shown again, else `make()`.

    The page's parts (panels of other console modules) build their forms with this."""
    form = g.get(SUBMITTED, {}).get(name)
    return form if form is not None else make()


def shop_page(tenant_id: int, **submitted: FlaskForm) -> FormPage:
    """The page of a shop with its action forms, built when shown; `submitted` replaces a form that
    came back with errors (the page answers 400 then, or the refusal's status)."""
    g.setdefault(SUBMITTED, {}).update(submitted)

    def render() -> str:
        detail = shop_queries.shop_detail(tenant_id)
        plan = detail.subscription.plan if detail.subscription is not None else None
        action_forms = {
            "trial_form": submitted_form("trial_form", lambda: forms.ExtendTrialForm(prefix="trial", formdata=None)),
            "plan_form": submitted_form(
                "plan_form", lambda: forms.PlanForm(prefix="plan", formdata=None, plans=all_plans(), plan=plan or "")
            ),
            "suspend_form": submitted_form("suspend_form", lambda: forms.ActionForm(prefix="suspend", formdata=None)),
        }
        panels = gather_panels(shop_page_panels, detail.tenant)
        return render_template(
            "platform/shop.html", detail=detail, panels=panels, due_soon=shop_queries.due_soon, **action_forms
        )

    return FormPage(render, next(iter(submitted.values()), None))


@bp.route("/shops/<int:tenant_id>")
@console_required("shops.view")
def shop(tenant_id: int):
    """One shop: plan, billing, staff, usage, privacy requests, the actions and their trail."""
    return shop_page(tenant_id).show()
