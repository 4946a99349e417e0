"""A customer's data as a JSON download: complete, machine-readable, and logged."""

import json

from sqlalchemy import select

from saas.audit.models import AccessLogEntry
from saas.auth.roles import Role
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from tests.factories import log_in


def log_entries(app, tenant_id):
    with app.test_request_context(), tenant_scope(tenant_id):
        return [
            (e.action, e.subject_type, e.subject_id, e.user_id, e.ip_address)
            for e in db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id))
        ]


def test_export_downloads_everything_about_the_customer_as_json(owner_client, factory, shop, shop_data):
    created = owner_client.post(
        "/customers/new",
        data={"name": "Ada Lovelace", "email": "ada@example.com", "phone": "(202) 555-0143", "marketing_consent": "y"},
    )
    ada_id = int(created.headers["Location"].rsplit("/", 1)[1])
    customer = factory.customer(shop, name="Someone Else")  # not in Ada's export
    car = shop_data.asset(shop.id, ada_id, vin="1HGCM82633A004352", plate="ADA-1")
    order = shop_data.work_order(shop.id, ada_id, 42, asset_id=car, jobs=(("Brake pads", "declined"),))
    shop_data.invoice(shop.id, ada_id, 9, "180.00", paid="50.00", work_order_id=order)
    shop_data.work_order(shop.id, customer.id, 43)

    response = owner_client.get(f"/customers/{ada_id}/export")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="customer-{ada_id}-')
    data = json.loads(response.get_data(as_text=True))
    assert data["format"] == "workbay.customer-export" and data["shop"] == "Shop acme"
    assert data["customer"]["name"] == "Ada Lovelace"
    assert data["customer"]["phone"] == "+12025550143"
    assert (
        data["customer"]["marketing_consent"] is True and data["customer"]["marketing_consent_source"] == "staff form"
    )
    assert [(a["vin"], a["make"], a["year"]) for a in data["assets"]] == [("1HGCM82633A004352", "Honda", 2003)]
    [work_order] = data["work_orders"]
    assert work_order["number"] == 42 and work_order["asset_id"] == car
    [job] = work_order["jobs"]
    assert (job["title"], job["approval"]) == ("Brake pads", "declined")
    assert job["lines"] == [
        {
            "kind": "labor",
            "description": "Brake pads labor",
            "part_number": None,
            "quantity": "1.500",
            "unit_price": "120.00",
            "tax_category": "labor",
        }
    ]
    [invoice] = data["invoices"]
    assert (invoice["number"], invoice["total"], invoice["amount_paid"]) == (9, "180.00", "50.00")
    assert len(invoice["lines"]) == 1
    assert [(p["invoice_number"], p["amount"], p["method"]) for p in data["payments"]] == [(9, "50.00", "card")]
    assert "unit_cost" not in json.dumps(data)  # the shop's own costs are not the customer's data


def test_export_writes_an_export_entry_in_the_access_log(owner_client, factory, shop, app):
    customer = factory.customer(shop)
    owner = factory.owner(shop)
    owner_client.get(f"/customers/{customer.id}/export", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert log_entries(app, shop.id) == [("export", "customer", customer.id, owner.id, "198.51.100.7")]


def test_export_of_a_customer_with_no_history_is_still_complete(owner_client, factory, shop):
    customer = factory.customer(shop)
    data = owner_client.get(f"/customers/{customer.id}/export").get_json()
    assert (data["assets"], data["work_orders"], data["invoices"], data["payments"], data["appointments"]) == (
        [],
        [],
        [],
        [],
        [],
    )


def test_technician_cannot_export(factory, shop, shop_client, app):
    customer = factory.customer(shop)
    client = shop_client("acme")
    log_in(client, factory.user(shop, Role.TECHNICIAN).email)
    assert client.get(f"/customers/{customer.id}/export").status_code == 403
    assert log_entries(app, shop.id) == []
