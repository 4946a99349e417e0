"""The console's metrics: shops by status, sign-ups per week, trial-to-paid, MRR, churn, usage; charts and CSV."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from saas.billing.models import StripeEvent, Subscription
from saas.core.extensions import db
from saas.core.tenancy import cross_tenant_scope, tenant_scope
from saas.core.tenant import Tenant
from saas.documents.models import Document
from saas.invoicing.models import Invoice
from saas.workorders.models import WorkOrder
from tests.factories import log_in
from tests.fixtures.pages import redirect_path
from tests.platform.helpers import audit_entries

# A Wednesday: this week started on Monday 9 March 2026, the twelfth week back on Monday 22 December 2025.
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
_ids = itertools.count(1)


@pytest.fixture
def now(monkeypatch) -> datetime:
    """The metrics are computed as of NOW, whatever today is."""
    monkeypatch.setattr("saas.platform.metrics.utcnow", lambda: NOW)
    return NOW


def set_shop(app, tenant_id: int, **values) -> None:
    """Change a shop's row (created_at, trial end, suspension, closing) as the platform would see it."""
    with app.test_request_context(), cross_tenant_scope("test"):
        db.session.execute(update(Tenant).where(Tenant.id == tenant_id).values(**values))
        db.session.commit()


def subscribe(app, tenant_id: int, plan: str | None, status: str = "active", *, interval: str = "month",
              quantity: int = 1, stripe: bool = True, comped_until=None, state_at: datetime | None = None) -> None:  # fmt: skip
    """The shop's subscription row, as billing keeps it."""
    with app.test_request_context(), tenant_scope(tenant_id):
        db.session.add(
            Subscription(
                plan=plan,
                interval=interval,
                status=status,
                quantity=quantity,
                stripe_customer_id=f"cus_{tenant_id}" if stripe else None,
                stripe_subscription_id=f"sub_{tenant_id}" if stripe else None,
                comped_until=comped_until,
                state_at=int(state_at.timestamp()) if state_at else 0,
                cancel_at_period_end=False,
            )
        )
        db.session.commit()


def stripe_event(app, tenant_id: int, kind: str, created: datetime) -> None:
    """A webhook event Stripe created at `created`, received at once."""
    with app.test_request_context(), cross_tenant_scope("test"):
        db.session.add(
            StripeEvent(
                id=f"evt_{next(_ids)}",
                type=kind,
                stripe_created=int(created.timestamp()),
                received_at=created,
                shop_id=tenant_id,
                outcome="",
            )  # fmt: skip
        )
        db.session.commit()


def csv_rows(console, figure: str) -> list[list[str]]:
    """One figure of the CSV export, header first."""
    response = console.get("/metrics.csv", query_string={"figure": figure})
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def shops(factory, count: int, prefix: str = "shop") -> list:
    return [factory.tenant(f"{prefix}{number}") for number in range(count)]


# --- the figures ---------------------------------------------------------------------------------


def test_shops_are_counted_by_status_with_suspended_and_closing_apart(console, factory, app, now):
    trialing, active, past_due, suspended, closing = shops(factory, 5)
    set_shop(app, active.id, status="active")
    set_shop(app, past_due.id, status="past_due")
    set_shop(app, suspended.id, status="active", suspended_at=NOW - timedelta(days=1))
    set_shop(app, closing.id, status="active", suspended_at=NOW, deletion_due_at=NOW + timedelta(days=30))

    rows = csv_rows(console, "statuses")

    assert rows == [
        ["status", "shops"],
        ["trialing", "1"],
        ["active", "1"],
        ["past_due", "1"],
        ["read_only", "0"],
        ["canceled", "0"],
        ["suspended", "1"],
        ["closing", "1"],
    ]
    assert '<span class="stat-value" id="kpi-shops">5</span>' in console.get("/metrics").get_data(as_text=True)


