"""Customer pages: list with search, add, view, edit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from saas.auth.decorators import permission_required
from saas.customers import services
from saas.customers.forms import CustomerForm
from saas.customers.models import Customer
from saas.extensions import db
from saas.tenancy import get_or_404

bp = Blueprint("customers", __name__, template_folder="templates", url_prefix="/customers")

PER_PAGE = 25


@bp.route("")
@permission_required("customers.view")
def index():
    """All customers, searchable and paginated."""
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
    """One customer's record."""
    return render_template("customers/show.html", customer=get_or_404(Customer, customer_id))


@bp.route("/<int:customer_id>/edit", methods=["GET", "POST"])
@permission_required("customers.edit")
def edit(customer_id: int):
    """Change a customer's details."""
    return _edit(get_or_404(Customer, customer_id))


def _edit(customer: Customer | None):
    form = CustomerForm(obj=customer)
    if form.validate_on_submit():
        saved = services.save_customer(
            customer, name=form.name.data, email=form.email.data, phone=form.phone.data, notes=form.notes.data
        )
        db.session.commit()
        flash(f"{saved.name} {'saved' if customer else 'added'}.", "success")
        return redirect(url_for("customers.show", customer_id=saved.id))
    return render_template("customers/form.html", form=form, customer=customer), 400 if form.errors else 200
