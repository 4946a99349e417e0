"""A shop's books for dashboard and report tests (the `Books` writer is in helpers.py)."""

from __future__ import annotations

import pytest

from tests.shop.helpers import Books


@pytest.fixture
def books(app, shop):
    """Acme's books, in New York time (so local days differ from UTC ones)."""
    return Books(app, shop, "America/New_York")


@pytest.fixture
def other_books(app, other_shop):
    return Books(app, other_shop, "UTC")