def test_sign_ups_are_counted_per_week_starting_monday_for_twelve_weeks(console, factory, app, now):
    created = [
        datetime(2026, 3, 9, 0, 0, tzinfo=UTC),  # this week's Monday, midnight
        datetime(2026, 3, 11, 11, 0, tzinfo=UTC),  # this week
        datetime(2026, 3, 8, 23, 59, tzinfo=UTC),  # last week's Sunday
        datetime(2026, 3, 2, 9, 0, tzinfo=UTC),  # last week's Monday
        datetime(2025, 12, 22, 0, 0, tzinfo=UTC),  # the first of the twelve weeks
        datetime(2025, 12, 21, 23, 59, tzinfo=UTC),  # the week before: not shown
    ]
    for shop, moment in zip(shops(factory, len(created)), created, strict=True):
        set_shop(app, shop.id, created_at=moment)

    rows = csv_rows(console, "signups")

    mondays = [(date(2025, 12, 22) + timedelta(weeks=n)).isoformat() for n in range(12)]
    assert [row[0] for row in rows[1:]] == mondays
    counts = {monday: int(count) for monday, count in rows[1:]}
    assert counts["2026-03-09"] == 2
    assert counts["2026-03-02"] == 2
    assert counts["2025-12-22"] == 1
    assert sum(counts.values()) == 5


def test_trial_to_paid_counts_shops_whose_trial_ended_in_90_days_and_that_paid(console, factory, app, now):
    paying, gone, after_paying, zero_invoice_only, long_ago, still_trialing = shops(factory, 6)
    for shop, days_ago in [(paying, 10), (gone, 20), (after_paying, 30), (zero_invoice_only, 40), (long_ago, 100)]:
        set_shop(app, shop.id, trial_ends_at=NOW - timedelta(days=days_ago))
    set_shop(app, still_trialing.id, trial_ends_at=NOW + timedelta(days=5))
    subscribe(app, paying.id, "pro", "active")
    subscribe(app, after_paying.id, "pro", "canceled")
    stripe_event(app, after_paying.id, "invoice.paid", NOW - timedelta(days=29))  # paid after its trial
    subscribe(app, zero_invoice_only.id, "pro", "canceled")
    stripe_event(app, zero_invoice_only.id, "invoice.paid", NOW - timedelta(days=50))  # the Stripe trial's $0
    subscribe(app, long_ago.id, "pro", "active")
    subscribe(app, still_trialing.id, "pro", "trialing")

    assert csv_rows(console, "conversion") == [
        ["trials_ended_last_90_days", "converted", "conversion_percent"],
        ["4", "2", "50.0"],
    ]
    page = console.get("/metrics").get_data(as_text=True)
    assert '<span class="stat-value" id="kpi-conversion">50 %</span>' in page
    assert "had a paid Stripe subscription" in page  # the definition is on the page


def test_mrr_counts_paying_subscriptions_at_list_price_and_lists_comped_plans_apart(console, factory, app, now):
    pro, yearly, seats, late, canceled, stripe_trial, comped, unknown = shops(factory, 8)
    set_shop(app, comped.id, name="Comped Garage")
    subscribe(app, pro.id, "pro")  # 79
    subscribe(app, yearly.id, "starter", interval="year")  # 290 / 12
    subscribe(app, seats.id, "enterprise", quantity=4)  # 4 x 25
    subscribe(app, late.id, "pro", "past_due")  # 79, past due
    subscribe(app, canceled.id, "pro", "canceled")
    subscribe(app, stripe_trial.id, "pro", "trialing")
    subscribe(app, comped.id, "starter", stripe=False, comped_until=NOW + timedelta(days=30))
    subscribe(app, unknown.id, None)

    rows = csv_rows(console, "mrr")

    assert rows[:6] == [
        ["plan", "subscriptions", "seats", "mrr_usd"],
        ["starter", "1", "", "24.17"],
        ["pro", "2", "", "158.00"],
        ["enterprise", "1", "4", "100.00"],
        ["total", "4", "", "282.17"],
        ["of_which_past_due", "", "", "79.00"],
    ]
    assert ["unknown_plan", "1", "", ""] in rows
    assert ["comped", str(comped.id), "Comped Garage", "Starter until 2026-04-10"] in rows
    page = console.get("/metrics").get_data(as_text=True)
    assert '<td class="num" id="mrr-total">USD 282.17</td>' in page
    assert "Comped Garage" in page.split('id="comped"')[1]


