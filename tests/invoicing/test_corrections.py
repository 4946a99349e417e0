"""Issued invoices never change: mistakes are voided (number kept) or credited with a credit note."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.auth.models import User
from saas.invoicing import operations
from saas.invoicing.errors import ImmutableInvoiceError, InvoiceConflictError
from saas.invoicing.models import Invoice, InvoiceLine, Payment
from tests.fixtures.database import shop_session
from tests.invoicing.helpers import events_of, invoice_of, invoices_of, issue, payments_of, work_order_of


def test_there_is_no_route_to_edit_an_issued_invoice(app, shop, invoice_id):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("invoicing.")}

    assert endpoints == {
        "invoicing.index",
        "invoicing.show",
        "invoicing.pdf",
        "invoicing.from_work_order",
        "invoicing.record_payment",
        "invoicing.void",
        "invoicing.credit_note",
        "invoicing.email",
    }
    assert shop.client.post(f"/invoices/{invoice_id}", data={"total": "1"}).status_code == 405


@pytest.mark.parametrize(
    ("column", "value"),
    [("total", Decimal("1.00")), ("bill_to_name", "Someone Else"), ("number", 99), ("due_at", None)],
)
def test_changing_an_issued_invoice_through_the_session_is_refused(app, shop, invoice_id, column, value):
    with shop_session(app, shop.id) as session:
        invoice = session.scalar(select(Invoice).where(Invoice.id == invoice_id))
        setattr(invoice, column, value if value is not None else invoice.issued_at)
        with pytest.raises(ImmutableInvoiceError):
            session.flush()
        session.rollback()

    assert invoice_of(app, shop.id, invoice_id).total == Decimal("308.54")


def test_changing_or_deleting_lines_and_payments_is_refused(app, shop, invoice_id):
    shop.client.post(f"/invoices/{invoice_id}/payments", data={"amount": "10", "method": "cash"})
    with shop_session(app, shop.id) as session:
        line = session.scalar(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id))
        line.unit_price = Decimal("0")
        with pytest.raises(ImmutableInvoiceError):
            session.flush()
        session.rollback()
        payment = session.scalar(select(Payment))
        payment.amount = Decimal("1000")
        with pytest.raises(ImmutableInvoiceError):
            session.flush()
        session.rollback()
        for row in (session.scalar(select(InvoiceLine)), session.scalar(select(Invoice))):
            session.delete(row)
            with pytest.raises(ImmutableInvoiceError):
                session.flush()
            session.rollback()

    invoice = invoice_of(app, shop.id, invoice_id)
    assert [line.unit_price for line in invoice.lines][:1] == [Decimal("120.00")]
    assert [payment.amount for payment in payments_of(app, shop.id)] == [Decimal("10.00")]


def test_void_keeps_the_number_and_records_reason_and_time(app, shop, invoice_id):
    response = shop.client.post(f"/invoices/{invoice_id}/void", data={"reason": "Issued to the wrong customer"})

    assert response.status_code == 302
    invoice = invoice_of(app, shop.id, invoice_id)
    assert (invoice.status, invoice.number, invoice.void_reason) == ("void", 1, "Issued to the wrong customer")
    assert invoice.voided_at is not None
    page = shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Void" in page and "Issued to the wrong customer" in page
    assert "Record a payment" not in page


def test_voiding_reopens_the_work_order_so_it_can_be_invoiced_again_with_the_next_number(app, shop, make_work_order):
    work_order_id = make_work_order(shop)
    first = issue(shop, work_order_id)

    shop.client.post(f"/invoices/{first}/void", data={"reason": "Wrong labor rate"})
    assert work_order_of(app, shop.id, work_order_id).status == "ready"
    second = issue(shop, work_order_id)

    assert [(i.id, i.number, i.status) for i in invoices_of(app, shop.id)] == [
        (first, 1, "void"),
        (second, 2, "issued"),
    ]
    assert events_of(app, shop.id, work_order_id) == [
        ("ready", "invoiced"),
        ("invoiced", "ready"),
        ("ready", "invoiced"),
    ]


def test_void_needs_a_reason(app, shop, invoice_id):
    response = shop.client.post(f"/invoices/{invoice_id}/void", data={"reason": "  "})

    assert response.status_code == 400
    assert "Say why it is void" in response.get_data(as_text=True)
    assert invoice_of(app, shop.id, invoice_id).status == "issued"


def test_an_invoice_with_payments_cannot_be_voided(app, shop, invoice_id):
    shop.client.post(f"/invoices/{invoice_id}/payments", data={"amount": "10.00", "method": "card"})

    response = shop.client.post(f"/invoices/{invoice_id}/void", data={"reason": "Oops"})

    assert response.status_code == 409
    assert "has payments and cannot be voided" in response.get_data(as_text=True)
    assert invoice_of(app, shop.id, invoice_id).status == "issued"


def test_a_void_invoice_cannot_be_voided_again_or_credited(app, shop, invoice_id):
    shop.client.post(f"/invoices/{invoice_id}/void", data={"reason": "Duplicate"})

    again = shop.client.post(f"/invoices/{invoice_id}/void", data={"reason": "Again"})
    credit = shop.client.post(f"/invoices/{invoice_id}/credit-note", data={"scope": "full", "reason": "Refund"})

    assert (again.status_code, credit.status_code) == (409, 409)
    assert invoice_of(app, shop.id, invoice_id).void_reason == "Duplicate"
    assert len(invoices_of(app, shop.id)) == 1


def test_a_void_invoice_stays_void_even_through_the_session(app, shop, invoice_id):
    shop.client.post(f"/invoices/{invoice_id}/void", data={"reason": "Duplicate"})
    with shop_session(app, shop.id) as session:
        invoice = session.scalar(select(Invoice).where(Invoice.id == invoice_id))
        invoice.status = "issued"
        with pytest.raises(ImmutableInvoiceError):
            session.flush()
        session.rollback()

    assert invoice_of(app, shop.id, invoice_id).status == "void"


def test_void_through_the_service_twice_is_refused(app, shop, invoice_id):
    with shop_session(app, shop.id) as session:
        user = session.scalar(select(User))
        invoice = session.scalar(select(Invoice).where(Invoice.id == invoice_id))
        operations.void_invoice(invoice, reason="First", user=user)
        with pytest.raises(InvoiceConflictError, match="already void"):
            operations.void_invoice(invoice, reason="Second", user=user)
        session.rollback()


def test_a_full_credit_note_copies_every_line_negated_with_its_own_number_series(app, shop, invoice_id):
    response = shop.client.post(
        f"/invoices/{invoice_id}/credit-note", data={"scope": "full", "reason": "Customer returned the car"}
    )

    assert response.status_code == 302
    original, note = invoices_of(app, shop.id)
    assert (note.kind, note.number, note.credited_invoice_id) == ("credit_note", 1, original.id)
    assert (note.subtotal, note.tax_total, note.total) == (Decimal("-282.49"), Decimal("-26.05"), Decimal("-308.54"))
    assert [(line.description, line.net_amount, line.tax_rate) for line in note.lines] == [
        (line.description, -line.net_amount, line.tax_rate) for line in original.lines
    ]
    assert (original.total, original.status) == (Decimal("308.54"), "issued")  # the invoice itself is unchanged
    page = shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "CN-0001" in page and "Paid" in page  # nothing left to pay


def test_a_credit_note_for_a_chosen_amount_is_taxed_at_the_invoices_rate(app, shop, invoice_id):
    response = shop.client.post(
        f"/invoices/{invoice_id}/credit-note",
        data={"scope": "amount", "amount": "50.00", "tax_category": "labor", "reason": "Goodwill on labor"},
    )

    assert response.status_code == 302
    note = invoices_of(app, shop.id)[1]
    assert [(line.description, line.net_amount, line.tax_rate) for line in note.lines] == [
        ("Goodwill on labor", Decimal("-50.00"), Decimal("0.10000"))
    ]
    assert note.total == Decimal("-55.00")
    page = shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Partially paid" in page and "USD 253.54" in page  # 308.54 - 55.00 still due


def test_a_credit_note_lowers_what_the_customer_owes_on_their_record(app, shop, invoice_id):
    shop.client.post(
        f"/invoices/{invoice_id}/credit-note",
        data={"scope": "amount", "amount": "50.00", "tax_category": "labor", "reason": "Goodwill on labor"},
    )

    page = shop.client.get(f"/customers/{shop.customer.id}").get_data(as_text=True)
    balance = re.search(r'id="balance">\s*<span class="stat-value">([^<]+)</span>', page).group(1)
    assert balance == "USD 253.54"  # the same balance due as on the invoice: 308.54 - 55.00


def test_credits_never_add_up_to_more_than_the_invoice(app, shop, invoice_id):
    too_much = shop.client.post(
        f"/invoices/{invoice_id}/credit-note",
        data={"scope": "amount", "amount": "300.00", "tax_category": "labor", "reason": "Too much"},
    )
    shop.client.post(
        f"/invoices/{invoice_id}/credit-note",
        data={"scope": "amount", "amount": "100.00", "tax_category": "none", "reason": "Part"},
    )
    full_after_partial = shop.client.post(
        f"/invoices/{invoice_id}/credit-note", data={"scope": "full", "reason": "All of it"}
    )

    assert too_much.status_code == 400
    assert "more than the USD 308.54 left to credit" in too_much.get_data(as_text=True)
    assert full_after_partial.status_code == 409
    assert [invoice.total for invoice in invoices_of(app, shop.id)] == [Decimal("308.54"), Decimal("-100.00")]


def test_a_credit_note_needs_a_reason_and_a_known_category(app, shop, invoice_id):
    no_reason = shop.client.post(f"/invoices/{invoice_id}/credit-note", data={"scope": "full", "reason": ""})
    bad_category = shop.client.post(
        f"/invoices/{invoice_id}/credit-note",
        data={"scope": "amount", "amount": "5", "tax_category": "luxury", "reason": "x"},
    )
    no_amount = shop.client.post(
        f"/invoices/{invoice_id}/credit-note", data={"scope": "amount", "tax_category": "labor", "reason": "x"}
    )

    assert (no_reason.status_code, bad_category.status_code, no_amount.status_code) == (400, 400, 400)
    assert "Pick the tax category" in bad_category.get_data(as_text=True)
    assert "Enter the amount to credit" in no_amount.get_data(as_text=True)
    assert len(invoices_of(app, shop.id)) == 1


def test_a_credit_note_cannot_be_credited_or_paid_but_can_be_voided(app, shop, invoice_id):
    shop.client.post(f"/invoices/{invoice_id}/credit-note", data={"scope": "full", "reason": "Refund"})
    note_id = invoices_of(app, shop.id)[1].id

    credit = shop.client.post(f"/invoices/{note_id}/credit-note", data={"scope": "full", "reason": "x"})
    pay = shop.client.post(f"/invoices/{note_id}/payments", data={"amount": "1", "method": "cash"})
    void_invoice_first = shop.client.post(f"/invoices/{invoice_id}/void", data={"reason": "x"})
    void_note = shop.client.post(f"/invoices/{note_id}/void", data={"reason": "Credited by mistake"})

    assert (credit.status_code, pay.status_code, void_invoice_first.status_code) == (409, 409, 409)
    assert "void them first" in void_invoice_first.get_data(as_text=True)
    assert void_note.status_code == 302
    assert payments_of(app, shop.id) == []
    page = shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Unpaid" in page  # the void credit note no longer counts


def test_two_credit_notes_take_consecutive_numbers(app, shop, make_work_order):
    first, second = issue(shop, make_work_order(shop)), issue(shop, make_work_order(shop))
    for invoice_id in (first, second):
        shop.client.post(f"/invoices/{invoice_id}/credit-note", data={"scope": "full", "reason": "Refund"})

    notes = [invoice for invoice in invoices_of(app, shop.id) if invoice.kind == "credit_note"]

    assert [(note.number, note.credited_invoice_id) for note in notes] == [(1, first), (2, second)]
