"""A suspended shop: its staff are refused everywhere, its customers' privacy pages still work, nothing is
lost, its scheduled work pauses; reactivating gives everything back."""

from __future__ import annotations

import pytest

from saas.appointments.tasks import fan_out_appointment_reminders
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tasks.queue import QUEUE_SCHEMA
from tests.factories import PASSWORD
from tests.fixtures.database import snapshot
from tests.platform.test_shops_list import change_shop


@pytest.fixture
def suspended(app, shop):
    change_shop(app, "acme", suspended_at=utcnow())
    return shop


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/customers"),
        ("POST", "/customers/new"),
        ("GET", "/work-orders"),
        ("GET", "/settings"),
        ("GET", "/privacy-requests"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("GET", "/book"),
    ],
)
def test_the_staff_of_a_suspended_shop_see_the_suspended_page_everywhere(owner, shop_client, app, method, path):
    client = shop_client("acme")
    client.post("/login", data={"email": owner.email, "password": PASSWORD})
    change_shop(app, "acme", suspended_at=utcnow())

    response = client.open(path, method=method, data={"name": "New customer"})

    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "is unavailable on Workbay right now" in page and "support@workbay.example.com" in page


def test_a_suspended_shops_customers_can_still_use_the_privacy_center(suspended, shop_client, outbox):
    client = shop_client("acme")

    assert client.get("/privacy").status_code == 200
    assert client.get("/privacy/policy").status_code == 200
    response = client.post("/privacy", data={"kind": "access", "email": "ada@example.com"})
    assert response.status_code in (302, 303)


def test_suspension_deletes_nothing(app, factory, shop, superuser_engine, tenant_tables, console):
    factory.customer(shop, name="Ada")
    before = snapshot(superuser_engine, tenant_tables, shop.id)

    console.post(
        f"/shops/{shop.id}/suspend", data={"suspend-reason": "Abuse report 77 checked", "suspend-confirm": "y"}
    )
    console.post(
        f"/shops/{shop.id}/reactivate", data={"suspend-reason": "Abuse report 77 closed", "suspend-confirm": "y"}
    )

    after = snapshot(superuser_engine, tenant_tables, shop.id)
    assert {table: rows for table, rows in after.items() if table != "tenants"} == {
        table: rows for table, rows in before.items() if table != "tenants"
    }


def test_a_reactivated_shops_staff_work_again(app, owner, shop_client, console, shop):
    client = shop_client("acme")
    client.post("/login", data={"email": owner.email, "password": PASSWORD})
    console.post(
        f"/shops/{shop.id}/suspend", data={"suspend-reason": "Abuse report 77 checked", "suspend-confirm": "y"}
    )
    assert client.get("/customers").status_code == 403

    console.post(
        f"/shops/{shop.id}/reactivate", data={"suspend-reason": "Abuse report 77 closed", "suspend-confirm": "y"}
    )

    assert client.get("/customers").status_code == 200


def test_scheduled_work_pauses_for_a_suspended_shop(app, factory, suspended):
    factory.tenant("bravo")
    with app.app_context():
        fan_out_appointment_reminders()
        shops = db.session.connection().exec_driver_sql(
            f"SELECT args->>'tenant_id' FROM {QUEUE_SCHEMA}.procrastinate_jobs ORDER BY id"
        )
        listed = [int(row[0]) for row in shops]
        db.session.commit()
    assert suspended.id not in listed and len(listed) == 1


def test_other_shops_are_not_affected(app, factory, suspended, login_as):
    bravo = factory.tenant("bravo")

    assert login_as(factory.owner(bravo), "bravo").get("/customers").status_code == 200
