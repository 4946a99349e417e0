"""The access log: the owner searches it (customer, staff, action, dates, words) and exports it as CSV;
one customer's entries come out as JSON-ready rows for their own copy of their data."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from saas.audit.services import access_log_of_customer
from saas.auth.roles import Role
from saas.core.tenancy import tenant_scope
from tests.fixtures.shops import update_shop
from tests.privacy.policy_helpers import access_log_rows, add_customer, log_entry

MARCH_1 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MARCH_15 = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
APRIL_1 = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def logged(app, shop, factory):
    """acme's log: Ann viewed by Sam on 1 March, Bob's invoice PDF by Sam on 15 March, Ann exported
    by the owner on 1 April."""
    ann = add_customer(app, shop, "Ann Example", "ann@example.com")
    bob = add_customer(app, shop, "Bob Example", "bob@example.com")
    sam = factory.user(shop, Role.SERVICE_ADVISOR, name="Sam Advisor")
    owner = factory.owner(shop)
    log_entry(app, shop.id, MARCH_1, "view", ann.id, sam.id, "Opened the customer's record")
    log_entry(app, shop.id, MARCH_15, "download", bob.id, sam.id, "Downloaded invoice INV-0007 (PDF)")
    log_entry(app, shop.id, APRIL_1, "export", ann.id, owner.id, "Downloaded the customer's data as JSON")
    return ann, bob, sam, owner


def count_on(page: str) -> str:
    return page.split('<span class="muted">(', 1)[1].split(")", 1)[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "3"),
        ("action=download", "1"),
        ("since=2026-03-10", "2"),
        ("until=2026-03-15", "2"),
        ("since=2026-03-02&until=2026-03-31", "1"),
        ("q=inv-0007", "1"),
        ("q=downloaded", "2"),
        ("q=%25", "0"),  # a literal percent sign, not a wildcard
    ],
)
def test_the_owner_searches_by_action_dates_and_words(owner_client, logged, query, expected):
    response = owner_client.get(f"/access-log?{query}")
    assert response.status_code == 200
    assert count_on(response.get_data(as_text=True)) == expected


def test_the_owner_searches_by_customer_and_staff_member(owner_client, logged):
    ann, _, sam, owner = logged
    assert count_on(owner_client.get(f"/access-log?customer_id={ann.id}").get_data(as_text=True)) == "2"
    assert count_on(owner_client.get(f"/access-log?user_id={sam.id}").get_data(as_text=True)) == "2"
    both = owner_client.get(f"/access-log?customer_id={ann.id}&user_id={owner.id}").get_data(as_text=True)
    assert count_on(both) == "1" and "Access log: Ann Example" in both


def test_dates_are_the_shops_local_days(app, shop, owner_client, logged):
    update_shop(app, shop.id, timezone="Pacific/Auckland")  # 1 March 12:00 UTC is 2 March there
    assert count_on(owner_client.get("/access-log?until=2026-03-01").get_data(as_text=True)) == "0"
    assert count_on(owner_client.get("/access-log?since=2026-03-02&until=2026-03-02").get_data(as_text=True)) == "1"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=2026-02-30", "Not a valid date value."),
        ("since=2026-03-10&until=2026-03-01", "The end date is before the start date."),
        ("user_id=abc", "Invalid Choice: could not coerce."),
        ("user_id=999999", "Pick someone from the list."),
        ("q=" + "x" * 101, "Field cannot be longer than 100 characters."),
    ],
)
def test_a_bad_search_is_a_400_that_says_why(owner_client, logged, query, message):
    response = owner_client.get(f"/access-log?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "Fix the search above" in page


def test_another_shops_customer_or_staff_member_finds_nothing(owner_client, logged, factory, other_shop, app):
    bravo_customer = add_customer(app, other_shop, "Bravo Person")
    bravo_staff = factory.user(other_shop, Role.TECHNICIAN)
    assert owner_client.get(f"/access-log?customer_id={bravo_customer.id}").status_code == 404
    assert owner_client.get(f"/access-log/export.csv?customer_id={bravo_customer.id}").status_code == 404
    assert owner_client.get(f"/access-log?user_id={bravo_staff.id}").status_code == 400


def test_the_export_is_what_the_search_finds_and_is_itself_logged(app, shop, owner_client, logged):
    ann, *_ = logged
    response = owner_client.get(f"/access-log/export.csv?customer_id={ann.id}&since=2026-03-01")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="access-log-acme.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["action"], row["subject name"], row["staff member"]) for row in rows] == [
        ("Exported", "Ann Example", "Owner acme"),
        ("Viewed", "Ann Example", "Sam Advisor"),
    ]
    assert rows[1]["time (UTC)"] == "2026-03-01T12:00:00+00:00" and rows[1]["IP address"] == "192.0.2.7"
    last = access_log_rows(app, shop.id)[-1]
    assert (last["action"], last["subject_type"]) == ("export", "access_log")
    assert "2 entries" in last["description"] and f"customer_id {ann.id}" in last["description"]


def test_a_bad_export_search_is_a_plain_400_and_nothing_is_logged(app, shop, owner_client, logged):
    response = owner_client.get("/access-log/export.csv?since=yesterday")
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert "Not a valid date value." in response.get_data(as_text=True)
    assert [e["subject_type"] for e in access_log_rows(app, shop.id)] == ["customer"] * 3


def test_the_export_keeps_formulas_out_of_spreadsheets(app, shop, owner_client):
    log_entry(app, shop.id, MARCH_1, description='=HYPERLINK("http://evil")')
    rows = list(csv.DictReader(io.StringIO(owner_client.get("/access-log/export.csv").get_data(as_text=True))))
    assert rows[0]["description"] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SERVICE_ADVISOR, Role.TECHNICIAN])
def test_only_the_owner_exports_the_log(factory, shop, login_as, role):
    assert login_as(factory.user(shop, role)).get("/access-log/export.csv").status_code == 403


def test_the_search_page_runs_the_same_number_of_queries_for_3_or_30_entries(
    app, shop, owner_client, logged, count_queries
):
    ann, bob, sam, _ = logged
    query = f"/access-log?since=2026-01-01&q=e&user_id={sam.id}"
    with count_queries() as few:
        assert owner_client.get(query).status_code == 200
    for day in range(1, 28):
        log_entry(
            app, shop.id, datetime(2026, 2, day, tzinfo=UTC), "view", (ann if day % 2 else bob).id, sam.id, "Opened"
        )
    with count_queries() as many:
        page = owner_client.get(query).get_data(as_text=True)
    assert count_on(page) == "29" and "Bob Example" in page
    assert few.count == many.count, many.statements
    with count_queries() as export:
        owner_client.get("/access-log/export.csv")
    assert export.count <= many.count + 2, export.statements  # the entries, the names, the export's own entry


def test_one_customers_entries_as_json_ready_rows_without_the_staffs_address(app, shop, logged, other_shop):
    ann, *_ = logged
    log_entry(app, other_shop.id, MARCH_1, "view", ann.id, None, "bravo's entry for the same id")
    with app.test_request_context(), tenant_scope(shop.id):
        rows = access_log_of_customer(ann.id)
    assert rows == [
        {
            "at": "2026-03-01T12:00:00+00:00",
            "action": "view",
            "action_label": "Viewed",
            "by": "Sam Advisor",
            "description": "Opened the customer's record",
        },
        {
            "at": "2026-04-01T12:00:00+00:00",
            "action": "export",
            "action_label": "Exported",
            "by": "Owner acme",
            "description": "Downloaded the customer's data as JSON",
        },
    ]
