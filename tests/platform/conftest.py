"""The platform console at admin.workbay.test: a logged-in admin, the shops table, the audit trail."""

from __future__ import annotations

import pytest

from tests.factories import Ref, log_in


@pytest.fixture
def admin(factory) -> Ref:
    """A platform admin (root@workbay.example.com)."""
    return factory.platform_admin()


@pytest.fixture
def console(admin_client, admin):
    """The console, logged in as `admin`."""
    log_in(admin_client, admin.email)
    return admin_client
