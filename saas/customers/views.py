"""Customer pages: list with search, add, view, edit, export; their vehicles and devices."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from saas.audit.services import log_access
from saas.auth.decorators import permission_required
from saas.core.extensions import db
from saas.core.tenancy import current_tenant, get_or_404
from saas.customers import phones, services
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


def url_or_none(endpoint: str, **values) -> str | None:
    """A link to another feature's page if that page exists (features are built in parallel)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


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


@bp.route("/<int:customer_id>")
@permission_required("customers.view")
def show(customer_id: int):
    """One customer's record: contact, vehicles and devices, work, invoices, balance, declined work."""
    record = services.customer_record(customer_id)
    if record is None:
        abort(404)
    log_access("view", "customer", record.customer.id, "Opened the customer's record")
    page = render_template("customers/show.html", record=record, customer=record.customer, url_or_none=url_or_none)
    db.session.commit()  # after rendering: a commit expires the loaded rows, which would reload one by one
    return page


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
    name = customer.name
    try:
        services.delete_customer(customer)
    except services.CustomerError as error:
        db.session.rollback()
        flash(str(error), "error")
        return show(customer_id), 409
    db.session.commit()
    flash(f"{name} was deleted, with their vehicles, devices and documents.", "success")
    return redirect(url_for("customers.index"))


def _edit(customer: Customer | None):
    form = CustomerForm(obj=customer)
    if form.validate_on_submit():
        try:
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
        except services.CustomerError as error:
            db.session.rollback()
            _show_error(form, error)
            return render_template("customers/form.html", form=form, customer=customer), 400
        db.session.commit()
        flash(f"{saved.name} {'saved' if customer else 'added'}.", "success")
        return redirect(url_for("customers.show", customer_id=saved.id))
    if customer is not None and not form.is_submitted():
        form.phone.data = phones.format_phone(customer.phone, current_tenant.country)
    return render_template("customers/form.html", form=form, customer=customer), 400 if form.errors else 200


@bp.route("/<int:customer_id>/export")
@permission_required("customers.edit")
def export(customer_id: int):
    """Everything the shop holds about one customer, as a JSON download (logged)."""
    customer = db.session.scalar(
        select(Customer).options(selectinload(Customer.assets)).where(Customer.id == customer_id)
    )
    if customer is None:
        abort(404)
    data = customer_export(customer, current_tenant.name)
    log_access("export", "customer", customer.id, "Downloaded the customer's data as JSON")
    db.session.commit()
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
    if asset is None and not form.is_submitted() and request.args.get("kind") in set(AssetKind):
        form.kind.data = request.args["kind"]  # "+ Add device" opens the form on devices
    if "kind" not in request.form and form.kind.data not in set(AssetKind):
        form.kind.data = AssetKind.VEHICLE.value  # a row of unknown kind is edited as a vehicle
    if form.validate_on_submit():
        try:
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
        except services.CustomerError as error:
            db.session.rollback()
            _show_error(form, error)
            return _asset_page(form, asset, customer), 400
        db.session.commit()
        flash(f"{saved.label} {'saved' if asset else 'added'}.", "success")
        return redirect(url_for("customers.show", customer_id=customer.id))
    return _asset_page(form, asset, customer), 400 if form.errors else 200


def _asset_page(form: AssetForm, asset: Asset | None, customer: Customer) -> str:
    return render_template(
        "customers/asset_form.html", form=form, asset=asset, customer=customer, device_types=DEVICE_TYPES
    )


@bp.route("/vin-lookup")
@permission_required("customers.view")
def vin_lookup():
    """JSON for the asset form: is this VIN acceptable, and which maker and model year does it decode to."""
    checked = check_vin(request.args.get("vin", "")[:40], current_tenant.country)
    return jsonify(checked.as_json())


def _show_error(form, error: services.CustomerError) -> None:
    """Put a service's refusal under its field, or flash it when it belongs to no field."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "error")
