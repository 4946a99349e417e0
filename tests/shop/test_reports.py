"""Reports: the KPIs of a date range, its invoices, a CSV export; only for management."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from saas.auth.roles import Role
from saas.invoicing.models import InvoiceKind, InvoiceStatus
from saas.workorders.models import Approval, Status
from tests.factories import log_in
from tests.shop.helpers import stat


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def november(books, other_books):
    """Acme's November 2026 (New York time) and a few documents just outside it; Bravo's too."""
    wo1, wo2, wo3 = (books.work_order(Status.INVOICED) for _ in range(3))
    books.invoice("110.00", books.at(date(2026, 11, 1), 0, 30), work_order_id=wo1, tax="10.00", paid="110.00")
    # Due 30 days after whatever today is: "Partially paid" on any day the tests run, never "Overdue".
    not_due_yet = datetime.now(UTC) + timedelta(days=30)
    books.invoice(
        "220.00", books.at(date(2026, 11, 15)), work_order_id=wo2, tax="20.00", paid="100.00", due_at=not_due_yet
    )
    books.invoice("-20.00", books.at(date(2026, 11, 16)), kind=InvoiceKind.CREDIT_NOTE, tax="-2.00")
    books.invoice("70.00", books.at(date(2026, 11, 30), 23, 30), work_order_id=wo3, bill_to="=HYPERLINK(evil)")
    books.invoice("999.00", books.at(date(2026, 11, 20)), status=InvoiceStatus.VOID)
    books.invoice("400.00", books.at(date(2026, 10, 31), 23, 30))  # 1 Nov in UTC, 31 Oct in New York
    books.invoice("500.00", books.at(date(2026, 12, 1), 0, 10))
    for approval, day in ((Approval.APPROVED, 3), (Approval.DECLINED, 4), (Approval.APPROVED, 29)):
        books.job(wo1, approval, decided_at=books.at(date(2026, 11, day)))
    books.job(wo1, Approval.DECLINED, decided_at=books.at(date(2026, 12, 2)))
    other_books.invoice("5000.00", other_books.at(date(2026, 11, 10)))
    other_books.job(other_books.work_order(), Approval.DECLINED, decided_at=other_books.at(date(2026, 11, 10)))


def test_reports_show_the_kpis_of_the_chosen_range_in_shop_time(owner_client, november):
    page = owner_client.get("/reports?start=2026-11-01&end=2026-11-30").get_data(as_text=True)

    assert "1–30 Nov 2026" in page
    assert stat(page, "revenue") == "USD 380.00"  # 110 + 220 + 70 - 20
    assert stat(page, "average repair order (3 invoices)") == "USD 126.67"
    assert stat(page, "car count") == "3"
    assert stat(page, "estimate approval rate (2 of 3 jobs decided)") == "67 %"


def test_reports_list_the_ranges_invoices_with_their_standing(owner_client, november):
    page = owner_client.get("/reports?start=2026-11-01&end=2026-11-30").get_data(as_text=True)
    numbers = re.findall(r">((?:INV|CN)-\d{4})<", page)

    assert len(numbers) == 5 and sum(n.startswith("CN-") for n in numbers) == 1
    assert 'Invoices and credit notes <span class="muted">(5)</span>' in page
    assert {"Paid", "Partially paid", "Void", "Credit note"} <= set(
        re.findall(r'<span class="tag[^"]*">([^<]+)</span>', page)
    )
    assert "USD 5,000.00" not in page and "USD 400.00" not in page


def test_reports_default_to_this_month(owner_client, books):
    today = books.today()
    books.invoice("42.00", books.at(today.replace(day=1), 6))
    books.invoice("58.00", books.at(today.replace(day=1) - timedelta(days=1), 6))

    page = owner_client.get("/reports").get_data(as_text=True)

    assert stat(page, "revenue") == "USD 42.00"
    assert f'name="start" value="{today.replace(day=1).isoformat()}"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-13-01&end=2026-11-30", "Dates look like 2026-11-01"),
        ("start=yesterday", "Dates look like 2026-11-01"),
        ("start=2026-11-30&end=2026-11-01", "The end date is before the start date."),
        ("start=2016-01-01&end=2026-11-30", "Pick at most three years at a time."),
        ("start=9999-12-31&end=9999-12-31", "Pick dates between 1900 and 2999."),
    ],
)
def test_bad_dates_are_refused_with_a_message(owner_client, query, message):
    page = owner_client.get(f"/reports?{query}")
    export = owner_client.get(f"/reports/export.csv?{query}")

    assert page.status_code == 400 and message in page.get_data(as_text=True)
    assert export.status_code == 400 and message in export.get_data(as_text=True)
    assert export.mimetype == "text/plain"


def test_csv_export_lists_the_ranges_invoices_for_a_spreadsheet(owner_client, november):
    response = owner_client.get("/reports/export.csv?start=2026-11-01&end=2026-11-30")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="invoices-acme-2026-11-01-to-2026-11-30.csv"'
    )
    header, *rows = csv_rows(response)
    assert header == ["Number", "Date", "Customer", "Subtotal", "Tax", "Total", "Paid", "Status"]
    assert [row[1:] for row in rows] == [
        ["2026-11-01", "Jane Customer", "100.00", "10.00", "110.00", "110.00", "Paid"],
        ["2026-11-15", "Jane Customer", "200.00", "20.00", "220.00", "100.00", "Partially paid"],
        ["2026-11-16", "Jane Customer", "-18.00", "-2.00", "-20.00", "0.00", "Credit note"],
        ["2026-11-20", "Jane Customer", "999.00", "0.00", "999.00", "0.00", "Void"],
        ["2026-11-30", "'=HYPERLINK(evil)", "70.00", "0.00", "70.00", "0.00", rows[4][7]],
    ]
    assert [row[0][:3] for row in rows] == ["INV", "INV", "CN-", "INV", "INV"]


def test_csv_of_a_range_without_invoices_has_just_the_header(owner_client, november):
    response = owner_client.get("/reports/export.csv?start=2020-01-01&end=2020-01-31")

    assert csv_rows(response) == [["Number", "Date", "Customer", "Subtotal", "Tax", "Total", "Paid", "Status"]]


def test_reports_are_for_owners_and_managers_only(factory, shop, shop_client):
    for role, expected in ((Role.TECHNICIAN, 403), (Role.SERVICE_ADVISOR, 403), (Role.MANAGER, 200)):
        client = shop_client("acme")
        log_in(client, factory.user(shop, role).email)
        assert client.get("/reports").status_code == expected, role
        assert client.get("/reports/export.csv").status_code == expected, role


def test_reports_require_login(shop, shop_client):
    response = shop_client("acme").get("/reports/export.csv")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_one_shops_owner_cannot_read_another_shops_reports(owner_client, november, other_shop):
    own = owner_client.get("/reports/export.csv?start=2026-11-01&end=2026-11-30").get_data(as_text=True)
    assert "5000.00" not in own

    # The same session cookie on Bravo's host logs nobody in there.
    response = owner_client.get(
        "/reports/export.csv?start=2026-11-01&end=2026-11-30", base_url="http://bravo.workbay.test"
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_report_page_runs_the_same_number_of_queries_for_3_or_30_invoices(owner_client, books, count_queries):
    def add(count):
        for n in range(count):
            work_order = books.work_order(Status.INVOICED)
            books.invoice("10.00", books.at(date(2026, 11, 1 + n % 28), 12), work_order_id=work_order)
            books.job(work_order, Approval.APPROVED, decided_at=books.at(date(2026, 11, 2)))

    url = "/reports?start=2026-11-01&end=2026-11-30"
    add(3)
    with count_queries() as few:
        assert owner_client.get(url).status_code == 200
    add(27)
    with count_queries() as many:
        assert owner_client.get(url).status_code == 200
    with count_queries() as export:
        assert owner_client.get(url.replace("/reports", "/reports/export.csv")).status_code == 200

    assert few.count == many.count, many.statements
    assert export.count <= few.count
