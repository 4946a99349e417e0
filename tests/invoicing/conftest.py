"""Shops with work orders ready to invoice, and ways to read invoices back.

Work orders are made straight from the models (the work order services are written alongside
this feature), inside a request context scoped to the shop, the way a request would see them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from saas.core.sequences import next_number
from saas.workorders.models import Job, JobLine, WorkOrder
from tests.factories import log_in
from tests.fixtures.database import shop_session
from tests.fixtures.shops import update_shop
from tests.invoicing.helpers import (
    DEFAULT_JOBS,
    Shop,
    issue,
)


@pytest.fixture
def make_shop(app, factory, shop_client):
    """`make_shop("acme")`: a shop charging 10 % on labor, 8.25 % on parts, 5 % on fees; its owner logged in."""

    def make(subdomain: str = "acme", **settings) -> Shop:
        tenant = factory.tenant(subdomain)
        update_shop(
            app,
            tenant.id,
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


@pytest.fixture
def invoice_id(shop, make_work_order) -> int:
    """An issued invoice of USD 308.54 (see DEFAULT_JOBS)."""
    return issue(shop, make_work_order(shop))
