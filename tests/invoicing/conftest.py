"""Shops with work orders ready to invoice, and ways to read invoices back.

Work orders are made straight from the models (the work order services are written alongside
this feature), inside a request context scoped to the shop, the way a request would see them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from saas.core.extensions import db
from saas.core.sequences import next_number
from saas.core.tenancy import tenant_scope
from saas.core.tenant import Tenant
from saas.customers.models import Customer
from saas.invoicing.models import Invoice, Payment
from saas.workorders.models import Job, JobLine, WorkOrder, WorkOrderEvent
from tests.factories import Ref, log_in

# (title, approval, [(kind, description, quantity, unit price, tax category), ...])
BRAKE_JOB = (
    "Front brake pads",
    "approved",
    [("labor", "Replace front pads", "1.5", "120.00", "labor"), ("part", "Brake pad set", "1", "89.99", "parts")],
)
SUPPLIES_JOB = ("Shop supplies", "pending", [("fee", "Disposal fee", "1", "12.50", "fees")])
DECLINED_JOB = ("Tire rotation", "declined", [("labor", "Rotate tires", "0.5", "120.00", "labor")])
DEFAULT_JOBS = (BRAKE_JOB, SUPPLIES_JOB, DECLINED_JOB)


@contextmanager
def shop_session(app, tenant_id: int) -> Iterator:
    """The database session scoped to one shop, as in that shop's requests."""
    with app.test_request_context(), tenant_scope(tenant_id):
        yield db.session


def configure_shop(app, tenant: Ref, **settings) -> None:
    """Change columns of the shop's profile (currency, tax rates, ...)."""
    with shop_session(app, tenant.id) as session:
        shop = session.get(Tenant, tenant.id)
        for name, value in settings.items():
            setattr(shop, name, value)
        session.commit()


@dataclass(frozen=True)
class Shop:
    """A shop with its owner logged in, and a customer."""

    tenant: Ref
    client: object
    customer: Ref

    @property
    def id(self) -> int:
        return self.tenant.id


@pytest.fixture
def make_shop(app, factory, shop_client):
    """`make_shop("acme")`: a shop charging 10 % on labor, 8.25 % on parts, 5 % on fees; its owner logged in."""

    def make(subdomain: str = "acme", **settings) -> Shop:
        tenant = factory.tenant(subdomain)
        configure_shop(
            app,
            tenant,
            **{
                "tax_rate_labor": Decimal("0.10"),
                "tax_rate_parts": Decimal("0.0825"),
                "tax_rate_fees": Decimal("0.05"),
                "address": "1 Main Street\nSpringfield",
                "phone": "+1 555 0100",
                "email": f"hello@{subdomain}.example.com",
                **settings,
            },
        )
        customer = factory.customer(tenant, name="Jane Customer", email=f"jane@{subdomain}-customer.example.com")
        client = shop_client(subdomain)
        log_in(client, factory.owner(tenant).email)
        return Shop(tenant, client, customer)

    return make


@pytest.fixture
def shop(make_shop) -> Shop:
    return make_shop("acme")


@pytest.fixture
def make_work_order(app):
    """`make_work_order(shop, jobs=..., status="ready")` -> the work order's id."""

    def make(shop: Shop, jobs=DEFAULT_JOBS, status: str = "ready", customer_id: int | None = None) -> int:
        with shop_session(app, shop.id) as session:
            work_order = WorkOrder(
                number=next_number("work_order"),
                customer_id=customer_id or shop.customer.id,
                status=status,
                concern="Squeaky brakes",
            )
            session.add(work_order)
            session.flush()
            for position, (title, approval, lines) in enumerate(jobs):
                job = Job(work_order_id=work_order.id, title=title, position=position, approval=approval)
                session.add(job)
                session.flush()
                for line_position, (kind, description, quantity, price, category) in enumerate(lines):
                    session.add(
                        JobLine(
                            job_id=job.id,
                            kind=kind,
                            description=description,
                            quantity=Decimal(quantity),
                            unit_price=Decimal(price),
                            tax_category=category,
                            position=line_position,
                        )
                    )
            session.commit()
            return work_order.id

    return make


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
