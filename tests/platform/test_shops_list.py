"""The console's shops list: filters, sorting, CSV export, bad filters, a constant number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import update

from saas.billing.models import Subscription
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.core.tenant import Tenant, TenantStatus
from tests.fixtures.pages import field_errors
from tests.platform.helpers import shop_lines


def change_shop(app, subdomain: str, **columns) -> None:
    """Set columns of a shop's tenants row directly (the console only reads them here)."""
    with app.app_context():
        db.session.execute(update(Tenant).where(Tenant.subdomain == subdomain).values(**columns))
        db.session.commit()


def subscribe(app, tenant_id: int, **columns) -> None:
    """Give a shop a subscription row with these columns."""
    with app.test_request_context(), tenant_scope(tenant_id):
        db.session.add(Subscription(quantity=1, state_at=0, cancel_at_period_end=False, **columns))
        db.session.commit()


def subdomains(response) -> list[str]:
    return [line.subdomain for line in shop_lines(response)]


@pytest.fixture
def shops(app, factory):
    """Five shops in different situations; their Refs by subdomain."""
    made = {
        name: factory.tenant(name, name=f"{name.capitalize()} Garage")
        for name in ("alpha", "beta", "gamma", "delta", "omega")
    }
    now = utcnow()
    change_shop(app, "alpha", trial_ends_at=now + timedelta(days=2), created_at=now - timedelta(days=40))
    change_shop(app, "beta", trial_ends_at=now + timedelta(days=12), created_at=now - timedelta(days=30))
    change_shop(app, "gamma", status=TenantStatus.ACTIVE, created_at=now - timedelta(days=20))
    change_shop(app, "delta", status=TenantStatus.PAST_DUE, suspended_at=now, created_at=now - timedelta(days=10))
    change_shop(app, "omega", status=TenantStatus.ACTIVE, deletion_due_at=now + timedelta(days=30), created_at=now)
    subscribe(app, made["gamma"].id, plan="pro", status="active", stripe_subscription_id="sub_gamma")
    subscribe(app, made["delta"].id, plan="starter", status="past_due", stripe_subscription_id="sub_delta")
    subscribe(app, made["omega"].id, plan="pro", status="none", comped_until=now + timedelta(days=60))
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "trialing"}, ["beta", "alpha"]),
        ({"status": "active"}, ["omega", "gamma"]),
        ({"status": "suspended"}, ["delta"]),
        ({"status": "closing"}, ["omega"]),
        ({"plan": "trial"}, ["beta", "alpha"]),
        ({"plan": "pro"}, ["omega", "gamma"]),
        ({"plan": "comped"}, ["omega"]),
        ({"trial_days": "7"}, ["alpha"]),
        ({"trial_days": "14"}, ["beta", "alpha"]),
        ({"past_due": "1"}, ["delta"]),
        ({"q": "garage", "status": "trialing", "plan": "trial"}, ["beta", "alpha"]),
    ],
)
def test_filters_narrow_the_shops_down(console, shops, query, expected):
    assert subdomains(console.get("/", query_string=query)) == expected


def test_created_between_takes_both_days_included(console, shops):
    today = utcnow().date()
    query = {
        "created_from": (today - timedelta(days=31)).isoformat(),
        "created_to": (today - timedelta(days=10)).isoformat(),
    }

    assert subdomains(console.get("/", query_string=query)) == ["delta", "gamma", "beta"]


@pytest.mark.parametrize(
    ("sort", "direction", "expected"),
    [
        ("name", "asc", ["alpha", "beta", "delta", "gamma", "omega"]),
        ("name", "desc", ["omega", "gamma", "delta", "beta", "alpha"]),
        ("created", "asc", ["alpha", "beta", "gamma", "delta", "omega"]),
        ("trial_end", "asc", ["alpha", "beta"]),
    ],
)
def test_the_list_sorts_by_the_chosen_column(console, shops, sort, direction, expected):
    found = subdomains(console.get("/", query_string={"sort": sort, "dir": direction}))

    assert found[: len(expected)] == expected


def test_sorting_links_keep_the_filters(console, shops):
    page = console.get("/", query_string={"status": "trialing"}).get_data(as_text=True)

    assert "/?status=trialing&amp;sort=name&amp;dir=asc" in page


def test_the_list_shows_plans_and_the_platform_flags(console, shops):
    page = console.get("/").get_data(as_text=True)
    lines = {line.subdomain: line for line in shop_lines(console.get("/"))}

    assert lines["gamma"].plan == "Pro"
    assert lines["omega"].plan == "Pro (comped)"
    assert lines["alpha"].plan == "Trial plan"
    assert 'status-suspended">suspended</span>' in page
    assert "closing" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "deleted"}, "Not a valid choice."),
        ({"trial_days": "many"}, "Not a valid integer value."),
        ({"trial_days": "9999"}, "Number must be between 0 and 365."),
        ({"created_from": "2026-13-45"}, "Not a valid date value."),
        ({"created_from": "2026-06-10", "created_to": "2026-06-01"}, "The end date is before the start date."),
        ({"sort": "password"}, "Not a valid choice."),
    ],
)
def test_a_bad_filter_answers_400_and_says_why(console, shops, query, message):
    response = console.get("/", query_string=query)

    assert response.status_code == 400
    assert message in field_errors(response)


def test_a_nul_byte_or_a_huge_page_number_is_not_an_error(console, shops):
    assert console.get("/", query_string={"q": "a\x00b"}).status_code == 200
    assert console.get("/", query_string={"page": "9223372036854775808"}).status_code == 200


def test_the_csv_holds_every_filtered_shop_with_its_plan_and_flags(console, shops):
    response = console.get("/shops.csv", query_string={"status": "active"})

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["subdomain"] for row in rows] == ["omega", "gamma"]
    assert rows[0]["plan"] == "Pro (comped)" and rows[0]["closing on"]
    assert rows[1]["subscription status"] == "active"


def test_the_csv_neutralizes_names_a_spreadsheet_would_run(console, factory, app):
    factory.tenant("formula", name="=HYPERLINK(1)")

    rows = list(csv.DictReader(io.StringIO(console.get("/shops.csv").get_data(as_text=True))))

    assert rows[0]["name"] == "'=HYPERLINK(1)"


def test_the_csv_export_is_audited(console, shops, app):
    from tests.platform.helpers import audit_entries

    console.get("/shops.csv", query_string={"plan": "pro"})

    [entry] = audit_entries(app, "shops.export_csv")
    assert entry.detail.startswith("2 shops")


def test_the_list_runs_the_same_number_of_queries_for_3_and_30_shops(console, factory, count_queries):
    def queries() -> int:
        with count_queries() as counter:
            assert console.get("/").status_code == 200
        return counter.count

    for number in range(3):
        factory.tenant(f"few{number}")
    few = queries()
    for number in range(27):
        factory.tenant(f"many{number}")

    assert queries() == few
