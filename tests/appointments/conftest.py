"""Appointment tests: a visitor on acme's booking page, acme open every day with an online service.

The helpers that make rows (opening hours, services, customers, appointments) are in helpers.py.
"""

from __future__ import annotations

import pytest

from tests.appointments.helpers import (
    add_service,
    set_hours,
)


@pytest.fixture
def visitor(shop, shop_client):
    """Someone on acme's public booking page, not logged in."""
    return shop_client("acme")


@pytest.fixture
def open_shop(app, shop):
    """acme, open every day 08:00-17:00 (UTC), with an online 60-minute service."""
    set_hours(app, shop)
    return add_service(app, shop, "Oil change", 60)
