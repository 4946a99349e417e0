"""Staff of shop A trying shop B's invoices, work orders and payments by URL get 404 and change nothing."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.database import snapshot
from tests.invoicing.helpers import invoices_of, issue


@pytest.fixture
def two_shops(make_shop, make_work_order):
    """acme and bravo, each with an invoice that has a payment and a credit note, and a work order ready to invoice."""
    made = {}
    for subdomain in ("acme", "bravo"):
        shop = make_shop(subdomain)
        invoice_id = issue(shop, make_work_order(shop))
        shop.client.post(f"/invoices/{invoice_id}/payments", data={"amount": "10.00", "method": "cash"})
        shop.client.post(
            f"/invoices/{invoice_id}/credit-note",
            data={"scope": "amount", "amount": "5", "tax_category": "labor", "reason": "Goodwill"},
        )
        made[subdomain] = (shop, invoice_id, make_work_order(shop))
    return made


HOSTILE = {
    "amount": "1.00",
    "method": "cash",
    "reason": "Hijacked",
    "scope": "full",
    "tax_category": "labor",
}


def attempts(invoice_id: int, work_order_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", f"/invoices/{invoice_id}"),
        ("GET", f"/invoices/{invoice_id}/pdf"),
        ("POST", f"/invoices/{invoice_id}/payments"),
        ("POST", f"/invoices/{invoice_id}/void"),
        ("POST", f"/invoices/{invoice_id}/credit-note"),
        ("POST", f"/invoices/{invoice_id}/email"),
        ("POST", f"/invoices/from-work-order/{work_order_id}"),
    ]


def test_every_invoice_route_answers_404_to_another_shops_staff_and_leaves_no_trace(
    two_shops,
    superuser_engine,  # noqa: F811
    tenant_tables,  # noqa: F811
    outbox,
):
    acme = two_shops["acme"][0]
    bravo, bravo_invoice, bravo_work_order = two_shops["bravo"]
    before = snapshot(superuser_engine, tenant_tables, bravo.id)
    mail_before = len(outbox.messages)

    statuses = {
        (method, path): acme.client.open(path, method=method, data=HOSTILE if method == "POST" else None).status_code
        for method, path in attempts(bravo_invoice, bravo_work_order)
    }

    assert statuses == dict.fromkeys(statuses, 404)
    assert snapshot(superuser_engine, tenant_tables, bravo.id) == before
    assert len(outbox.messages) == mail_before


def test_the_same_requests_with_the_shops_own_ids_are_served(app, two_shops):
    """The control: the paths and forms above do reach and change the right shop's rows."""
    acme, acme_invoice, acme_work_order = two_shops["acme"]

    statuses = [
        acme.client.open(path, method=method, data=HOSTILE if method == "POST" else None).status_code
        for method, path in attempts(acme_invoice, acme_work_order)
    ]

    assert statuses[:2] == [200, 200]
    assert statuses[2] == 302  # the payment went in
    assert statuses[3] == 409  # void refused: the invoice has payments
    assert statuses[4] == 409  # full credit refused: part of it is already credited
    assert statuses[5:] == [302, 302]
    assert len(invoices_of(app, acme.id)) == 3


def test_the_list_shows_only_the_shops_own_invoices(two_shops):
    acme = two_shops["acme"][0]
    page = acme.client.get("/invoices").get_data(as_text=True)

    assert re.findall(r">((?:INV|CN)-\d{4})</a>", page) == ["CN-0001", "INV-0001"]
    assert "bravo" not in page
