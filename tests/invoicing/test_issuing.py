"""Issuing an invoice from a work order: frozen lines and rates, totals, bill-to, due date, numbering."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from saas.core.db import utcnow
from saas.invoicing.models import InvoiceLine
from tests.factories import log_in
from tests.fixtures.shops import update_shop
from tests.invoicing.helpers import customer_named, events_of, invoice_of, invoices_of, issue, work_order_of


def test_invoice_copies_approved_and_pending_jobs_and_leaves_declined_ones_out(app, shop, make_work_order):
    work_order_id = make_work_order(shop)

    invoice = invoice_of(app, shop.id, issue(shop, work_order_id))

    assert [(line.job_title, line.description, line.net_amount) for line in invoice.lines] == [
        ("Front brake pads", "Replace front pads", Decimal("180.00")),
        ("Front brake pads", "Brake pad set", Decimal("89.99")),
        ("Shop supplies", "Disposal fee", Decimal("12.50")),
    ]
    assert [line.tax_rate for line in invoice.lines] == [Decimal("0.10000"), Decimal("0.08250"), Decimal("0.05000")]
    # 180.00 x 10 % = 18.00; 89.99 x 8.25 % = 7.42; 12.50 x 5 % = 0.63 (half up)
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        Decimal("282.49"),
        Decimal("26.05"),
        Decimal("308.54"),
    )
    assert (invoice.number, invoice.kind, invoice.status, invoice.currency) == (1, "invoice", "issued", "USD")
    assert invoice.work_order_id == work_order_id


def test_invoice_snapshots_the_customer_and_keeps_it_when_the_customer_changes(app, shop, make_work_order):
    customer_named(app, shop.id, shop.customer.id, address="12 Elm Road\nShelbyville")
    invoice_id = issue(shop, make_work_order(shop))

    customer_named(app, shop.id, shop.customer.id, name="Jane Renamed", email="new@example.com", address="Elsewhere")

    invoice = invoice_of(app, shop.id, invoice_id)
    assert (invoice.bill_to_name, invoice.bill_to_email, invoice.bill_to_address) == (
        "Jane Customer",
        "jane@acme-customer.example.com",
        "12 Elm Road\nShelbyville",
    )
    page = shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert "Jane Customer" in page and "Jane Renamed" not in page


def test_tax_rates_are_frozen_when_the_invoice_is_issued(app, shop, make_work_order):
    invoice_id = issue(shop, make_work_order(shop))

    update_shop(app, shop.id, tax_rate_labor=Decimal("0.2"), currency="EUR")

    invoice = invoice_of(app, shop.id, invoice_id)
    assert invoice.lines[0].tax_rate == Decimal("0.10000")
    assert (invoice.currency, invoice.total) == ("USD", Decimal("308.54"))
    assert "USD 308.54" in shop.client.get(f"/invoices/{invoice_id}").get_data(as_text=True)


def test_invoice_is_due_after_the_shops_due_days_at_the_end_of_the_local_day(app, make_shop, make_work_order):
    shop = make_shop("acme", invoice_due_days=30, timezone="America/Chicago")

    invoice = invoice_of(app, shop.id, issue(shop, make_work_order(shop)))

    zone = ZoneInfo("America/Chicago")
    due = invoice.due_at.astimezone(zone)
    assert due.date() == invoice.issued_at.astimezone(zone).date() + timedelta(days=30)
    assert (due.hour, due.minute) == (23, 59)


def test_the_work_order_becomes_invoiced_with_a_history_entry(app, shop, make_work_order):
    work_order_id = make_work_order(shop)

    issue(shop, work_order_id)

    assert work_order_of(app, shop.id, work_order_id).status == "invoiced"
    assert events_of(app, shop.id, work_order_id)[-1] == ("ready", "invoiced")


def test_issuing_redirects_to_the_invoice_page_with_lines_grouped_by_job_and_the_tax_breakdown(shop, make_work_order):
    response = shop.client.post(f"/invoices/from-work-order/{make_work_order(shop)}", follow_redirects=True)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Invoice INV-0001 issued for USD 308.54." in page
    assert page.index("Front brake pads") < page.index("Replace front pads") < page.index("Shop supplies")
    assert "Tire rotation" not in page
    assert "Labor tax 10 % on USD 180.00" in page
    assert "Parts tax 8.25 % on USD 89.99" in page
    assert "Fees tax 5 % on USD 12.50" in page
    assert "Unpaid" in page


def test_an_invoiced_work_order_cannot_be_invoiced_twice(app, shop, make_work_order):
    work_order_id = make_work_order(shop)
    issue(shop, work_order_id)

    response = shop.client.post(f"/invoices/from-work-order/{work_order_id}")

    assert response.status_code == 409
    assert "already invoiced" in response.get_data(as_text=True)
    assert len(invoices_of(app, shop.id)) == 1


def test_a_cancelled_work_order_is_not_invoiced(app, shop, make_work_order):
    response = shop.client.post(f"/invoices/from-work-order/{make_work_order(shop, status='cancelled')}")

    assert response.status_code == 409
    assert "cancelled" in response.get_data(as_text=True)
    assert invoices_of(app, shop.id) == []


def test_a_work_order_still_in_the_workshop_is_not_invoiced(app, shop, make_work_order):
    work_order_id = make_work_order(shop, status="in_progress")

    response = shop.client.post(f"/invoices/from-work-order/{work_order_id}")

    assert response.status_code == 409
    assert "only a work order that is ready can be invoiced" in response.get_data(as_text=True)
    assert invoices_of(app, shop.id) == []
    assert work_order_of(app, shop.id, work_order_id).status == "in_progress"


def test_a_work_order_with_only_declined_work_is_not_invoiced_and_takes_no_number(app, shop, make_work_order):
    only_declined = make_work_order(
        shop, jobs=[("Tire rotation", "declined", [("labor", "Rotate", "1", "50", "labor")])]
    )
    empty = make_work_order(shop, jobs=[])

    for work_order_id in (only_declined, empty):
        response = shop.client.post(f"/invoices/from-work-order/{work_order_id}")
        assert response.status_code == 409
        assert "no approved or pending work" in response.get_data(as_text=True)
        assert work_order_of(app, shop.id, work_order_id).status == "ready"

    assert invoices_of(app, shop.id) == []
    assert invoice_of(app, shop.id, issue(shop, make_work_order(shop))).number == 1  # no number was used up


def test_an_unknown_work_order_is_a_404(shop):
    assert shop.client.post("/invoices/from-work-order/999999").status_code == 404


def test_numbers_are_gapless_per_shop_and_kind(app, make_shop, make_work_order):
    acme, bravo = make_shop("acme"), make_shop("bravo")

    acme_ids = [issue(acme, make_work_order(acme)) for _ in range(3)]
    bravo_ids = [issue(bravo, make_work_order(bravo)) for _ in range(2)]

    assert [invoice.number for invoice in invoices_of(app, acme.id)] == [1, 2, 3]
    assert [invoice.number for invoice in invoices_of(app, bravo.id)] == [1, 2]
    assert len(set(acme_ids + bravo_ids)) == 5


def _fire_in_parallel(app, shop_client, subdomain: str, email: str, paths: list[str]) -> list[int]:
    """POST every path at the same moment, each from its own thread, client and app context."""
    clients = []
    for _ in paths:
        client = shop_client(subdomain)
        log_in(client, email)
        clients.append(client)
    start = threading.Barrier(len(paths))
    statuses: list[int | None] = [None] * len(paths)
    errors: list[BaseException] = []

    def post(index: int) -> None:
        try:
            start.wait(timeout=30)
            statuses[index] = clients[index].post(paths[index]).status_code
        except BaseException as error:  # reported below: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=post, args=(index,)) for index in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses


def test_invoices_issued_at_the_same_moment_get_numbers_1_to_n_without_duplicates(
    app, factory, shop, make_work_order, shop_client
):
    parallel = 10
    work_orders = [make_work_order(shop) for _ in range(parallel)]
    owner = factory.owner(shop.tenant)

    statuses = _fire_in_parallel(
        app, shop_client, "acme", owner.email, [f"/invoices/from-work-order/{wo}" for wo in work_orders]
    )

    assert statuses == [302] * parallel
    invoices = invoices_of(app, shop.id)
    assert sorted(invoice.number for invoice in invoices) == list(range(1, parallel + 1))
    assert sorted(invoice.work_order_id for invoice in invoices) == sorted(work_orders)


def test_the_same_work_order_invoiced_twice_at_the_same_moment_gets_one_invoice(
    app, factory, shop, make_work_order, shop_client
):
    work_order_id = make_work_order(shop)
    owner = factory.owner(shop.tenant)

    statuses = _fire_in_parallel(
        app, shop_client, "acme", owner.email, [f"/invoices/from-work-order/{work_order_id}"] * 4
    )

    assert sorted(statuses) == [302, 409, 409, 409]
    assert [invoice.number for invoice in invoices_of(app, shop.id)] == [1]


def test_lines_keep_their_order_and_part_numbers(app, shop, make_work_order):
    invoice = invoice_of(app, shop.id, issue(shop, make_work_order(shop)))

    assert [line.position for line in invoice.lines] == [1, 2, 3]
    assert all(isinstance(line, InvoiceLine) for line in invoice.lines)
    assert invoice.issued_at <= utcnow()
