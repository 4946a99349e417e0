"""Roles: what each may do, who may change whom, and that a shop always keeps an owner."""

import pytest
from sqlalchemy import select

from saas.auth import services as auth
from saas.auth.models import User
from saas.auth.roles import PERMISSIONS, Role, assignable_roles, role_can
from tests.factories import PASSWORD
from tests.fixtures.database import shop_session
from tests.fixtures.pages import flashes, redirect_path
from tests.fixtures.shops import user_of

OWNER, MANAGER, ADVISOR, TECHNICIAN = Role.OWNER, Role.MANAGER, Role.SERVICE_ADVISOR, Role.TECHNICIAN

# The permission table as the product defines it, written out independently of saas.auth.roles.
EVERYONE = {OWNER, MANAGER, ADVISOR, TECHNICIAN}
OFFICE = {OWNER, MANAGER, ADVISOR}
MANAGEMENT = {OWNER, MANAGER}
WHO_MAY = {
    "customers.view": EVERYONE,
    "customers.edit": OFFICE,
    "workorders.view": EVERYONE,
    "workorders.edit": OFFICE,
    "workorders.update_status": EVERYONE,
    "canned_jobs.manage": MANAGEMENT,
    "invoices.view": OFFICE,
    "invoices.manage": OFFICE,
    "payments.record": OFFICE,
    "appointments.view": EVERYONE,
    "appointments.manage": OFFICE,
    "reports.view": MANAGEMENT,
    "access_log.view": {OWNER},
    "staff.view": MANAGEMENT,
    "staff.manage": MANAGEMENT,
    "shop.settings": MANAGEMENT,
    "billing.manage": {OWNER},
    "privacy.manage": {OWNER},
    "shop.export": {OWNER},
    "support.manage": {OWNER},
    "documents.sensitive": OFFICE,
    "inspections.templates": MANAGEMENT,
    "privacy.erase": MANAGEMENT,
    "privacy.retention": {OWNER},
    "privacy.requests": MANAGEMENT,
}


def test_every_permission_the_app_knows_is_in_the_table():
    assert set(PERMISSIONS) == set(WHO_MAY)


@pytest.mark.parametrize("permission", WHO_MAY)
@pytest.mark.parametrize("role", list(Role))
def test_each_role_holds_exactly_the_permissions_of_the_table(role, permission):
    assert role_can(role, permission) is (role in WHO_MAY[permission])


@pytest.mark.parametrize("role", list(Role))
def test_an_unknown_permission_is_refused_to_every_role(role):
    assert role_can(role, "shop.delete") is False


@pytest.mark.parametrize(
    ("role", "may_give"),
    [
        (OWNER, {OWNER, MANAGER, ADVISOR, TECHNICIAN}),
        (MANAGER, {ADVISOR, TECHNICIAN}),
        (ADVISOR, set()),
        (TECHNICIAN, set()),
    ],
)
def test_nobody_hands_out_more_than_they_hold(role, may_give):
    assert set(assignable_roles(role)) == may_give


@pytest.fixture
def client_as(factory, shop, login_as):
    """`client_as(role)`: a new staff member of acme with `role`, logged in."""

    def make(role: Role):
        return login_as(factory.owner(shop) if role == OWNER else factory.user(shop, role))

    return make


@pytest.mark.parametrize(("role", "status"), [(OWNER, 200), (MANAGER, 200), (ADVISOR, 200), (TECHNICIAN, 403)])
def test_every_role_reads_customers_but_only_the_office_may_add_one(client_as, role, status):
    client = client_as(role)

    assert client.get("/customers").status_code == 200
    assert client.get("/customers/new").status_code == status


@pytest.mark.parametrize(("role", "status"), [(OWNER, 200), (MANAGER, 200), (ADVISOR, 403), (TECHNICIAN, 403)])
def test_staff_page_is_for_owners_and_managers(client_as, role, status):
    response = client_as(role).get("/staff")

    assert response.status_code == status
    if status == 403:
        assert "Your role does not allow this." in response.get_data(as_text=True)


def test_a_technician_posting_a_new_customer_gets_403_and_nothing_is_added(client_as):
    technician = client_as(TECHNICIAN)

    assert technician.post("/customers/new", data={"name": "Ada Lovelace"}).status_code == 403
    assert "Ada Lovelace" not in technician.get("/customers").get_data(as_text=True)


def change_role(client, member_id: int, role: Role):
    return client.post(f"/staff/{member_id}", data={"role": str(role)})


def set_access(client, member_id: int, active: bool):
    return client.post(f"/staff/{member_id}/access", data={"active": "1" if active else "0"})


