"""Payments: partial or full, never more than is due, never on void invoices; the status follows."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from saas.auth.roles import Role
from saas.invoicing.standing import position_of
from tests.factories import log_in
from tests.invoicing.helpers import backdate_due, invoice_of, issue, payments_of


def pay(shop, invoice_id: int, amount: str, method: str = "card", **extra):
    return shop.client.post(f"/invoices/{invoice_id}/payments", data={"amount": amount, "method": method, **extra})


def status_on_page(shop, invoice_id: int) -> str:
    page = shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    start = page.index("<h1>")
    return page[start : page.index("</h1>", start)]


def test_a_partial_payment_leaves_a_balance_and_the_invoice_partially_paid(app, shop, invoice_id):
    response = pay(shop, invoice_id, "100.00", "cash", reference="Till 2")

    assert response.status_code == 302
    invoice = invoice_of(app, shop.id, invoice_id)
    assert (invoice.amount_paid, position_of(invoice).balance) == (Decimal("100.00"), Decimal("208.54"))
    assert [(p.amount, p.method, p.reference) for p in payments_of(app, shop.id)] == [
        (Decimal("100.00"), "cash", "Till 2")
    ]
    assert "Partially paid" in status_on_page(shop, invoice_id)
    page = shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Till 2" in page and "USD 208.54" in page


def test_paying_the_rest_makes_the_invoice_paid_and_hides_the_payment_form(app, shop, invoice_id):
    pay(shop, invoice_id, "100.00")
    response = pay(shop, invoice_id, "208.54", "check", reference="Check 1042")

    assert response.status_code == 302
    assert invoice_of(app, shop.id, invoice_id).amount_paid == Decimal("308.54")
    assert "Paid" in status_on_page(shop, invoice_id)
    assert "Record a payment" not in shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)


def test_a_payment_above_the_balance_is_refused_and_nothing_is_recorded(app, shop, invoice_id):
    pay(shop, invoice_id, "300.00")

    response = pay(shop, invoice_id, "8.55")

    assert response.status_code == 400
    assert "The balance due is USD 8.54" in response.get_data(as_text=True)
    assert invoice_of(app, shop.id, invoice_id).amount_paid == Decimal("300.00")
    assert len(payments_of(app, shop.id)) == 1


def test_a_paid_invoice_takes_no_more_payments(app, shop, invoice_id):
    pay(shop, invoice_id, "308.54")

    response = pay(shop, invoice_id, "1.00")

    assert response.status_code == 409
    assert "already paid in full" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("amount", "method", "message"),
    [
        ("0", "cash", "must be more than zero"),
        ("-5", "cash", "must be more than zero"),
        ("abc", "cash", "Not a valid decimal value"),
        ("NaN", "cash", "must be more than zero"),
        ("10.001", "cash", "2 decimals at most"),
        ("10", "bitcoin", "Pick how the customer paid"),
        ("", "cash", "Enter the amount received"),
    ],
)
def test_bad_payments_are_refused_with_a_clear_message(app, shop, invoice_id, amount, method, message):
    response = pay(shop, invoice_id, amount, method)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert payments_of(app, shop.id) == []


def test_a_void_invoice_takes_no_payments(app, shop, invoice_id):
    shop.client.post(f"/invoices/{invoice_id}/void", data={"reason": "Duplicate"})

    response = pay(shop, invoice_id, "10.00")

    assert response.status_code == 409
    assert "void and cannot take payments" in response.get_data(as_text=True)
    assert payments_of(app, shop.id) == []


def test_an_unpaid_invoice_past_its_due_date_is_overdue_until_paid(app, shop, invoice_id):
    assert "Unpaid" in status_on_page(shop, invoice_id)

    backdate_due(app, shop.id, invoice_id, days=3)
    assert "Overdue" in status_on_page(shop, invoice_id)
    pay(shop, invoice_id, "100")
    assert "Overdue" in status_on_page(shop, invoice_id)
    pay(shop, invoice_id, "208.54")

    assert "Paid" in status_on_page(shop, invoice_id)


def test_payments_at_the_same_moment_never_exceed_the_balance(app, factory, shop, invoice_id, shop_client):
    clients = []
    for _ in range(4):
        client = shop_client("acme")
        log_in(client, factory.owner(shop.tenant).email)
        clients.append(client)
    start = threading.Barrier(len(clients))
    statuses = []

    def post(client) -> None:
        start.wait(timeout=30)
        response = client.post(f"/invoices/{invoice_id}/payments", data={"amount": "100.00", "method": "cash"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # 308.54 due: three payments of 100 fit, the fourth would go over and is refused.
    assert sorted(statuses) == [302, 302, 302, 400]
    assert invoice_of(app, shop.id, invoice_id).amount_paid == Decimal("300.00")
    assert len(payments_of(app, shop.id)) == 3


def test_yen_payments_have_no_decimals(app, make_shop, make_work_order):
    shop = make_shop("tokyo", currency="JPY")
    invoice_id = issue(shop, make_work_order(shop, jobs=[("Oil", "approved", [("part", "Oil", "1", "5000", "parts")])]))

    refused = pay(shop, invoice_id, "100.50")
    accepted = pay(shop, invoice_id, "1000")

    assert refused.status_code == 400 and "0 decimals at most" in refused.get_data(as_text=True)
    assert accepted.status_code == 302
    assert invoice_of(app, shop.id, invoice_id).amount_paid == Decimal("1000")


def test_a_technician_cannot_see_invoices_or_record_payments(app, factory, shop, invoice_id, shop_client):
    tech = factory.user(shop.tenant, Role.TECHNICIAN)
    client = shop_client("acme")
    log_in(client, tech.email)

    assert client.get("/invoices").status_code == 403
    assert client.get(f"/invoices/{invoice_id}").status_code == 403
    assert client.post(f"/invoices/{invoice_id}/payments", data={"amount": "1", "method": "cash"}).status_code == 403
    assert payments_of(app, shop.id) == []
