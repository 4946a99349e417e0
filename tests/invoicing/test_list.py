"""The invoices list: filters by status, search by number or customer, pagination, constant queries."""

from __future__ import annotations

import re

import pytest

from tests.invoicing.helpers import backdate_due, customer_named, issue

ONE_LINE = [("Oil change", "approved", [("part", "Oil", "1", "50.00", "none")])]


def numbers_on(page: str) -> list[str]:
    return re.findall(r">((?:INV|CN)-\d{4})</a>", page)


@pytest.fixture
def four_invoices(app, shop, make_work_order, factory):
    """INV-0001 unpaid, INV-0002 overdue, INV-0003 paid (Jane's), INV-0004 void (Bob's)."""
    other = factory.customer(shop.tenant, name="Bob Builder", email="bob@builder.example.com")
    ids = [issue(shop, make_work_order(shop, jobs=ONE_LINE)) for _ in range(3)]
    ids.append(issue(shop, make_work_order(shop, jobs=ONE_LINE, customer_id=other.id)))
    backdate_due(app, shop.id, ids[1], days=2)
    shop.client.post(f"/invoices/{ids[2]}/payments", data={"amount": "50.00", "method": "cash"})
    shop.client.post(f"/invoices/{ids[3]}/void", data={"reason": "Duplicate"})
    return ids


def test_the_list_shows_every_invoice_with_its_status_newest_first(shop, four_invoices):
    page = shop.client.get("/invoices").get_data(as_text=True)

    assert numbers_on(page) == ["INV-0004", "INV-0003", "INV-0002", "INV-0001"]
    for label in ("Unpaid", "Overdue", "Paid", "Void"):
        assert f">{label}</span>" in page


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("unpaid", ["INV-0002", "INV-0001"]),
        ("overdue", ["INV-0002"]),
        ("paid", ["INV-0003"]),
        ("void", ["INV-0004"]),
        ("nonsense", ["INV-0004", "INV-0003", "INV-0002", "INV-0001"]),
    ],
)
def test_the_status_filter_picks_the_right_invoices(shop, four_invoices, status, expected):
    page = shop.client.get(f"/invoices?status={status}").get_data(as_text=True)

    assert numbers_on(page) == expected


def test_an_invoice_fully_credited_counts_as_paid_and_the_credit_note_has_its_own_filter(shop, four_invoices):
    shop.client.post(f"/invoices/{four_invoices[0]}/credit-note", data={"scope": "full", "reason": "Refund"})

    paid = shop.client.get("/invoices?status=paid").get_data(as_text=True)
    notes = shop.client.get("/invoices?status=credit_notes").get_data(as_text=True)

    assert numbers_on(paid) == ["INV-0003", "INV-0001"]
    assert numbers_on(notes) == ["CN-0001"]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("2", ["INV-0002"]),
        ("INV-0003", ["INV-0003"]),
        ("#4", ["INV-0004"]),
        ("bob", ["INV-0004"]),
        ("builder.example", ["INV-0004"]),
        ("JANE", ["INV-0003", "INV-0002", "INV-0001"]),
    ],
)
def test_search_finds_by_number_or_customer(shop, four_invoices, term, expected):
    page = shop.client.get("/invoices", query_string={"q": term}).get_data(as_text=True)

    assert numbers_on(page) == expected


def test_search_and_filter_combine_and_say_when_nothing_matches(shop, four_invoices):
    assert numbers_on(shop.client.get("/invoices?status=unpaid&q=bob").get_data(as_text=True)) == []
    assert "No invoice matches these filters" in shop.client.get("/invoices?q=nobody").get_data(as_text=True)


def test_an_empty_list_invites_to_issue_the_first_invoice_and_offers_ready_work_orders(shop, make_work_order):
    make_work_order(shop)
    make_work_order(shop, status="in_progress")

    page = shop.client.get("/invoices").get_data(as_text=True)

    assert "No invoices yet" in page
    assert "Ready to invoice" in page and "Work order #1001" in page and "#1002" not in page


def test_the_list_is_paginated(shop, make_work_order):
    for _ in range(27):
        issue(shop, make_work_order(shop, jobs=ONE_LINE))

    first = shop.client.get("/invoices").get_data(as_text=True)
    second = shop.client.get("/invoices?page=2").get_data(as_text=True)

    assert len(numbers_on(first)) == 25 and numbers_on(first)[0] == "INV-0027"
    assert numbers_on(second) == ["INV-0002", "INV-0001"] and "Page 2 of 2" in second
    assert shop.client.get("/invoices?page=99").status_code == 200


def test_the_list_runs_the_same_number_of_queries_for_3_or_30_invoices(
    app, shop, make_work_order, count_queries, factory
):
    def add(count: int) -> None:
        for number in range(count):
            customer = factory.customer(shop.tenant, name=f"Customer {number}")
            invoice_id = issue(shop, make_work_order(shop, jobs=ONE_LINE, customer_id=customer.id))
            if number % 3 == 0:
                shop.client.post(f"/invoices/{invoice_id}/payments", data={"amount": "10", "method": "cash"})
            if number % 3 == 1:
                shop.client.post(
                    f"/invoices/{invoice_id}/credit-note",
                    data={"scope": "amount", "amount": "5", "tax_category": "none", "reason": "x"},
                )
            make_work_order(shop, customer_id=customer.id)  # ready to invoice

    add(3)
    with count_queries() as few:
        assert shop.client.get("/invoices").status_code == 200
    add(27)
    with count_queries() as many:
        assert shop.client.get("/invoices").status_code == 200

    assert few.count == many.count, many.statements


def test_the_customer_shown_is_the_bill_to_snapshot(app, shop, make_work_order):
    issue(shop, make_work_order(shop, jobs=ONE_LINE))
    customer_named(app, shop.id, shop.customer.id, name="Renamed Later")

    page = shop.client.get("/invoices").get_data(as_text=True)

    assert "Jane Customer" in page and "Renamed Later" not in page
