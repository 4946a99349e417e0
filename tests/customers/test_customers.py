"""Customers: list with search and pagination, add, view, edit; phones, contact preference, marketing consent."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from saas.auth.roles import Role
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.customers.models import Asset, Customer
from saas.documents.models import Document
from saas.documents.services import store_document
from tests.factories import log_in


def customers_of(app, tenant_id):
    with app.test_request_context(), tenant_scope(tenant_id):
        return {c.name: c.email for c in db.session.scalars(select(Customer))}


def phones_of(app, tenant_id):
    with app.test_request_context(), tenant_scope(tenant_id):
        return {c.name: c.phone for c in db.session.scalars(select(Customer))}


def add(client, **data):
    return client.post("/customers/new", data={"name": "Ada Lovelace", **data})


def test_empty_customer_list_invites_to_add_the_first(owner_client):
    page = owner_client.get("/customers").get_data(as_text=True)
    assert "No customers yet" in page


def test_owner_adds_a_customer_and_sees_the_record(owner_client, app, shop):
    response = add(
        owner_client,
        email="ADA@Example.com ",
        phone="(202) 555-0143",
        address="1 Main St\nSpringfield",
        preferred_contact="sms",
    )
    assert response.status_code == 302
    record = owner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ada Lovelace" in record and "ada@example.com" in record
    assert "(202) 555-0143" in record and 'href="tel:+12025550143"' in record
    assert "1 Main St" in record and "Text message" in record
    assert customers_of(app, shop.id) == {"Ada Lovelace": "ada@example.com"}


@pytest.mark.parametrize(
    "typed",
    ["(202) 555-0143", "202-555-0143", "2025550143", "+1 202 555 0143", "1 202 555 0143", "+12025550143"],
)
def test_phone_typed_nationally_or_internationally_is_stored_as_e164(owner_client, app, shop, typed):
    assert add(owner_client, phone=typed).status_code == 302
    assert phones_of(app, shop.id) == {"Ada Lovelace": "+12025550143"}


def test_foreign_number_keeps_its_country_and_shows_internationally(owner_client, app, shop):
    response = add(owner_client, phone="+44 20 7946 0958")
    assert phones_of(app, shop.id) == {"Ada Lovelace": "+442079460958"}
    assert "+44 20 7946 0958" in owner_client.get(response.headers["Location"]).get_data(as_text=True)


def test_phone_is_read_in_the_shops_country(factory, shop_client, app):
    shop = factory.tenant("londonfix")
    with app.test_request_context(), tenant_scope(shop.id):
        from saas.core.tenant import Tenant

        db.session.get(Tenant, shop.id).country = "GB"
        db.session.commit()
    client = shop_client("londonfix")
    log_in(client, factory.owner(shop).email)
    response = add(client, phone="020 7946 0958")
    assert response.status_code == 302
    assert phones_of(app, shop.id) == {"Ada Lovelace": "+442079460958"}
    assert "020 7946 0958" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("typed", ["call me", "12", "555 0100", "+1 202 555 0143 999 999"])
def test_unreadable_phone_is_a_form_error_and_nothing_is_saved(owner_client, app, shop, typed):
    response = add(owner_client, phone=typed)
    assert response.status_code == 400
    assert "does not look like a phone number" in response.get_data(as_text=True)
    assert customers_of(app, shop.id) == {}


def test_edit_form_shows_the_phone_nationally_and_saving_keeps_it(owner_client, factory, shop, app):
    created = add(owner_client, phone="+1 202 555 0143")
    customer_id = int(created.headers["Location"].rsplit("/", 1)[1])
    form = owner_client.get(f"/customers/{customer_id}/edit").get_data(as_text=True)
    assert 'value="(202) 555-0143"' in form
    owner_client.post(f"/customers/{customer_id}/edit", data={"name": "Ada L", "phone": "(202) 555-0143"})
    assert phones_of(app, shop.id) == {"Ada L": "+12025550143"}


def test_customer_without_name_or_with_bad_email_is_refused_and_nothing_saved(owner_client, app, shop):
    response = owner_client.post("/customers/new", data={"name": "", "email": "not-an-email"})
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)
    assert customers_of(app, shop.id) == {}


def test_unknown_contact_channel_is_refused(owner_client, app, shop):
    assert add(owner_client, preferred_contact="pigeon").status_code == 400
    assert customers_of(app, shop.id) == {}


def test_owner_edits_a_customer(owner_client, factory, shop, app):
    customer = factory.customer(shop, name="Old Name")
    response = owner_client.post(f"/customers/{customer.id}/edit", data={"name": "New Name", "email": ""})
    assert response.status_code == 302
    assert customers_of(app, shop.id) == {"New Name": None}


# --- marketing consent ---------------------------------------------------------------------


def test_marketing_consent_is_off_by_default(owner_client, shop, shop_data, factory):
    created = add(owner_client, email="ada@example.com")
    customer_id = int(created.headers["Location"].rsplit("/", 1)[1])
    row = shop_data.customer_row(shop.id, customer_id)
    assert (row["marketing_consent"], row["marketing_consent_at"], row["marketing_consent_source"]) == (
        False,
        None,
        None,
    )
    assert row["preferred_contact"] == "email"
    assert "No consent" in owner_client.get(created.headers["Location"]).get_data(as_text=True)
    assert shop_data.customer_row(shop.id, factory.customer(shop).id)["marketing_consent"] is False


def test_marketing_consent_records_when_and_how_and_is_kept_while_it_stays_on(owner_client, shop, shop_data):
    created = add(owner_client, marketing_consent="y")
    customer_id = int(created.headers["Location"].rsplit("/", 1)[1])
    given = shop_data.customer_row(shop.id, customer_id)
    assert given["marketing_consent"] is True
    assert given["marketing_consent_source"] == "staff form"
    assert given["marketing_consent_at"] is not None
    assert "Agreed on" in owner_client.get(created.headers["Location"]).get_data(as_text=True)

    owner_client.post(f"/customers/{customer_id}/edit", data={"name": "Ada L", "marketing_consent": "y"})
    assert shop_data.customer_row(shop.id, customer_id)["marketing_consent_at"] == given["marketing_consent_at"]


def test_switching_marketing_consent_off_clears_when_and_how(owner_client, shop, shop_data):
    created = add(owner_client, marketing_consent="y")
    customer_id = int(created.headers["Location"].rsplit("/", 1)[1])
    owner_client.post(f"/customers/{customer_id}/edit", data={"name": "Ada Lovelace"})
    row = shop_data.customer_row(shop.id, customer_id)
    assert (row["marketing_consent"], row["marketing_consent_at"], row["marketing_consent_source"]) == (
        False,
        None,
        None,
    )


# --- search and list -------------------------------------------------------------------------


def test_search_finds_by_name_email_or_phone(owner_client, factory, shop):
    factory.customer(shop, name="Grace Hopper", email="grace@navy.mil")
    factory.customer(shop, name="Alan Turing", email="alan@bletchley.uk")
    assert "Grace Hopper" in owner_client.get("/customers?q=grace").get_data(as_text=True)
    page = owner_client.get("/customers?q=bletchley").get_data(as_text=True)
    assert "Alan Turing" in page and "Grace Hopper" not in page
    assert "No customer matches" in owner_client.get("/customers?q=nobody").get_data(as_text=True)


@pytest.mark.parametrize("typed", ["(202) 555-0143", "202 555 0143", "+1 202-555-0143", "555-0143"])
def test_search_finds_a_phone_typed_in_national_or_international_format(owner_client, factory, shop, typed):
    add(owner_client, name="Caller", phone="+12025550143")
    add(owner_client, name="Someone Else", phone="+13125550199")
    page = owner_client.get("/customers", query_string={"q": typed}).get_data(as_text=True)
    assert ">Caller</a>" in page and ">Someone Else</a>" not in page


def test_search_finds_by_plate_ignoring_case_spaces_and_dashes(owner_client, factory, shop, shop_data):
    owner = factory.customer(shop, name="Plate Owner")
    factory.customer(shop, name="Not Me")
    shop_data.asset(shop.id, owner.id, plate="ABC-123", make="Honda")
    shop_data.asset(shop.id, owner.id, plate="ABC 999", make="Ford")  # two matches, still one row
    page = owner_client.get("/customers?q=abc123").get_data(as_text=True)
    assert "Plate Owner" in page and "Not Me" not in page
    assert 'Customers <span class="muted">(1)</span>' in owner_client.get("/customers?q=abc").get_data(as_text=True)


def test_search_finds_by_whole_or_partial_vin(owner_client, factory, shop, shop_data):
    owner = factory.customer(shop, name="Vin Owner")
    factory.customer(shop, name="Not Me")
    shop_data.asset(shop.id, owner.id, vin="1HGCM82633A004352")
    for term in ("1HGCM82633A004352", "1hgcm82633a004352", "004352"):
        page = owner_client.get("/customers", query_string={"q": term}).get_data(as_text=True)
        assert "Vin Owner" in page and "Not Me" not in page, term


def test_search_treats_percent_and_underscore_literally(owner_client, factory, shop):
    factory.customer(shop, name="Anna")
    assert "No customer matches" in owner_client.get("/customers?q=%25").get_data(as_text=True)
    assert "No customer matches" in owner_client.get("/customers?q=_").get_data(as_text=True)


def test_customer_list_is_paginated(owner_client, factory, shop):
    for number in range(30):
        factory.customer(shop, name=f"Customer {number:02d}")
    first = owner_client.get("/customers").get_data(as_text=True)
    second = owner_client.get("/customers?page=2").get_data(as_text=True)
    assert "Customer 00" in first and "Customer 29" not in first
    assert "Customer 29" in second and "Page 2 of 2" in second
    assert owner_client.get("/customers?page=99").status_code == 200


def test_search_results_are_paginated_and_pages_keep_the_search(owner_client, factory, shop):
    for number in range(30):
        factory.customer(shop, name=f"Smith {number:02d}")
    factory.customer(shop, name="Jones")
    first = owner_client.get("/customers?q=smith").get_data(as_text=True)
    assert "Page 1 of 2" in first and "q=smith" in first and "Jones" not in first
    assert "Smith 29" in owner_client.get("/customers?q=smith&page=2").get_data(as_text=True)


def test_customer_list_shows_each_customers_vehicles_and_devices(owner_client, factory, shop, shop_data):
    customer = factory.customer(shop, name="Has Things")
    shop_data.asset(shop.id, customer.id, make="Toyota", model="Corolla", year=2019, plate="XYZ-1")
    shop_data.asset(shop.id, customer.id, kind="device", make="Apple", model="iPhone 13")
    page = owner_client.get("/customers").get_data(as_text=True)
    assert "2019 Toyota Corolla (XYZ-1)" in page and "Apple iPhone 13" in page


def test_technician_can_read_customers_but_not_add_them(factory, shop, shop_client):
    tech = factory.user(shop, Role.TECHNICIAN)
    client = shop_client("acme")
    log_in(client, tech.email)
    assert client.get("/customers").status_code == 200
    assert client.post("/customers/new", data={"name": "X"}).status_code == 403


def test_customer_pages_require_login(shop, shop_client):
    response = shop_client("acme").get("/customers")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_customer_list_runs_the_same_number_of_queries_for_3_or_30_customers(
    owner_client, factory, shop, shop_data, count_queries
):
    def add_customers(count, prefix):
        for number in range(count):
            customer = factory.customer(shop, name=f"{prefix} {number:02d}")
            shop_data.asset(shop.id, customer.id, plate=f"{prefix[:3].upper()}{number}")

    add_customers(3, "Few")
    with count_queries() as few:
        assert owner_client.get("/customers").status_code == 200
    add_customers(27, "Many")
    with count_queries() as many:
        assert owner_client.get("/customers").status_code == 200
    assert few.count == many.count, many.statements
    with count_queries() as searched:
        assert owner_client.get("/customers?q=many").status_code == 200
    assert searched.count == many.count, searched.statements


def test_a_customer_entered_by_mistake_is_deleted_with_assets_and_documents(owner_client, factory, shop, app):
    customer = factory.customer(shop, name="Mistaken Entry")
    owner_client.post(f"/customers/{customer.id}/assets/new", data={"kind": "vehicle", "plate": "OOPS-1"})
    with app.test_request_context(), tenant_scope(shop.id):
        pdf = FileStorage(io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"), filename="id.pdf")
        store_document(pdf, kind="other", customer=db.session.get(Customer, (shop.id, customer.id)))
        db.session.commit()
    assert any(path.is_file() for path in Path(app.config["STORAGE_LOCAL_DIR"]).rglob("*"))

    response = owner_client.post(f"/customers/{customer.id}/delete")

    assert response.status_code == 302
    with app.test_request_context(), tenant_scope(shop.id):
        assert db.session.scalar(select(func.count()).select_from(Asset)) == 0
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert owner_client.get(f"/customers/{customer.id}").status_code == 404
    assert not any(path.is_file() for path in Path(app.config["STORAGE_LOCAL_DIR"]).rglob("*"))


def test_a_customer_with_history_is_kept(owner_client, factory, shop, app):
    customer = factory.customer(shop, name="Regular")
    owner_client.post("/work-orders/new", data={"customer_id": customer.id, "concern": "Noise"})

    response = owner_client.post(f"/customers/{customer.id}/delete")

    assert response.status_code == 409
    assert "1 work orders" in response.get_data(as_text=True)
    assert "Regular" in customers_of(app, shop.id)
