"""Customer pages: list with search, add, view, edit, export; their vehicles and devices."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from saas.audit.services import log_access
from saas.auth.decorators import permission_required
from saas.core.extensions import db
from saas.core.panels import gather_panels
from saas.core.requests import FormPage
from saas.core.tenancy import active_tenant, current_tenant, get_or_404
from saas.customers import phones, services, signals
from saas.customers.export import customer_export
from saas.customers.forms import DEVICE_TYPES, AssetForm, CustomerForm
from saas.customers.models import Asset, AssetKind, Customer
from saas.customers.vin import check_vin

bp = Blueprint("customers", __name__, template_folder="templates", url_prefix="/customers")

PER_PAGE = 25


@bp.app_template_filter("phone")
def phone_filter(e164: str | None) -> str:
    """`{{ customer.phone | phone }}`: national format at home, international otherwise."""
    return phones.format_phone(e164, current_tenant.country if current_tenant else None)


@bp.route("")
@permission_required("customers.view")
def index():
    """All customers, searchable by name, e-mail, phone, plate or VIN, and paginated."""
    search = request.args.get("q", "")[:100]
    page = db.paginate(services.customer_search(search), per_page=PER_PAGE, error_out=False)
    return render_template("customers/index.html", page=page, search=search)


@bp.route("/new", methods=["GET", "POST"])
@permission_required("customers.edit")
def new():
    """Add a customer."""
    return _edit(None)


def _show_page(customer_id: int) -> str:
    """The customer's record: contact, vehicles and devices, and what other features keep of theirs."""
    customer = services.load_customer(customer_id)
    if customer is None:
        abort(404)
    log_access("view", "customer", customer.id, "Opened the customer's record")
    panels = gather_panels(signals.page_panels, customer, user=current_user)
    return render_template("customers/show.html", customer=customer, panels=panels)


@bp.route("/<int:customer_id>")
@permission_required("customers.view")
def show(customer_id: int):
    """One customer's record: contact, vehicles and devices, work, invoices, balance, declined work."""
    return _show_page(customer_id)


@bp.route("/<int:customer_id>/edit", methods=["GET", "POST"])
@permission_required("customers.edit")
def edit(customer_id: int):
    """Change a customer's details."""
    return _edit(get_or_404(Customer, customer_id))


@bp.route("/<int:customer_id>/delete", methods=["POST"])
@permission_required("customers.edit")
def delete(customer_id: int):
    """Delete a customer entered by mistake (with their vehicles, devices and documents)."""
    customer = get_or_404(Customer, customer_id)
    FormPage(lambda: _show_page(customer_id))
    name = customer.name
    services.delete_customer(customer)
    flash(f"{name} was deleted, with their vehicles, devices and documents.", "success")
    return redirect(url_for("customers.index"))


def _edit(customer: Customer | None):
    form = CustomerForm(obj=customer)
    page = FormPage(lambda: render_template("customers/form.html", form=form, customer=customer), form)
    if form.validate_on_submit():
        saved = services.save_customer(
            customer,
            name=form.name.data,
            email=form.email.data,
            phone=form.phone.data,
            notes=form.notes.data,
            address=form.address.data or "",
            preferred_contact=form.preferred_contact.data,
            marketing_consent=form.marketing_consent.data,
        )
        flash(f"{saved.name} {'saved' if customer else 'added'}.", "success")
        return redirect(url_for("customers.show", customer_id=saved.id))
    if customer is not None and not form.is_submitted():
        form.phone.data = phones.format_phone(customer.phone, active_tenant().country)
    return page.show()


@bp.route("/<int:customer_id>/export")
@permission_required("customers.edit")
def export(customer_id: int):
    """Everything the shop holds about one customer, as a JSON download (logged)."""
    customer = db.session.scalar(
        select(Customer).options(selectinload(Customer.assets)).where(Customer.id == customer_id)
    )
    if customer is None:
        abort(404)
    data = customer_export(customer, active_tenant().name)
    log_access("export", "customer", customer.id, "Downloaded the customer's data as JSON")
    filename = f"customer-{customer.id}-{data['exported_at'][:10]}.json"
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


# --- vehicles and devices ----------------------------------------------------------------


@bp.route("/<int:customer_id>/assets/new", methods=["GET", "POST"])
@permission_required("customers.edit")
def new_asset(customer_id: int):
    """Add a vehicle or device to a customer."""
    customer = get_or_404(Customer, customer_id)
    return _edit_asset(None, customer)


@bp.route("/assets/<int:asset_id>/edit", methods=["GET", "POST"])
@permission_required("customers.edit")
def edit_asset(asset_id: int):
    """Change a vehicle's or device's details."""
    asset = db.session.scalar(select(Asset).options(selectinload(Asset.customer)).where(Asset.id == asset_id))
    if asset is None or asset.customer is None:
        abort(404)
    return _edit_asset(asset, asset.customer)


def _edit_asset(asset: Asset | None, customer: Customer):
    form = AssetForm(obj=asset)
    page = FormPage(
        lambda: render_template(
            "customers/asset_form.html", form=form, asset=asset, customer=customer, device_types=DEVICE_TYPES
        ),
        form,
    )
    if asset is None and not form.is_submitted() and request.args.get("kind") in set(AssetKind):
        form.kind.data = request.args["kind"]  # "+ Add device" opens the form on devices
    if "kind" not in request.form and form.kind.data not in set(AssetKind):
        form.kind.data = AssetKind.VEHICLE.value  # a row of unknown kind is edited as a vehicle
    if form.validate_on_submit():
        saved = services.save_asset(
            asset,
            customer,
            kind=form.kind.data,
            make=form.make.data,
            model=form.model.data,
            year=form.year.data,
            vin=form.vin.data,
            plate=form.plate.data,
            plate_region=form.plate_region.data,
            odometer=form.odometer.data,
            device_type=form.device_type.data,
            serial=form.serial.data,
            notes=form.notes.data,
        )
        flash(f"{saved.label} {'saved' if asset else 'added'}.", "success")
        return redirect(url_for("customers.show", customer_id=customer.id))
    return page.show()


@bp.route("/vin-lookup")
@permission_required("customers.view")
def vin_lookup():
    """JSON for the asset form: is this VIN acceptable, and which maker and model year does it decode to."""
    checked = check_vin(request.args.get("vin", "")[:40], active_tenant().country)
    return jsonify(checked.as_json())
