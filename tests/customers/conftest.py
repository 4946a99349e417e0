"""Shops with customers, their vehicles and devices, work orders and invoices, built in the tenant's scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.customers import services
from saas.customers.models import Asset, Customer
from saas.invoicing.models import Invoice, InvoiceLine, Payment
from saas.workorders.models import Job, JobLine, WorkOrder


class ShopData:
    """Creates rows of one shop directly (the work order and invoice features are built elsewhere)."""

    def __init__(self, app):
        self.app = app

    def _run(self, tenant_id: int, build):
        with self.app.test_request_context(), tenant_scope(tenant_id):
            result = build()
            db.session.commit()
            return result

    def asset(self, tenant_id: int, customer_id: int, **values) -> int:
        """A vehicle (default) or device of a customer, saved through the service; returns its id."""
        values.setdefault("kind", "vehicle")

        def build():
            customer = db.session.get(Customer, (tenant_id, customer_id))
            return services.save_asset(None, customer, **values).id

        return self._run(tenant_id, build)

    def work_order(
        self,
        tenant_id: int,
        customer_id: int,
        number: int,
        status: str = "estimate",
        asset_id: int | None = None,
        jobs: tuple[tuple[str, str], ...] = (),
        age_days: int = 0,
    ) -> int:
        """A work order with jobs given as (title, approval); each job gets one labor line."""

        def build():
            created = utcnow() - timedelta(days=age_days)
            order = WorkOrder(
                number=number,
                customer_id=customer_id,
                asset_id=asset_id,
                status=status,
                concern="Noise when braking",
                created_at=created,
            )
            db.session.add(order)
            db.session.flush()
            for position, (title, approval) in enumerate(jobs):
                job = Job(
                    work_order_id=order.id,
                    title=title,
                    position=position,
                    approval=approval,
                    decided_at=created if approval != "pending" else None,
                )
                db.session.add(job)
                db.session.flush()
                db.session.add(
                    JobLine(
                        job_id=job.id,
                        kind="labor",
                        description=f"{title} labor",
                        quantity=Decimal("1.5"),
                        unit_price=Decimal("120.00"),
                        unit_cost=Decimal("40.00"),
                        tax_category="labor",
                    )
                )
            return order.id

        return self._run(tenant_id, build)

    def invoice(
        self,
        tenant_id: int,
        customer_id: int,
        number: int,
        total: str,
        paid: str = "0",
        kind: str = "invoice",
        status: str = "issued",
        work_order_id: int | None = None,
    ) -> int:
        """An issued invoice with one line and, if `paid`, one card payment."""

        def build():
            invoice = Invoice(
                kind=kind,
                number=number,
                status=status,
                customer_id=customer_id,
                work_order_id=work_order_id,
                currency="USD",
                bill_to_name="Bill To",
                subtotal=Decimal(total),
                tax_total=Decimal("0"),
                total=Decimal(total),
                amount_paid=Decimal(paid),
                due_at=utcnow() + timedelta(days=14),
            )
            db.session.add(invoice)
            db.session.flush()
            db.session.add(
                InvoiceLine(
                    invoice_id=invoice.id,
                    kind="labor",
                    description="Labor",
                    quantity=Decimal("1"),
                    unit_price=Decimal(total),
                    tax_category="labor",
                    tax_rate=Decimal("0"),
                    net_amount=Decimal(total),
                )
            )
            if Decimal(paid):
                db.session.add(Payment(invoice_id=invoice.id, amount=Decimal(paid), method="card", reference="r-1"))
            return invoice.id

        return self._run(tenant_id, build)

    def customer_row(self, tenant_id: int, customer_id: int) -> dict:
        """A customer's stored columns."""

        def build():
            customer = db.session.get(Customer, (tenant_id, customer_id))
            return {column.key: getattr(customer, column.key) for column in Customer.__table__.columns}

        return self._run(tenant_id, build)

    def assets_of(self, tenant_id: int) -> list[dict]:
        """Every asset of the shop as stored, oldest first."""

        def build():
            return [
                {column.key: getattr(asset, column.key) for column in Asset.__table__.columns}
                for asset in db.session.scalars(select(Asset).order_by(Asset.id))
            ]

        return self._run(tenant_id, build)


@pytest.fixture
def shop_data(app) -> ShopData:
    return ShopData(app)


@pytest.fixture(autouse=True)
def _vins_decode_on_a_fixed_day(vin_decoding_day):
    """Make and model year read from a VIN do not depend on the day the tests run."""
