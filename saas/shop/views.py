"""Shop pages: the dashboard and customers."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from saas.auth.decorators import permission_required
from saas.extensions import db
from saas.shop import services as shop
from saas.shop.forms import CustomerForm
from saas.shop.models import Customer
from saas.tenancy import get_or_404

bp = Blueprint("shop", __name__, template_folder="templates")

PER_PAGE = 25


@bp.route("/")
@login_required
def dashboard():
    """The shop's home: trial status, figures, next steps."""
    return render_template("shop/dashboard.html", figures=shop.dashboard_figures())


@bp.route("/customers")
@permission_required("customers.view")
def customers():
    """All customers, searchable and paginated."""
    search = request.args.get("q", "")[:100]
    page = db.paginate(shop.customer_search(search), per_page=PER_PAGE, error_out=False)
    return render_template("shop/customers.html", page=page, search=search)


@bp.route("/customers/new", methods=["GET", "POST"])
@permission_required("customers.edit")
def new_customer():
    """Add a customer."""
    return _edit_customer(None)


@bp.route("/customers/<int:customer_id>")
@permission_required("customers.view")
def customer(customer_id: int):
    """One customer's record."""
    return render_template("shop/customer.html", customer=get_or_404(Customer, customer_id))


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
@permission_required("customers.edit")
def edit_customer(customer_id: int):
    """Change a customer's details."""
    return _edit_customer(get_or_404(Customer, customer_id))


def _edit_customer(customer: Customer | None):
    form = CustomerForm(obj=customer)
    if form.validate_on_submit():
        saved = shop.save_customer(
            customer, name=form.name.data, email=form.email.data, phone=form.phone.data, notes=form.notes.data
        )
        db.session.commit()
        flash(f"{saved.name} {'saved' if customer else 'added'}.", "success")
        return redirect(url_for("shop.customer", customer_id=saved.id))
    return render_template("shop/customer_form.html", form=form, customer=customer), 400 if form.errors else 200
