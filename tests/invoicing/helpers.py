"""Jobs to invoice, and ways to read invoices, payments and work orders back (in the shop's scope)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text

from saas.customers.models import Customer
from saas.invoicing.models import Invoice, Payment
from saas.workorders.models import WorkOrder, WorkOrderEvent
from tests.factories import Ref
from tests.fixtures.database import shop_session

# (title, approval, [(kind, description, quantity, unit price, tax category), ...])
BRAKE_JOB = (
    "Front brake pads",
    "approved",
    [("labor", "Replace front pads", "1.5", "120.00", "labor"), ("part", "Brake pad set", "1", "89.99", "parts")],
)


SUPPLIES_JOB = ("Shop supplies", "pending", [("fee", "Disposal fee", "1", "12.50", "fees")])


DECLINED_JOB = ("Tire rotation", "declined", [("labor", "Rotate tires", "0.5", "120.00", "labor")])


DEFAULT_JOBS = (BRAKE_JOB, SUPPLIES_JOB, DECLINED_JOB)


@dataclass(frozen=True)
class Shop:
    """A shop with its owner logged in, and a customer."""

    tenant: Ref
    client: object
    customer: Ref

    @property
    def id(self) -> int:
        return self.tenant.id


def invoices_of(app, tenant_id: int) -> list[Invoice]:
    """Every invoice and credit note of the shop (with lines and payments loaded), oldest first."""
    with shop_session(app, tenant_id) as session:
        invoices = list(session.scalars(select(Invoice).order_by(Invoice.id)))
        for invoice in invoices:
            list(invoice.lines), list(invoice.payments)
        return invoices


def invoice_of(app, tenant_id: int, invoice_id: int) -> Invoice:
    """One invoice as stored now."""
    with shop_session(app, tenant_id) as session:
        invoice = session.scalar(select(Invoice).where(Invoice.id == invoice_id))
        list(invoice.lines), list(invoice.payments)
        return invoice


def payments_of(app, tenant_id: int) -> list[Payment]:
    with shop_session(app, tenant_id) as session:
        return list(session.scalars(select(Payment).order_by(Payment.id)))


def work_order_of(app, tenant_id: int, work_order_id: int) -> WorkOrder:
    with shop_session(app, tenant_id) as session:
        return session.scalar(select(WorkOrder).where(WorkOrder.id == work_order_id))


def events_of(app, tenant_id: int, work_order_id: int) -> list[tuple[str | None, str]]:
    with shop_session(app, tenant_id) as session:
        events = session.scalars(
            select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == work_order_id).order_by(WorkOrderEvent.id)
        )
        return [(event.from_status, event.to_status) for event in events]


def customer_named(app, tenant_id: int, customer_id: int, **changes) -> None:
    """Change a customer's columns (e.g. e-mail) directly."""
    with shop_session(app, tenant_id) as session:
        customer = session.scalar(select(Customer).where(Customer.id == customer_id))
        for name, value in changes.items():
            setattr(customer, name, value)
        session.commit()


def backdate_due(app, tenant_id: int, invoice_id: int, days: int) -> None:
    """Move an invoice's due date `days` into the past (raw SQL: issued invoices refuse ORM changes)."""
    with shop_session(app, tenant_id) as session:
        session.execute(
            text("UPDATE invoices SET due_at = now() - make_interval(days => :days) WHERE id = :id"),
            {"days": days, "id": invoice_id},
        )
        session.commit()


def issue(shop: Shop, work_order_id: int) -> int:
    """Issue the invoice of a work order through the app; the new invoice's id."""
    response = shop.client.post(f"/invoices/from-work-order/{work_order_id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
