"""The tenancy tests' own fixture: shops alpha and bravo with a row in every tenant table (see helpers.py)."""

from __future__ import annotations

import pytest

from saas.core.extensions import db
from saas.platform import audit
from saas.platform.admins import find_admin
from tests.fixtures.database import rows_by_tenant
from tests.tenancy.helpers import (
    TwoShops,
    _populate,
    refilled,
)


@pytest.fixture
def shops(app, factory, tenant_tables, superuser_engine) -> TwoShops:
    """Shops alpha and bravo, each with rows in every tenant table; plus platform rows."""
    made = [_populate(app, factory, "alpha"), _populate(app, factory, "bravo")]
    admin = factory.platform_admin("auditor@workbay.example.com")
    with app.test_request_context():
        audit.record("test.setup", admin=find_admin(admin.email))
        db.session.commit()
    made = [refilled(superuser_engine, tenant_tables, shop) for shop in made]
    with superuser_engine.connect() as conn:
        counts = {table: rows_by_tenant(conn, table) for table in tenant_tables}
    missing = {table: count for table, count in counts.items() if set(count) != {shop.id for shop in made}}
    assert not missing, f"both shops need rows in every tenant table: {missing}"
    return TwoShops(*made)
