"""Staff of one shop reach none of another shop's customers or assets through the new routes."""

import pytest
from sqlalchemy import select

from saas.audit.models import AccessLogEntry
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.customers.models import Asset, Customer
from tests.factories import log_in

HOSTILE_ASSET = {"kind": "vehicle", "plate": "HIJACK", "make": "Hijacked", "vin": "1HGCM82633A004352"}
HOSTILE_CUSTOMER = {"name": "Hijacked", "email": "hijack@example.com", "phone": "2025550143"}


@pytest.fixture
def bravo(factory, shop_data):
    """Another shop with a customer and a vehicle."""
    shop = factory.tenant("bravo")
    customer = factory.customer(shop, name="Bravo Customer")
    asset = shop_data.asset(shop.id, customer.id, plate="BRAVO-1", make="Volvo")
    return shop, customer, asset


def bravo_state(app, tenant_id):
    """Everything of bravo's these routes could touch."""
    with app.test_request_context(), tenant_scope(tenant_id):
        customers = [(c.name, c.email, c.phone) for c in db.session.scalars(select(Customer).order_by(Customer.id))]
        assets = [(a.customer_id, a.plate, a.make) for a in db.session.scalars(select(Asset).order_by(Asset.id))]
        log = db.session.scalars(select(AccessLogEntry.id)).all()
    return customers, assets, log


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/customers/{customer}", None),
        ("GET", "/customers/{customer}/edit", None),
        ("POST", "/customers/{customer}/edit", HOSTILE_CUSTOMER),
        ("GET", "/customers/{customer}/export", None),
        ("GET", "/customers/{customer}/assets/new", None),
        ("POST", "/customers/{customer}/assets/new", HOSTILE_ASSET),
        ("GET", "/customers/assets/{asset}/edit", None),
        ("POST", "/customers/assets/{asset}/edit", HOSTILE_ASSET),
        ("GET", "/access-log?customer_id={customer}", None),
    ],
)
def test_staff_of_another_shop_gets_404_for_its_customers_and_assets_and_nothing_changes(
    owner_client, bravo, app, method, path, data
):
    shop, customer, asset = bravo
    before = bravo_state(app, shop.id)
    response = owner_client.open(path.format(customer=customer.id, asset=asset), method=method, data=data)
    assert response.status_code == 404
    assert bravo_state(app, shop.id) == before


def test_own_shops_ids_on_the_same_routes_are_served(owner_client, factory, shop, shop_data):
    """The control: the requests above do reach a shop's own rows."""
    customer = factory.customer(shop)
    asset = shop_data.asset(shop.id, customer.id, plate="ACME-1")
    for path in (
        f"/customers/{customer.id}",
        f"/customers/{customer.id}/export",
        f"/customers/{customer.id}/assets/new",
        f"/customers/assets/{asset}/edit",
        f"/access-log?customer_id={customer.id}",
    ):
        assert owner_client.get(path).status_code == 200, path
    assert owner_client.post(f"/customers/assets/{asset}/edit", data=HOSTILE_ASSET).status_code == 302


def test_search_never_finds_another_shops_customers_by_name_phone_plate_or_vin(owner_client, bravo, shop_data):
    shop, customer, _ = bravo
    shop_data.asset(shop.id, customer.id, vin="1M8GDM9AXKP042788")
    for term in ("Bravo", "BRAVO-1", "1M8GDM9AXKP042788", "Volvo"):
        page = owner_client.get("/customers", query_string={"q": term}).get_data(as_text=True)
        assert "Bravo Customer" not in page, term


def test_bravos_ids_do_not_leak_into_another_shops_access_log(owner_client, bravo, factory, shop_client):
    shop, customer, _ = bravo
    bravo_owner = shop_client("bravo")
    log_in(bravo_owner, factory.owner(shop).email)
    bravo_owner.get(f"/customers/{customer.id}")
    page = owner_client.get("/access-log").get_data(as_text=True)
    assert "Nothing logged yet" in page and "Bravo Customer" not in page