def test_churn_is_paying_shops_lost_in_30_days_over_those_paying_at_the_start(console, factory, app, now):
    kept, new, deleted, unpaid, ended_long_ago, new_and_gone, came_back = shops(factory, 7)
    subscribe(app, kept.id, "pro")
    stripe_event(app, kept.id, "customer.subscription.created", NOW - timedelta(days=100))
    subscribe(app, new.id, "pro")
    stripe_event(app, new.id, "customer.subscription.created", NOW - timedelta(days=10))
    subscribe(app, deleted.id, "pro", "canceled", state_at=NOW - timedelta(days=5))
    stripe_event(app, deleted.id, "customer.subscription.created", NOW - timedelta(days=200))
    stripe_event(app, deleted.id, "customer.subscription.deleted", NOW - timedelta(days=5))
    subscribe(app, unpaid.id, "starter", "unpaid", state_at=NOW - timedelta(days=3))  # no events kept
    subscribe(app, ended_long_ago.id, "pro", "canceled", state_at=NOW - timedelta(days=60))
    subscribe(app, new_and_gone.id, "pro", "canceled", state_at=NOW - timedelta(days=5))
    stripe_event(app, new_and_gone.id, "customer.subscription.created", NOW - timedelta(days=12))
    stripe_event(app, new_and_gone.id, "customer.subscription.deleted", NOW - timedelta(days=5))
    subscribe(app, came_back.id, "pro")
    stripe_event(app, came_back.id, "customer.subscription.created", NOW - timedelta(days=300))
    stripe_event(app, came_back.id, "customer.subscription.deleted", NOW - timedelta(days=10))

    assert csv_rows(console, "churn") == [
        ["paying_30_days_ago", "churned", "churn_percent", "lost_mrr_usd"],
        ["4", "2", "50.0", "108.00"],  # kept, deleted, unpaid, came back; lost pro (79) and starter (29)
    ]
    assert '<span class="stat-value" id="kpi-churn">50 %</span>' in console.get("/metrics").get_data(as_text=True)


def test_no_trials_and_no_paying_shops_show_dashes_not_errors(console, factory):
    factory.tenant("acme")

    page = console.get("/metrics")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<span class="stat-value" id="kpi-conversion">—</span>' in text
    assert '<span class="stat-value" id="kpi-churn">—</span>' in text
    assert '<span class="stat-value" id="kpi-mrr">USD 0.00</span>' in text


def add_usage(app, tenant_id: int, customer_id: int, *, files: int, size: int, work_orders: int, invoices: int,
              old: bool = False) -> None:  # fmt: skip
    """Documents, work orders and invoices of a shop (the last two 40 days old when `old`)."""
    when = datetime.now(UTC) - timedelta(days=40 if old else 2)
    with app.test_request_context(), tenant_scope(tenant_id):
        for _ in range(files):
            db.session.add(
                Document(
                    filename="scan.pdf",
                    content_type="application/pdf",
                    size_bytes=size,
                    storage_key=f"tenants/{tenant_id}/other/{next(_ids):032x}",
                    customer_id=customer_id,
                )  # fmt: skip
            )
        for _ in range(work_orders):
            db.session.add(WorkOrder(number=next(_ids), customer_id=customer_id, concern="Noise", created_at=when))
        for _ in range(invoices):
            db.session.add(
                Invoice(
                    number=next(_ids),
                    customer_id=customer_id,
                    currency="USD",
                    bill_to_name="Jane",
                    subtotal=Decimal(100),
                    tax_total=Decimal(0),
                    total=Decimal(100),
                    issued_at=when,
                    due_at=when + timedelta(days=14),
                )  # fmt: skip
            )
        db.session.commit()


def test_usage_lists_shops_by_storage_with_staff_customers_and_last_30_days_work(console, factory, app):
    small, big, idle = factory.tenant("small", "Small Shop"), factory.tenant("big", "Big Shop"), factory.tenant("idle")
    factory.user(big)
    big_customer = factory.customer(big)
    factory.customer(big, "John Customer")
    add_usage(app, big.id, big_customer.id, files=3, size=2_000_000, work_orders=2, invoices=1)
    add_usage(app, big.id, big_customer.id, files=0, size=0, work_orders=5, invoices=5, old=True)
    small_customer = factory.customer(small)
    add_usage(app, small.id, small_customer.id, files=1, size=1000, work_orders=1, invoices=0)

    rows = csv_rows(console, "usage")

    assert rows[0] == ["shop_id", "name", "subdomain", "storage_bytes", "files", "staff", "customers",
                       "work_orders_30_days", "invoices_30_days"]  # fmt: skip
    assert rows[1:] == [
        [str(big.id), "Big Shop", "big", "6000000", "3", "2", "2", "2", "1"],
        [str(small.id), "Small Shop", "small", "1000", "1", "1", "1", "1", "0"],
        [str(idle.id), "Shop idle", "idle", "0", "0", "1", "0", "0", "0"],
    ]
    page = console.get("/metrics").get_data(as_text=True)
    usage = page.split('id="usage"')[1]
    assert f'<a href="/shops/{big.id}">Big Shop</a>' in usage
    assert usage.index("Big Shop") < usage.index("Small Shop") < usage.index("Shop idle")


