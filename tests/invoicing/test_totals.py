"""Totals, tax breakdown and rounding, in cents and in zero-decimal currencies."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import select

from saas.core.db import utcnow
from saas.invoicing.document import invoice_document
from saas.invoicing.models import Invoice
from saas.invoicing.standing import position_of
from tests.fixtures.database import shop_session
from tests.invoicing.helpers import invoice_of, issue


def test_each_line_is_rounded_half_up_and_tax_is_computed_once_per_category(app, shop, make_work_order):
    jobs = [
        (
            "Diagnosis",
            "approved",
            [
                ("labor", "Scan", "0.333", "100.00", "labor"),  # 33.30
                ("labor", "Road test", "0.125", "99.99", "labor"),  # 12.49875 -> 12.50
            ],
        ),
        ("Parts", "approved", [("part", "Bulb", "3", "0.35", "parts"), ("part", "Fuse", "1", "0.05", "parts")]),
        ("Discount", "approved", [("discount", "Loyal customer", "1", "-10.00", "parts")]),
    ]

    invoice = invoice_of(app, shop.id, issue(shop, make_work_order(shop, jobs=jobs)))

    assert [line.net_amount for line in invoice.lines] == [
        Decimal("33.30"),
        Decimal("12.50"),
        Decimal("1.05"),
        Decimal("0.05"),
        Decimal("-10.00"),
    ]
    # labor base 45.80 x 10 % = 4.58; parts base -8.90 x 8.25 % = -0.73425 -> -0.73
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        Decimal("36.90"),
        Decimal("3.85"),
        Decimal("40.75"),
    )
    with shop_session(app, shop.id) as session:
        stored = session.scalar(select(Invoice).where(Invoice.id == invoice.id))
        document = invoice_document(stored, SimpleNamespace(timezone="UTC"))
    assert [(bucket.category, bucket.rate, bucket.base, bucket.tax) for bucket in document.taxes] == [
        ("labor", Decimal("0.10000"), Decimal("45.80"), Decimal("4.58")),
        ("parts", Decimal("0.08250"), Decimal("-8.90"), Decimal("-0.73")),
    ]
    assert sum(bucket.tax for bucket in document.taxes) == invoice.tax_total


def test_yen_invoices_are_rounded_to_whole_yen(app, make_shop, make_work_order):
    shop = make_shop("tokyo", currency="JPY", tax_rate_labor=Decimal("0.10"), tax_rate_parts=Decimal("0.08"))
    jobs = [
        (
            "Service",
            "approved",
            [("labor", "Inspection", "1.5", "3333", "labor"), ("part", "Filter", "3", "1234.5", "parts")],
        )
    ]

    invoice = invoice_of(app, shop.id, issue(shop, make_work_order(shop, jobs=jobs)))

    # 4999.5 -> 5000; 3703.5 -> 3704; tax 500 + 296.32 -> 296
    assert [line.net_amount for line in invoice.lines] == [Decimal("5000"), Decimal("3704")]
    assert (invoice.currency, invoice.subtotal, invoice.tax_total, invoice.total) == (
        "JPY",
        Decimal("8704"),
        Decimal("796"),
        Decimal("9500"),
    )
    page = shop.client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert "JPY 9,500" in page and "JPY 9,500.00" not in page


def test_untaxed_lines_add_to_the_total_without_a_tax_row(app, shop, make_work_order):
    jobs = [("Towing", "approved", [("fee", "Towing", "1", "75.00", "none")])]

    invoice = invoice_of(app, shop.id, issue(shop, make_work_order(shop, jobs=jobs)))

    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (Decimal("75.00"), Decimal("0"), Decimal("75.00"))


def test_an_invoice_whose_discounts_exceed_the_work_is_refused(shop, make_work_order):
    jobs = [("Goodwill", "approved", [("discount", "Sorry", "1", "-50.00", "parts")])]

    response = shop.client.post(f"/invoices/from-work-order/{make_work_order(shop, jobs=jobs)}")

    assert response.status_code == 409
    assert "negative total" in response.get_data(as_text=True)


def _invoice(total="100.00", paid="0", due_in_days=5, kind="invoice", status="issued"):
    return SimpleNamespace(
        kind=kind,
        status=status,
        total=Decimal(total),
        amount_paid=Decimal(paid),
        due_at=utcnow() + timedelta(days=due_in_days),
    )


def test_the_status_follows_the_amounts_and_the_due_date():
    position = position_of

    assert position(_invoice()).standing == "unpaid"
    assert position(_invoice(paid="40")).standing == "partially_paid"
    assert position(_invoice(paid="40")).balance == Decimal("60.00")
    assert position(_invoice(paid="100")).standing == "paid"
    assert position(_invoice(due_in_days=-1)).standing == "overdue"
    assert position(_invoice(paid="40", due_in_days=-1)).standing == "overdue"
    assert position(_invoice(paid="100", due_in_days=-1)).standing == "paid"
    assert position(_invoice(), credited=Decimal("100")).standing == "paid"
    assert position(_invoice(status="void", due_in_days=-1)).standing == "void"
    assert position(_invoice(kind="credit_note", total="-10")).standing == "credit_note"


def test_only_an_issued_invoice_with_money_due_is_payable():
    assert position_of(_invoice()).payable
    assert position_of(_invoice(paid="40", due_in_days=-1)).payable
    assert not position_of(_invoice(paid="100")).payable
    assert not position_of(_invoice(), credited=Decimal("100")).payable
    assert not position_of(_invoice(status="void")).payable
    assert not position_of(_invoice(kind="credit_note", total="-10")).payable
