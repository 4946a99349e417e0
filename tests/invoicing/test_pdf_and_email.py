"""The invoice PDF (download and e-mail attachment) and the e-mail to the customer."""

from __future__ import annotations

import re
import zlib

from sqlalchemy import select

from saas.audit.models import AccessLogEntry
from saas.core.tenant import Tenant
from saas.invoicing.document import invoice_document
from saas.invoicing.models import Invoice
from saas.invoicing.pdf import pdf_text, render_invoice_pdf
from tests.fixtures.database import shop_session
from tests.fixtures.shops import update_shop
from tests.invoicing.helpers import customer_named, invoices_of, issue


def pdf_content(data: bytes) -> str:
    """The page content of a PDF, its compressed streams inflated (enough to look for text)."""
    parts = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts).decode("latin-1")


def test_the_pdf_downloads_as_an_attachment_with_everything_the_customer_needs(app, shop, make_work_order):
    update_shop(app, shop.id, tax_id="EIN 12-3456789")
    invoice_id = issue(shop, make_work_order(shop))
    shop.client.post(f"/invoices/{invoice_id}/payments", data={"amount": "100.00", "method": "card"})

    response = shop.client.get(f"/invoices/{invoice_id}/pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="INV-0001.pdf"'
    assert response.data.startswith(b"%PDF-")
    assert response.data.rstrip().endswith(b"%%EOF")
    content = pdf_content(response.data)
    for text in (
        "Shop acme",
        "1 Main Street",
        "+1 555 0100",
        "hello@acme.example.com",
        "EIN 12-3456789",
        "INV-0001",
        "Jane Customer",
        "Front brake pads",
        "Replace front pads",
        "USD 89.99",
        "Parts tax 8.25 %",
        "USD 308.54",
        "Balance due",
        "USD 208.54",
        "Card",
    ):
        assert text in content, text
    assert "VOID" not in content


def test_a_pdf_download_is_written_to_the_access_log(app, shop, make_work_order):
    invoice_id = issue(shop, make_work_order(shop))

    shop.client.get(f"/invoices/{invoice_id}/pdf")

    with shop_session(app, shop.id) as session:
        entries = session.scalars(select(AccessLogEntry)).all()
        assert [(e.action, e.subject_type, e.subject_id, e.description) for e in entries] == [
            ("download", "customer", shop.customer.id, "Downloaded invoice INV-0001 (PDF)")
        ]


def test_an_uncompressed_pdf_shows_the_invoice_number_in_plain_text(app, shop, make_work_order):
    invoice_id = issue(shop, make_work_order(shop))

    with shop_session(app, shop.id) as session:
        invoice = session.scalar(select(Invoice).where(Invoice.id == invoice_id))
        shop_row = session.get(Tenant, shop.id)
        data = render_invoice_pdf(invoice_document(invoice, shop_row), compress=False)

    assert data.startswith(b"%PDF")
    assert b"(INV-0001)" in data


def test_a_void_invoice_pdf_carries_a_void_mark(shop, make_work_order):
    invoice_id = issue(shop, make_work_order(shop))
    shop.client.post(f"/invoices/{invoice_id}/void", data={"reason": "Wrong customer"})

    content = pdf_content(shop.client.get(f"/invoices/{invoice_id}/pdf").data)

    assert "(VOID)" in content and "Wrong customer" in content


def test_a_credit_note_pdf_names_the_invoice_it_credits(shop, make_work_order, app):
    invoice_id = issue(shop, make_work_order(shop))
    shop.client.post(f"/invoices/{invoice_id}/credit-note", data={"scope": "full", "reason": "Refund"})
    note_id = invoices_of(app, shop.id)[1].id

    response = shop.client.get(f"/invoices/{note_id}/pdf")

    content = pdf_content(response.data)
    assert response.headers["Content-Disposition"] == 'attachment; filename="CN-0001.pdf"'
    assert "CREDIT NOTE" in content and "CN-0001" in content and "INV-0001" in content


def test_names_outside_latin_1_do_not_break_the_pdf(app, shop, make_work_order):
    update_shop(app, shop.id, name="Łódź Garage “Best” — 24/7 🚗")
    customer_named(app, shop.id, shop.customer.id, name="Nguyễn Thị Ánh 😀", address="ул. Ленина 1")
    invoice_id = issue(shop, make_work_order(shop))

    response = shop.client.get(f"/invoices/{invoice_id}/pdf")

    assert response.status_code == 200
    content = pdf_content(response.data)
    assert "Lódz Garage" in content
    assert "Nguyen Thi \u00c1nh ?" in content


def test_pdf_text_keeps_what_helvetica_prints_and_replaces_the_rest():
    assert pdf_text("Café — 20 €") == "Café — 20 €"
    assert pdf_text("Łódź Nguyễn") == "Lódz Nguyen"
    assert pdf_text("日本") == "??"
    assert pdf_text(None) == ""


def test_the_invoice_is_e_mailed_to_the_customer_with_the_pdf_attached(app, shop, make_work_order, outbox):
    invoice_id = issue(shop, make_work_order(shop))

    response = shop.client.post(f"/invoices/{invoice_id}/email")

    assert response.status_code == 302
    message = outbox.last_to("jane@acme-customer.example.com")
    assert message["Subject"] == "Invoice INV-0001 from Shop acme"
    assert message["Reply-To"] == "hello@acme.example.com"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "invoice INV-0001" in body and "Balance due:  USD 308.54" in body
    attachments = list(message.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attachments] == [("INV-0001.pdf", "application/pdf")]
    pdf = attachments[0].get_content()
    assert pdf.startswith(b"%PDF") and "INV-0001" in pdf_content(pdf)
    flashed = shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "sent to jane@acme-customer.example.com" in flashed


def test_the_outbox_page_shows_a_message_with_an_attachment(app, shop, make_work_order, client):
    invoice_id = issue(shop, make_work_order(shop))
    shop.client.post(f"/invoices/{invoice_id}/email")

    page = client.get("/outbox").get_data(as_text=True)

    assert "Invoice INV-0001 from Shop acme" in page and "please find attached invoice INV-0001" in page


def test_a_customer_without_e_mail_gets_no_mail_and_the_staff_a_clear_message(app, shop, make_work_order, outbox):
    customer_named(app, shop.id, shop.customer.id, email=None)
    invoice_id = issue(shop, make_work_order(shop))

    response = shop.client.post(f"/invoices/{invoice_id}/email")

    assert response.status_code == 409
    assert "no e-mail address" in response.get_data(as_text=True)
    assert outbox.messages == []


def test_a_void_invoice_is_not_e_mailed(shop, make_work_order, outbox):
    invoice_id = issue(shop, make_work_order(shop))
    shop.client.post(f"/invoices/{invoice_id}/void", data={"reason": "Duplicate"})

    assert shop.client.post(f"/invoices/{invoice_id}/email").status_code == 409
    assert outbox.messages == []
