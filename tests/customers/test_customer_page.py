"""The customer page: vehicles and devices, work orders, invoices, balance, declined work, documents."""

import re

from saas.auth.roles import Role
from tests.factories import log_in


def test_new_customer_page_renders_with_helpful_empty_sections(owner_client, factory, shop):
    customer = factory.customer(shop, name="Fresh Face")
    response = owner_client.get(f"/customers/{customer.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No vehicles or devices yet" in page
    assert "No work orders yet" in page and "No invoices yet" in page and "Nothing declined" in page
    assert "No documents yet" in page
    assert "nothing owed" in page


def test_customer_page_shows_assets_work_orders_newest_first_and_invoices(owner_client, factory, shop, shop_data):
    customer = factory.customer(shop, name="Busy Bee")
    car = shop_data.asset(shop.id, customer.id, vin="1HGCM82633A004352", plate="BEE-1", model="Accord", odometer=120500)
    shop_data.asset(
        shop.id,
        customer.id,
        kind="device",
        device_type="Phone",
        make="Apple",
        model="iPhone 13",
        serial="490154203237518",
    )
    shop_data.work_order(shop.id, customer.id, 1001, status="closed", asset_id=car, age_days=30)
    shop_data.work_order(shop.id, customer.id, 1002, status="in_progress", asset_id=car, age_days=1)
    shop_data.invoice(shop.id, customer.id, 7, "250.00", paid="100.00")
    page = owner_client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "2003 Honda Accord (BEE-1)" in page and "1HGCM82633A004352" in page and "120,500" in page
    assert "Apple iPhone 13" in page and "490154203237518" in page and "IMEI" in page
    assert page.index("#1002") < page.index("#1001")
    assert "In progress" in page and "Closed" in page
    assert "INV-0007" in page and "USD 250.00" in page and "Partially paid" in page


def test_balance_sums_what_is_unpaid_on_issued_invoices_only(owner_client, factory, shop, shop_data):
    customer = factory.customer(shop)
    shop_data.invoice(shop.id, customer.id, 1, "100.00", paid="40.00")  # 60 open
    shop_data.invoice(shop.id, customer.id, 2, "50.25")  # 50.25 open
    shop_data.invoice(shop.id, customer.id, 3, "80.00", paid="80.00")  # paid
    shop_data.invoice(shop.id, customer.id, 4, "999.00", status="void")  # void: not owed
    shop_data.invoice(shop.id, customer.id, 1, "30.00", kind="credit_note")  # not an invoice
    page = owner_client.get(f"/customers/{customer.id}").get_data(as_text=True)
    balance = re.search(r'id="balance">\s*<span class="stat-value">([^<]+)</span>', page).group(1)
    assert balance == "USD 110.25"
    assert "open balance" in page


def test_declined_work_lists_jobs_the_customer_said_no_to(owner_client, factory, shop, shop_data):
    customer = factory.customer(shop)
    other = factory.customer(shop, name="Other Customer")
    shop_data.work_order(
        shop.id,
        customer.id,
        5,
        jobs=(("Front brake pads", "declined"), ("Oil change", "approved"), ("Wiper blades", "pending")),
    )
    shop_data.work_order(shop.id, other.id, 6, jobs=(("Timing belt", "declined"),))
    page = owner_client.get(f"/customers/{customer.id}").get_data(as_text=True)
    declined = page[page.index('id="declined-work"') : page.index('id="documents"')]
    assert "Front brake pads" in declined and "#5" in declined
    assert "Oil change" not in declined and "Wiper blades" not in declined and "Timing belt" not in declined


def test_technician_sees_the_customer_without_money_or_edit_buttons(factory, shop, shop_client, shop_data):
    customer = factory.customer(shop)
    shop_data.invoice(shop.id, customer.id, 1, "100.00")
    client = shop_client("acme")
    log_in(client, factory.user(shop, Role.TECHNICIAN).email)
    page = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "Vehicles &amp; devices" in page
    assert 'id="invoices"' not in page and 'id="balance"' not in page
    assert "Export data" not in page and "+ Vehicle" not in page


def test_customer_page_runs_the_same_number_of_queries_for_3_or_30_assets_and_work_orders(
    owner_client, factory, shop, shop_data, count_queries
):
    customer = factory.customer(shop)

    def add_history(start, count):
        for number in range(start, start + count):
            asset = shop_data.asset(shop.id, customer.id, plate=f"P{number}", make="Make")
            shop_data.work_order(
                shop.id, customer.id, number, asset_id=asset, jobs=((f"Declined {number}", "declined"),)
            )
            shop_data.invoice(shop.id, customer.id, number, "10.00", work_order_id=None)

    add_history(1, 3)
    with count_queries() as few:
        assert owner_client.get(f"/customers/{customer.id}").status_code == 200
    add_history(4, 27)
    with count_queries() as many:
        page = owner_client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "P30" in page and "#30" in page
    assert few.count == many.count, many.statements