# --- charts, CSV, audit -----------------------------------------------------------------------------


def test_the_page_draws_sign_ups_mrr_and_statuses_as_svg_charts(console, factory, app, now):
    shop = factory.tenant("acme")
    set_shop(app, shop.id, created_at=datetime(2026, 3, 10, tzinfo=UTC))
    subscribe(app, shop.id, "pro")

    page = console.get("/metrics").get_data(as_text=True)

    assert page.count("<svg ") == 3
    assert '<title id="chart-signups-title">Sign-ups per week, last 12 weeks</title>' in page
    assert "<title>09 Mar: 1</title>" in page
    assert '<title id="chart-mrr-title">MRR per plan</title>' in page
    assert "<title>Pro: USD 79.00</title>" in page
    assert '<title id="chart-statuses-title">Shops by status</title>' in page
    assert "style=" not in page


def test_the_csv_export_has_every_figure_in_its_own_section(console, factory, app, now):
    factory.tenant("acme")

    response = console.get("/metrics.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="workbay-metrics-2026-03-11.csv"'
    sections = [row[0] for row in csv.reader(io.StringIO(response.get_data(as_text=True))) if row and row[0][:1] == "#"]
    assert sections == ["# statuses", "# signups", "# conversion", "# mrr", "# churn", "# usage"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized(console, factory, app):
    shop = factory.tenant("evil", name='=HYPERLINK("http://x.example")')
    other = factory.tenant("at", name="@SUM(A1)")

    rows = csv_rows(console, "usage")

    names = {row[0]: row[1] for row in rows[1:]}
    assert names[str(shop.id)] == '\'=HYPERLINK("http://x.example")'
    assert names[str(other.id)] == "'@SUM(A1)"


def test_an_unknown_figure_is_a_clear_400(console):
    response = console.get("/metrics.csv", query_string={"figure": "secrets"})

    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert "Unknown figure 'secrets'" in response.get_data(as_text=True)


def test_viewing_and_exporting_metrics_are_audited(console, admin, app):
    console.get("/metrics")
    console.get("/metrics.csv", query_string={"figure": "mrr"})
    console.get("/metrics.csv")

    assert [entry.admin_id for entry in audit_entries(app, "metrics.view")] == [admin.id]
    assert [entry.detail for entry in audit_entries(app, "metrics.export")] == ["figure=mrr", "figure=all"]


def metrics_queries(console, count_queries) -> int:
    with count_queries() as counter:
        assert console.get("/metrics").status_code == 200
    return counter.count


def test_the_page_takes_the_same_number_of_queries_for_3_and_30_shops(console, factory, app, count_queries):
    def grow_to(count: int) -> None:
        for shop in shops(factory, count - len(existing), prefix=f"q{len(existing)}x"):
            existing.append(shop)
            subscribe(app, shop.id, "pro")
            stripe_event(app, shop.id, "customer.subscription.created", datetime.now(UTC) - timedelta(days=40))
            factory.customer(shop)

    existing: list = []
    grow_to(3)
    few = metrics_queries(console, count_queries)
    grow_to(30)
    many = metrics_queries(console, count_queries)

    assert few == many


# --- who may see them -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/metrics", "/metrics.csv"])
def test_visitors_who_are_not_logged_in_are_sent_to_the_console_login(admin_client, path):
    assert redirect_path(admin_client.get(path)).startswith("/login")


@pytest.mark.parametrize("path", ["/metrics", "/metrics.csv"])
def test_a_shop_session_does_not_open_the_metrics(admin_client, factory, login_as, path):
    shop = factory.tenant("acme")
    staff = login_as(factory.owner(shop), "acme")
    cookie = staff.get_cookie("workbay_session", domain="acme.workbay.test")

    admin_client.set_cookie("workbay_session", cookie.value, domain="admin.workbay.test")

    assert redirect_path(admin_client.get(path)).startswith("/login")


def test_support_admins_see_the_metrics(factory, admin_client):
    support = factory.platform_admin("help@workbay.example.com", role="support")
    log_in(admin_client, support.email)

    assert admin_client.get("/metrics").status_code == 200
    assert admin_client.get("/metrics.csv").status_code == 200
