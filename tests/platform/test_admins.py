"""The console's admins page: owners change roles, close accounts and reset a lost second factor, with a
reason; nobody changes their own account or removes the last owner; shop accounts never become admins."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.core.extensions import db
from saas.platform.models import PlatformAdmin
from tests.factories import PASSWORD, log_in
from tests.fixtures.pages import field_errors, flashes, redirect_path
from tests.platform.helpers import audit_entries

REASON = "Moved to the support team this week"


def reasoned(prefix: str, **fields) -> dict:
    return {f"{prefix}-reason": REASON, f"{prefix}-confirm": "y", **{f"{prefix}-{k}": v for k, v in fields.items()}}


def stored(app, admin_id: int) -> PlatformAdmin:
    with app.app_context():
        admin = db.session.get(PlatformAdmin, admin_id)
        db.session.expunge(admin)
        return admin


@pytest.fixture
def colleague(factory):
    return factory.platform_admin("colleague@workbay.example.com")


def test_the_admins_page_lists_everyone_with_role_and_second_factor(console, colleague, factory):
    factory.platform_admin("new@workbay.example.com", role="support", enrolled=False)

    page = console.get("/admins").get_data(as_text=True)

    assert "colleague@workbay.example.com" in page and "new@workbay.example.com" in page
    assert "Support" in page and "not yet" in page


def test_an_owner_changes_a_colleagues_role_with_a_reason(console, app, colleague):
    response = console.post(f"/admins/{colleague.id}/role", data=reasoned("role", role="support"))

    assert response.status_code == 303
    assert stored(app, colleague.id).role == "support"
    [entry] = audit_entries(app, "admins.change_role")
    assert (entry.reason, entry.before["role"], entry.after["role"]) == (REASON, "owner", "support")


def test_closing_an_account_ends_its_sessions_and_its_logins(console, app, colleague, admin_client, factory):
    other = factory.platform_admin("third@workbay.example.com")
    from tests.fixtures.clients import host_client

    theirs = host_client(app, "admin.workbay.test")
    log_in(theirs, other.email)

    console.post(f"/admins/{other.id}/deactivate", data=reasoned("account"))

    assert redirect_path(theirs.get("/")).startswith("/login")
    refused = theirs.post("/login", data={"email": other.email, "password": PASSWORD})
    assert refused.status_code == 403
    assert "This console account is deactivated. Ask an owner of the platform." in flashes(refused)
    assert stored(app, other.id).deactivated_at is not None


def test_a_lost_second_factor_is_reset_and_the_next_login_enrols_again(console, app, colleague):
    console.post(f"/admins/{colleague.id}/reset-second-factor", data=reasoned("reset"))

    assert stored(app, colleague.id).has_second_factor is False
    assert [entry.action for entry in audit_entries(app, "admins.reset_second_factor")] == [
        "admins.reset_second_factor"
    ]


def test_nobody_changes_their_own_account_here(console, app, admin):
    response = console.post(f"/admins/{admin.id}/role", data=reasoned("role", role="support"))

    assert response.status_code == 409
    assert "You cannot change your own account here; ask another owner." in flashes(response)
    assert stored(app, admin.id).role == "owner"


def test_an_incomplete_form_changes_nothing(console, app, colleague):
    response = console.post(f"/admins/{colleague.id}/role", data={"role-role": "support"})

    assert response.status_code == 400
    assert "Say why: the reason goes into the audit trail." in field_errors(response)
    assert stored(app, colleague.id).role == "owner"


def test_an_unknown_role_or_admin_is_refused(console, colleague):
    assert console.post(f"/admins/{colleague.id}/role", data=reasoned("role", role="root")).status_code == 400
    assert console.post("/admins/987654/role", data=reasoned("role", role="support")).status_code == 404
    assert console.get("/admins/987654").status_code == 404


def test_support_admins_see_the_list_but_change_nothing(factory, admin_client, app, colleague):
    support = factory.platform_admin("help@workbay.example.com", role="support")
    log_in(admin_client, support.email)

    assert admin_client.get("/admins").status_code == 200
    assert admin_client.get(f"/admins/{colleague.id}").status_code == 403
    assert admin_client.post(f"/admins/{colleague.id}/deactivate", data=reasoned("account")).status_code == 403
    assert stored(app, colleague.id).is_active


def test_a_shop_owner_with_the_same_address_is_a_separate_account(factory, app, flask_cli, shop_client, admin_client):
    shop = factory.tenant("acme")
    owner = factory.owner(shop)

    result = flask_cli("users", "create-admin", "--email", owner.email, "--password", "another-long-secret-9")

    assert result.exit_code == 0, result.output
    # The shop password opens the shop and not the console; the console password opens neither the shop.
    assert admin_client.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code == 401
    staff = shop_client("acme")
    assert staff.post("/login", data={"email": owner.email, "password": "another-long-secret-9"}).status_code == 401
    assert staff.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code == 302
    with app.app_context():
        admin = db.session.scalar(select(PlatformAdmin).where(PlatformAdmin.email == owner.email))
    assert admin.role == "owner" and not hasattr(admin, "tenant_id")
