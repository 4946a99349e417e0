"""The dashboard: today's appointments, open work, this month's money and a weekly revenue chart."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

from saas.appointments.models import AppointmentStatus
from saas.auth.roles import Role
from saas.invoicing.models import InvoiceKind, InvoiceStatus
from saas.workorders.models import Approval, Status
from tests.factories import log_in
from tests.shop.helpers import stat


def chart_rows(page: str) -> list[tuple[str, str]]:
    """(week, revenue) rows of the chart's table for screen readers."""
    table = page[page.index("<caption>Revenue per week") :]
    table = table[: table.index("</table>")]
    return re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', table)


def month_start(books):
    return books.today().replace(day=1)


def test_this_months_revenue_aro_and_car_count_come_from_issued_invoices_minus_credit_notes(
    owner_client, books, other_books
):
    first = month_start(books)
    wo1, wo2, wo3, wo_old = (books.work_order(Status.INVOICED) for _ in range(4))
    books.invoice("100.00", books.at(first, 9), work_order_id=wo1)
    books.invoice("300.00", books.at(first, 10), work_order_id=wo2)
    books.invoice("-50.00", books.at(first, 11), kind=InvoiceKind.CREDIT_NOTE)
    books.invoice("999.00", books.at(first, 12), work_order_id=wo3, status=InvoiceStatus.VOID)
    books.invoice("1000.00", books.at(first - timedelta(days=1), 12), work_order_id=wo_old)  # last month
    other_books.invoice("5000.00", other_books.at(other_books.today().replace(day=1), 12))

    page = owner_client.get("/").get_data(as_text=True)

    assert stat(page, "revenue") == "USD 350.00"
    assert stat(page, "average repair order (2 invoices)") == "USD 175.00"
    assert stat(page, "car count") == "2"


def test_approval_rate_counts_jobs_decided_this_month(owner_client, books, other_books):
    work_order = books.work_order(Status.ESTIMATE)
    now = books.at(books.today(), 0, 1)
    for approval in (Approval.APPROVED, Approval.APPROVED, Approval.APPROVED, Approval.DECLINED):
        books.job(work_order, approval, decided_at=now)
    books.job(work_order, Approval.PENDING)
    books.job(work_order, Approval.DECLINED, decided_at=books.at(month_start(books) - timedelta(days=3)))
    other_order = other_books.work_order(Status.ESTIMATE)
    other_books.job(other_order, Approval.DECLINED, decided_at=other_books.at(other_books.today(), 0, 1))

    page = owner_client.get("/").get_data(as_text=True)

    assert stat(page, "estimate approval rate (3 of 4 jobs decided)") == "75 %"


def test_a_new_shop_sees_dashes_and_an_empty_chart_not_errors(owner_client):
    page = owner_client.get("/").get_data(as_text=True)

    assert stat(page, "revenue") == "USD 0.00"
    assert stat(page, "average repair order") == "—"
    assert stat(page, "estimate approval rate") == "—"
    assert "No invoices in the last 12 weeks yet" in page
    assert "Nothing booked for today." in page and "No work in the shop right now." in page
    assert "Getting started" in page


def test_todays_appointments_are_those_of_the_shops_own_day(owner_client, books, other_books):
    today = books.today()
    books.appointment(books.at(today, 8, 30))
    books.appointment(books.at(today, 23, 15))  # already tomorrow in UTC
    books.appointment(books.at(today, 11), status=AppointmentStatus.CANCELLED)
    books.appointment(books.at(today - timedelta(days=1), 23, 15))
    books.appointment(books.at(today + timedelta(days=1), 0, 15))
    other_books.appointment(other_books.at(other_books.today(), 14))

    page = owner_client.get("/").get_data(as_text=True)
    section = page[page.index("Today's appointments") : page.index("Open work orders")]

    assert re.findall(r">(\d\d:\d\d)–", section) == ["08:30", "23:15"]


def test_open_work_orders_are_counted_by_status_leaving_out_closed_and_cancelled(owner_client, books, other_books):
    for status in (
        Status.ESTIMATE,
        Status.IN_PROGRESS,
        Status.IN_PROGRESS,
        Status.READY,
        Status.CLOSED,
        Status.CANCELLED,
    ):
        books.work_order(status)
    other_books.work_order(Status.IN_PROGRESS)

    page = owner_client.get("/").get_data(as_text=True)
    section = page[page.index("Open work orders") :]

    assert re.findall(r"<dt>([^<]+)</dt><dd><a [^>]+>(\d+)</a>", section) == [
        ("Estimate", "1"),
        ("In progress", "2"),
        ("Ready", "1"),
    ]
    assert "status=in_progress" in section


def test_weekly_revenue_chart_shows_twelve_weeks_as_svg_with_titles_and_a_table(owner_client, books):
    today = books.today()
    this_monday = today - timedelta(days=today.weekday())
    books.invoice("120.00", books.at(this_monday, 9))
    books.invoice("80.00", books.at(this_monday - timedelta(weeks=3), 9))
    books.invoice("-20.00", books.at(this_monday - timedelta(weeks=3), 10), kind=InvoiceKind.CREDIT_NOTE)
    books.invoice("500.00", books.at(this_monday - timedelta(weeks=12), 9))  # 13 weeks ago: off the chart

    page = owner_client.get("/").get_data(as_text=True)
    rows = chart_rows(page)

    assert len(rows) == 12
    label = lambda day: f"{day.day} {day:%b}"  # noqa: E731
    assert rows[-1] == (label(this_monday), "USD 120.00")
    assert rows[-4] == (label(this_monday - timedelta(weeks=3)), "USD 60.00")
    assert {value for _, value in rows[:-4] + rows[-3:-1]} == {"USD 0.00"}
    assert '<svg viewBox="0 0 600 220" width="100%" role="img" aria-labelledby="weekly-revenue-title' in page
    assert f"<title>{label(this_monday)}: USD 120.00</title>" in page


def test_technicians_see_the_work_but_not_the_money(factory, shop, shop_client, books):
    books.invoice("100.00", books.at(month_start(books), 9))
    tech = factory.user(shop, Role.TECHNICIAN)
    client = shop_client("acme")
    log_in(client, tech.email)

    page = client.get("/").get_data(as_text=True)

    assert "Today's appointments" in page and "Open work orders" in page
    assert "revenue" not in page.lower() and "USD" not in page
    assert "/reports" not in page


def test_dashboard_runs_the_same_number_of_queries_for_3_or_30_rows(owner_client, books, count_queries):
    def add(count):
        today = books.today()
        for n in range(count):
            work_order = books.work_order(Status.IN_PROGRESS if n % 2 else Status.READY)
            books.job(work_order, Approval.APPROVED, decided_at=books.at(today, 0, 5))
            books.invoice("10.00", books.at(today - timedelta(days=n % 60), 1), work_order_id=work_order)
            # 30 real minutes apart from local midnight (UTC steps: on a DST day wall-clock steps would
            # land in the skipped hour and make an appointment end before it starts).
            books.appointment(books.at(today, 0).astimezone(UTC) + timedelta(minutes=30 * len(books_added)))
            books_added.append(n)

    books_added: list[int] = []
    add(3)
    with count_queries() as few:
        assert owner_client.get("/").status_code == 200
    add(27)
    with count_queries() as many:
        assert owner_client.get("/").status_code == 200

    assert few.count == many.count, many.statements