def test_owner_makes_a_technician_a_manager_who_then_sees_the_staff_page(owner_client, factory, shop, login_as, app):
    technician = factory.user(shop, TECHNICIAN, name="Theo Tech")
    technician_client = login_as(technician)
    assert technician_client.get("/staff").status_code == 403

    response = change_role(owner_client, technician.id, MANAGER)

    assert redirect_path(response) == "/staff"
    assert "Theo Tech is now manager." in flashes(owner_client.get("/staff"))
    assert user_of(app, technician).role == MANAGER
    assert technician_client.get("/staff").status_code == 200


def test_nobody_changes_their_own_role(owner_client, owner, app):
    response = change_role(owner_client, owner.id, MANAGER)

    assert response.status_code == 400
    assert "You cannot change your own role or access." in flashes(response)
    assert user_of(app, owner).role == OWNER


def test_the_only_owner_cannot_deactivate_themselves(owner_client, owner, app):
    response = set_access(owner_client, owner.id, active=False)

    assert "You cannot change your own role or access." in flashes(owner_client.get(redirect_path(response)))
    assert user_of(app, owner).is_active_account
    assert owner_client.get("/").status_code == 200


def test_one_owner_demotes_another_who_then_cannot_demote_back(owner_client, owner, factory, shop, login_as, app):
    co_owner = factory.user(shop, OWNER)

    assert redirect_path(change_role(owner_client, co_owner.id, MANAGER)) == "/staff"

    response = change_role(login_as(co_owner), owner.id, TECHNICIAN)
    assert response.status_code == 400
    assert "You cannot change a staff member with that role." in flashes(response)
    assert user_of(app, owner).role == OWNER


def test_manager_cannot_promote_anyone_to_manager(factory, shop, login_as, app):
    technician = factory.user(shop, TECHNICIAN)
    manager = login_as(factory.user(shop, MANAGER))

    response = change_role(manager, technician.id, MANAGER)

    assert response.status_code == 400
    assert user_of(app, technician).role == TECHNICIAN


def test_manager_may_make_a_technician_a_service_advisor(factory, shop, login_as, app):
    technician = factory.user(shop, TECHNICIAN)
    manager = login_as(factory.user(shop, MANAGER))

    assert redirect_path(change_role(manager, technician.id, ADVISOR)) == "/staff"
    assert user_of(app, technician).role == ADVISOR


def test_manager_cannot_deactivate_an_owner(factory, shop, owner, login_as, app):
    manager = login_as(factory.user(shop, MANAGER))

    response = set_access(manager, owner.id, active=False)

    assert "You cannot change a staff member with that role." in flashes(manager.get(redirect_path(response)))
    assert user_of(app, owner).is_active_account


@pytest.mark.parametrize("action", ["demote", "deactivate"])
def test_a_shop_never_loses_its_last_active_owner(app, factory, shop, owner, action):
    """The rule holds in the service even where no screen reaches it: only a deactivated co-owner is left to ask."""
    former_owner = factory.user(shop, OWNER)
    with shop_session(app, shop.id) as session:
        actor, last_owner = (session.scalar(select(User).where(User.id == ref.id)) for ref in (former_owner, owner))
        actor.is_active_account = False
        session.flush()
        with pytest.raises(auth.AuthError, match="A shop needs at least one owner."):
            if action == "demote":
                auth.change_role(actor, last_owner, MANAGER)
            else:
                auth.set_active(actor, last_owner, False)


def test_deactivating_a_member_ends_their_session_and_blocks_login(owner_client, factory, shop, login_as, shop_client):
    technician = factory.user(shop, TECHNICIAN, name="Theo Tech")
    technician_client = login_as(technician)

    response = set_access(owner_client, technician.id, active=False)

    assert redirect_path(response) == "/staff"
    staff_page = owner_client.get("/staff")
    assert "Theo Tech can no longer log in." in flashes(staff_page)
    assert "deactivated" in staff_page.get_data(as_text=True)
    assert redirect_path(technician_client.get("/")).startswith("/login")
    login = shop_client("acme").post("/login", data={"email": technician.email, "password": PASSWORD})
    assert login.status_code == 401


def test_reactivated_member_can_log_in_again(owner_client, factory, shop, shop_client):
    technician = factory.user(shop, TECHNICIAN)
    set_access(owner_client, technician.id, active=False)

    set_access(owner_client, technician.id, active=True)

    login = shop_client("acme").post("/login", data={"email": technician.email, "password": PASSWORD})
    assert redirect_path(login) == "/"
