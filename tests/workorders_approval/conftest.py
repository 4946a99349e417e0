"""Acme (with tax rates, phone and e-mail) and Bravo Repairs, a work order built through the models, a sent estimate link."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.fixtures.shops import update_shop
from tests.workorders_approval.helpers import (
    WorkOrderRef,
    create_work_order,
)


@pytest.fixture
def shop(factory, app):
    """acme: taxes labor at 8.25 % and parts at 7 %, with a phone and an e-mail address."""
    tenant = factory.tenant("acme", name="Acme Auto")
    update_shop(
        app,
        tenant.id,
        tax_rate_labor=Decimal("0.08250"),
        tax_rate_parts=Decimal("0.07000"),
        phone="+15550100",
        email="desk@acme-auto.example.com",
    )
    return tenant


@pytest.fixture
def other_shop(factory):
    """bravo: another shop on its own host."""
    return factory.tenant("bravo", name="Bravo Repairs")


@pytest.fixture
def work_order(app, shop) -> WorkOrderRef:
    """acme's work order with two jobs (brakes, cabin filter) for Jane, who has an e-mail address."""
    return create_work_order(app, shop)


@pytest.fixture
def sent_link(owner_client, work_order, outbox) -> str:
    """The link acme's owner e-mailed to Jane for `work_order`."""
    response = owner_client.post(f"/work-orders/{work_order.id}/estimate/send")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return outbox.link_in_last_to("jane@example.com")
