"""The privacy request tests' own fixtures: a visitor of acme's privacy center and Ada, acme's customer."""

from __future__ import annotations

import pytest

from tests.privacy.center_helpers import ADA


@pytest.fixture
def visitor(shop_client, shop):
    """Someone without an account on acme's host (its privacy center)."""
    return shop_client("acme")


@pytest.fixture
def ada(factory, shop):
    """Ada Lovelace, acme's customer with the address ada@example.com."""
    return factory.customer(shop, name="Ada Lovelace", email=ADA)
