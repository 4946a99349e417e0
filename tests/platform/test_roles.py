"""Console roles: support reads and helps, owners act; the gate refuses what a role does not hold."""

from __future__ import annotations

import pytest

from saas.platform.access import PERMISSIONS, AdminRole, role_may
from tests.factories import log_in

WHO_MAY = {
    "shops.view": {AdminRole.SUPPORT, AdminRole.OWNER},
    "shops.support": {AdminRole.SUPPORT, AdminRole.OWNER},
    "jobs.retry": {AdminRole.SUPPORT, AdminRole.OWNER},
    "shops.manage": {AdminRole.OWNER},
    "admins.manage": {AdminRole.OWNER},
}


def test_every_console_permission_is_in_the_table():
    assert set(PERMISSIONS) == set(WHO_MAY)


@pytest.mark.parametrize("permission", WHO_MAY)
@pytest.mark.parametrize("role", list(AdminRole))
def test_each_role_holds_exactly_its_permissions(role, permission):
    assert role_may(role, permission) is (role in WHO_MAY[permission])


def test_unknown_roles_and_permissions_are_refused():
    assert role_may("superuser", "shops.view") is False
    assert role_may(AdminRole.OWNER, "shops.delete_everything") is False


def test_support_sees_the_shops_but_may_not_change_a_plan(factory, admin_client, shop):
    support = factory.platform_admin("help@workbay.example.com", role="support")
    log_in(admin_client, support.email)

    assert admin_client.get("/").status_code == 200
    assert admin_client.post(f"/shops/{shop.id}/plan", data={"plan-plan": "pro"}).status_code == 403


def test_flask_users_create_admin_takes_a_role(flask_cli, app):
    result = flask_cli(
        "users",
        "create-admin",
        "--email",
        "helper@workbay.example.com",
        "--role",
        "support",
        "--password",
        "a-long-secret-1",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        from saas.platform.admins import find_admin

        assert find_admin("helper@workbay.example.com").role == "support"
