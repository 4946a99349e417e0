"""Customers: list with search and pagination, add, view, edit; bad input is refused."""

import pytest
from sqlalchemy import select

from saas.auth.roles import Role
from saas.extensions import db
from saas.customers.models import Customer
from saas.tenancy import tenant_scope
from tests.factories import log_in


@pytest.fixture
def shop(factory):
    return factory.tenant("acme")


@pytest.fixture
def owner_client(factory, shop, shop_client):
    client = shop_client("acme")
    log_in(client, factory.owner(shop).email)
    return client


def customers_of(app, tenant_id):
    with app.test_request_context(), tenant_scope(tenant_id):
        return {c.name: c.email for c in db.session.scalars(select(Customer))}


def test_empty_customer_list_invites_to_add_the_first(owner_client):
    page = owner_client.get("/customers").get_data(as_text=True)
    assert "No customers yet" in page


def test_owner_adds_a_customer_and_sees_the_record(owner_client, app, shop):
    response = owner_client.post(
        "/customers/new", data={"name": "Ada Lovelace", "email": "ADA@Example.com ", "phone": "+1 555 0100"}
    )
    assert response.status_code == 302
    record = owner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ada Lovelace" in record and "ada@example.com" in record
    assert customers_of(app, shop.id) == {"Ada Lovelace": "ada@example.com"}


def test_customer_without_name_or_with_bad_email_is_refused_and_nothing_saved(owner_client, app, shop):
    response = owner_client.post("/customers/new", data={"name": "", "email": "not-an-email"})
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)
    assert customers_of(app, shop.id) == {}


def test_owner_edits_a_customer(owner_client, factory, shop, app):
    customer = factory.customer(shop, name="Old Name")
    response = owner_client.post(f"/customers/{customer.id}/edit", data={"name": "New Name", "email": ""})
    assert response.status_code == 302
    assert customers_of(app, shop.id) == {"New Name": None}


def test_search_finds_by_name_email_or_phone(owner_client, factory, shop):
    factory.customer(shop, name="Grace Hopper", email="grace@navy.mil")
    factory.customer(shop, name="Alan Turing", email="alan@bletchley.uk")
    assert "Grace Hopper" in owner_client.get("/customers?q=grace").get_data(as_text=True)
    page = owner_client.get("/customers?q=bletchley").get_data(as_text=True)
    assert "Alan Turing" in page and "Grace Hopper" not in page
    assert "No customer matches" in owner_client.get("/customers?q=nobody").get_data(as_text=True)


def test_customer_list_is_paginated(owner_client, factory, shop):
    for number in range(30):
        factory.customer(shop, name=f"Customer {number:02d}")
    first = owner_client.get("/customers").get_data(as_text=True)
    second = owner_client.get("/customers?page=2").get_data(as_text=True)
    assert "Customer 00" in first and "Customer 29" not in first
    assert "Customer 29" in second and "Page 2 of 2" in second
    assert owner_client.get("/customers?page=99").status_code == 200


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


def test_customer_list_runs_the_same_number_of_queries_for_3_or_40_customers(
    owner_client, factory, shop, count_queries
):
    for number in range(3):
        factory.customer(shop, name=f"Few {number}")
    with count_queries() as few:
        assert owner_client.get("/customers").status_code == 200
    for number in range(37):
        factory.customer(shop, name=f"Many {number}")
    with count_queries() as many:
        assert owner_client.get("/customers").status_code == 200
    assert few.count == many.count, many.statements


def test_dashboard_shows_counts_and_next_steps(owner_client, factory, shop):
    factory.customer(shop)
    page = owner_client.get("/").get_data(as_text=True)
    assert "Getting started" in page
    assert '<span class="stat-value">1</span><span class="stat-label">customers' in page
