"""A customer with a history in every feature, for export and erasure tests (rows made in the shop's scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from saas.appointments.models import Appointment, AppointmentStatus
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.sequences import next_number
from saas.core.tenancy import tenant_scope
from saas.customers.models import Customer
from saas.customers.services import save_asset, save_customer
from saas.documents.models import DocumentKind
from saas.documents.services import store_document
from saas.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from saas.workorders.models import EstimateApproval
from saas.workorders.services import create_work_order
from tests.fixtures.storage import PDF


@dataclass(frozen=True)
class History:
    """Ids of what `customer_with_history` made."""

    customer_id: int
    asset_id: int
    work_order_id: int
    invoice_id: int
    appointment_id: int
    document_id: int


def customer_with_history(
    app, tenant_id: int, name: str = "Jane Erasable", email: str = "jane@example.com", days_ahead: int = 7
) -> History:
    """A customer with a vehicle (VIN, plate), a work order with an online signature, an issued
    invoice, an appointment `days_ahead` days from now and a scanned document."""
    with app.test_request_context(), tenant_scope(tenant_id):
        customer = save_customer(
            None, name=name, email=email, phone="+1 202 555 0143", notes="Prefers mornings", address="1 Main St"
        )
        asset = save_asset(
            None, customer, kind="vehicle", make="Honda", model="Accord", vin="1HGCM82633A004352", plate="JANE-1"
        )
        work_order = create_work_order(customer_id=customer.id, asset_id=asset.id, concern="Squeak when braking")
        db.session.add(
            EstimateApproval(
                work_order_id=work_order.id,
                estimate_version=1,
                signed_name=name,
                ip_address="203.0.113.7",
                user_agent="Firefox",
                approved_total=Decimal("100.00"),
                declined_total=Decimal("0"),
                decisions=[],
            )
        )
        invoice = Invoice(
            kind=InvoiceKind.INVOICE,
            number=next_number("invoice"),
            status=InvoiceStatus.ISSUED,
            customer_id=customer.id,
            work_order_id=work_order.id,
            currency="USD",
            bill_to_name=name,
            bill_to_address="1 Main St",
            bill_to_email=email,
            subtotal=Decimal("100.00"),
            tax_total=Decimal("0"),
            total=Decimal("100.00"),
            amount_paid=Decimal("0"),
            due_at=utcnow() + timedelta(days=30),
        )
        db.session.add(invoice)
        starts = utcnow() + timedelta(days=days_ahead)
        appointment = Appointment(
            customer_id=customer.id,
            asset_id=asset.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            status=AppointmentStatus.CONFIRMED,
            source="staff",
            notes="Bring the spare key",
        )
        db.session.add(appointment)
        upload = FileStorage(BytesIO(PDF), filename="registration.pdf", content_type="application/pdf")
        document = store_document(upload, kind=DocumentKind.REGISTRATION, customer=customer)
        db.session.flush()
        history = History(customer.id, asset.id, work_order.id, invoice.id, appointment.id, document.id)
        db.session.commit()
        return history


def read(app, tenant_id: int, model, row_id: int) -> dict:
    """One row as plain data (None once deleted)."""
    with app.test_request_context(), tenant_scope(tenant_id):
        row = db.session.scalar(select(model).where(model.id == row_id))
        return None if row is None else {c.key: getattr(row, c.key) for c in model.__table__.columns}


def find_customers(app, tenant_id: int, **filters) -> list[int]:
    """Ids of the shop's customers matching column values."""
    with app.test_request_context(), tenant_scope(tenant_id):
        query = select(Customer.id).filter_by(**filters)
        return list(db.session.scalars(query))
