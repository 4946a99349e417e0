"""Work order tests: `wo` builds work orders in any status; `asset` is the shared customer's vehicle."""

from __future__ import annotations

import pytest

from tests.workorders.helpers import WorkOrderFactory


@pytest.fixture
def wo(app, factory) -> WorkOrderFactory:
    return WorkOrderFactory(app, factory)


@pytest.fixture
def asset(wo, shop, customer):
    return wo.asset(shop, customer, plate="ADA-001", odometer=40000)
