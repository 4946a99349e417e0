"""The staff's queue of privacy requests: who may see it, the list and its filters, a request's page and
history, the actions (in progress, extend, complete, refuse, correct), the deadline rules, and another
shop's staff reaching none of it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from saas.audit.models import AccessLogEntry
from saas.auth.roles import Role
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.customers.models import Customer
from saas.privacy.deadlines import add_months
from tests.factories import log_in
from tests.fixtures.database import snapshot
from tests.fixtures.pages import field_errors, flashes, redirect_path
from tests.fixtures.shops import update_shop
from tests.privacy.center_helpers import event_actions, load, make_request

ADA = "ada@example.com"


@pytest.fixture
def ada(factory, shop):
    """Ada, acme's customer with the address ada@example.com."""
    return factory.customer(shop, name="Ada Lovelace", email=ADA)


def ago(days: int):
    return utcnow() - timedelta(days=days)


def customer_row(app, tenant_id: int, customer_id: int) -> Customer:
    with app.test_request_context(), tenant_scope(tenant_id):
        customer = db.session.get(Customer, (tenant_id, customer_id))
        db.session.expunge(customer)
        return customer


def access_log(app, tenant_id: int) -> list[tuple[str, str, int, str]]:
    with app.test_request_context(), tenant_scope(tenant_id):
        return [
            (entry.action, entry.subject_type, entry.subject_id, entry.description)
            for entry in db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id))
        ]


# --- who may see it -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.OWNER, 200), (Role.MANAGER, 200), (Role.SERVICE_ADVISOR, 403), (Role.TECHNICIAN, 403)],
)
def test_the_queue_is_for_owners_and_managers(app, factory, shop, ada, login_as, role, status):
    request_id = make_request(app, shop, "access", ADA)
    client = login_as(factory.owner(shop) if role == Role.OWNER else factory.user(shop, role))

    pages = [
        client.get(path)
        for path in ("/privacy-requests", f"/privacy-requests/{request_id}", "/privacy-requests/settings")
    ]

    assert [page.status_code for page in pages] == [status] * 3
    assert ("/privacy-requests" in client.get("/").get_data(as_text=True)) is (status == 200)


def test_the_queue_asks_for_a_login(shop_client, shop):
    response = shop_client("acme").get("/privacy-requests")

    assert response.status_code == 302 and redirect_path(response).startswith("/login")


# --- the list -----------------------------------------------------------------------------


def test_open_requests_come_soonest_deadline_first_with_urgent_and_overdue_ones_marked(
    app, factory, shop, ada, owner_client
):
    fresh = make_request(app, shop, "correction", ADA, when=ago(2))
    urgent = make_request(app, shop, "erasure", "unknown@example.com", when=ago(27))
    overdue = make_request(app, shop, "access", ADA, when=ago(40))
    make_request(app, shop, "objection", "pending@example.com", verify=False)

    page = owner_client.get("/privacy-requests").get_data(as_text=True)

    order = [page.index(f'href="/privacy-requests/{request_id}"') for request_id in (overdue, urgent, fresh)]
    assert order == sorted(order)
    assert "pending@example.com" not in page  # not confirmed: not work yet
    assert 'class="request-overdue"' in page and "Overdue by" in page
    assert 'class="request-urgent"' in page
    assert "2 due within 5 days or overdue" in page
    assert "Ada Lovelace" in page and "No matching customer" in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?kind=erasure", ["erase@example.com"], ["ada@example.com", "done@example.com"]),
        ("?q=ERASE", ["erase@example.com"], ["ada@example.com"]),
        ("?q=%25", [], ["ada@example.com", "erase@example.com"]),  # a % is a character, not a wildcard
        ("?urgent=1", ["erase@example.com"], ["ada@example.com", "done@example.com"]),
        ("?status=received", ["pending@example.com"], ["ada@example.com"]),
        ("?status=closed", ["done@example.com"], ["ada@example.com", "pending@example.com"]),
        ("?status=all", ["ada@example.com", "done@example.com", "pending@example.com"], []),
        ("?status=nonsense&kind=sell_my_data&urgent=maybe", ["ada@example.com"], ["pending@example.com"]),
        ("?q=" + "x" * 5000 + "%00", [], ["ada@example.com"]),
    ],
)
def test_the_list_filters_by_status_kind_urgency_and_address(app, shop, ada, owner_client, query, shown, hidden):
    make_request(app, shop, "access", ADA, when=ago(1))
    make_request(app, shop, "erasure", "erase@example.com", when=ago(28))
    make_request(app, shop, "marketing_opt_out", "done@example.com")  # completes itself
    make_request(app, shop, "access", "pending@example.com", verify=False)

    response = owner_client.get("/privacy-requests" + query)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert [address in page for address in shown] == [True] * len(shown)
    assert [address in page for address in hidden] == [False] * len(hidden)


def test_the_list_is_paginated(app, shop, owner_client):
    for n in range(27):
        make_request(app, shop, "access", f"person{n:02}@example.com", when=ago(1))

    first, second = owner_client.get("/privacy-requests"), owner_client.get("/privacy-requests?page=2")

    assert "Page 1 of 2" in first.get_data(as_text=True)
    assert len(set(re.findall(r'href="/privacy-requests/(\d+)"', second.get_data(as_text=True)))) == 2


def test_the_list_runs_the_same_number_of_queries_for_few_or_many_requests(
    app, factory, shop, owner_client, count_queries
):
    def add(count: int, offset: int) -> None:
        for n in range(count):
            email = f"customer{offset + n}@example.com"
            factory.customer(shop, name=f"Customer {offset + n}", email=email)
            make_request(app, shop, "access", email, when=ago(n % 40))

    add(2, 0)
    with count_queries() as few:
        assert owner_client.get("/privacy-requests").status_code == 200
    add(20, 100)
    with count_queries() as many:
        assert owner_client.get("/privacy-requests").status_code == 200

    assert many.count == few.count


def test_an_empty_queue_says_what_will_come(owner_client, shop):
    page = owner_client.get("/privacy-requests").get_data(as_text=True)

    assert "No open requests" in page and 'href="/privacy"' in page


# --- a request's page ---------------------------------------------------------------------


def test_a_requests_page_shows_its_customers_and_history_and_logs_the_data_seen(app, factory, shop, ada, owner_client):
    request_id = make_request(app, shop, "correction", ADA, details="My phone is +1 217 555 0199")
    number = load(app, shop.id, request_id).number

    page = owner_client.get(f"/privacy-requests/{request_id}").get_data(as_text=True)

    assert f"#{number} · Correct my data" in page
    assert "My phone is +1 217 555 0199" in page
    assert f'href="/customers/{ada.id}"' in page and "Ada Lovelace" in page
    assert "The requester</strong>: asked on the privacy center" in page
    assert "The requester</strong>: confirmed the request from their mailbox" in page
    assert f"/privacy-requests/{request_id}/customers/{ada.id}/correct" in page
    assert ("view", "customer", ada.id, f"Privacy request #{number}") in access_log(app, shop.id)


def test_an_unknown_request_is_404(owner_client, shop):
    assert owner_client.get("/privacy-requests/999999").status_code == 404


# --- the actions --------------------------------------------------------------------------


def test_marking_in_progress_is_recorded_with_who_did_it(app, shop, ada, owner_client):
    request_id = make_request(app, shop, "access", ADA)

    response = owner_client.post(f"/privacy-requests/{request_id}/start")
    again = owner_client.post(f"/privacy-requests/{request_id}/start")

    assert response.status_code == 303 and load(app, shop.id, request_id).status == "in_progress"
    assert again.status_code == 303 and "Only a new request can be marked in progress." in flashes(
        owner_client.get(redirect_path(again))
    )
    assert event_actions(app, shop.id, request_id) == ["received", "verified", "started"]
    assert "Owner acme</strong>: marked it in progress" in owner_client.get(f"/privacy-requests/{request_id}").get_data(
        as_text=True
    )


def test_extending_moves_the_deadline_by_what_the_law_allows_and_tells_the_requester_why(
    app, shop, ada, owner_client, outbox
):
    request_id = make_request(app, shop, "access", ADA, when=ago(2))
    before = load(app, shop.id, request_id)

    response = owner_client.post(
        f"/privacy-requests/{request_id}/extend",
        data={"extend-extension": "2", "extend-reason": "Your records span three of our systems."},
    )

    after = load(app, shop.id, request_id)
    assert response.status_code == 303
    assert after.due_on == add_months(before.received_on, 3)
    assert (after.status, after.extension_reason) == ("extended", "Your records span three of our systems.")
    told = outbox.last_to(ADA)
    assert told["Subject"] == f"Your privacy request #{after.number} needs more time – Shop acme"
    assert "Your records span three of our systems." in told.get_content()
    assert after.due_on.strftime("%d %B %Y") in told.get_content()
    again = owner_client.post(
        f"/privacy-requests/{request_id}/extend", data={"extend-extension": "1", "extend-reason": "Once more"}
    )
    assert again.status_code == 409 and "the law allows one extension" in again.get_data(as_text=True)
    assert load(app, shop.id, request_id).due_on == after.due_on


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"extend-extension": "2", "extend-reason": ""}, "This field is required."),
        ({"extend-extension": "12", "extend-reason": "Busy"}, "Choose one of the extensions offered."),
        ({"extend-extension": "2", "extend-reason": "nul\x00"}, None),
    ],
)
def test_an_extension_needs_a_reason_and_an_offered_length(app, shop, ada, owner_client, outbox, data, message):
    request_id = make_request(app, shop, "access", ADA, when=ago(2))
    due = load(app, shop.id, request_id).due_on

    response = owner_client.post(f"/privacy-requests/{request_id}/extend", data=data)

    assert response.status_code == 400
    if message:
        assert message in field_errors(response)
    assert load(app, shop.id, request_id).due_on == due
    assert [m["Subject"] for m in outbox.messages if "needs more time" in m["Subject"]] == []


def test_an_extension_after_the_deadline_is_refused(app, shop, ada, owner_client):
    request_id = make_request(app, shop, "access", ADA, when=ago(40))

    response = owner_client.post(
        f"/privacy-requests/{request_id}/extend", data={"extend-extension": "1", "extend-reason": "Late"}
    )

    assert response.status_code == 409
    assert "The deadline has passed" in response.get_data(as_text=True)
    assert "can no longer be extended" in owner_client.get(f"/privacy-requests/{request_id}").get_data(as_text=True)


def test_a_californian_shop_has_45_days_and_45_more(app, shop, ada, owner_client):
    owner_client.post("/privacy-requests/settings", data={"jurisdiction": "ccpa"})
    request_id = make_request(app, shop, "access", ADA, when=ago(2))
    received = load(app, shop.id, request_id)
    assert (received.jurisdiction, received.due_on) == ("ccpa", received.received_on + timedelta(days=45))

    owner_client.post(
        f"/privacy-requests/{request_id}/extend", data={"extend-extension": "45", "extend-reason": "Busy"}
    )

    assert load(app, shop.id, request_id).due_on == received.received_on + timedelta(days=90)


def test_completing_needs_a_note_which_the_requester_gets(app, shop, ada, owner_client, outbox):
    request_id = make_request(app, shop, "access", ADA)

    empty = owner_client.post(f"/privacy-requests/{request_id}/complete", data={"complete-note": "  "})
    done = owner_client.post(
        f"/privacy-requests/{request_id}/complete", data={"complete-note": "We sent you your data as a JSON file."}
    )
    twice = owner_client.post(f"/privacy-requests/{request_id}/complete", data={"complete-note": "Again"})

    request = load(app, shop.id, request_id)
    assert empty.status_code == 400 and "This field is required." in field_errors(empty)
    assert done.status_code == 303
    assert (request.status, request.resolution) == ("completed", "We sent you your data as a JSON file.")
    mail = outbox.last_to(ADA)
    assert mail["Subject"] == f"Your privacy request #{request.number} is done – Shop acme"
    assert "We sent you your data as a JSON file." in mail.get_content()
    assert twice.status_code == 409 and "is completed; it cannot be changed now" in twice.get_data(as_text=True)
    assert event_actions(app, shop.id, request_id) == ["received", "verified", "completed"]


def test_refusing_gives_the_reason_and_the_right_to_complain_and_lifts_a_restriction(
    app, shop, ada, owner_client, outbox
):
    request_id = make_request(app, shop, "restriction", ADA)
    assert customer_row(app, shop.id, ada.id).processing_restricted_at is not None

    response = owner_client.post(
        f"/privacy-requests/{request_id}/refuse", data={"refuse-note": "We must keep using it to finish your repair."}
    )

    request = load(app, shop.id, request_id)
    assert response.status_code == 303 and request.status == "refused"
    assert customer_row(app, shop.id, ada.id).processing_restricted_at is None
    mail = outbox.last_to(ADA).get_content()
    assert "We must keep using it to finish your repair." in mail
    assert "data protection supervisory authority" in mail and "court" in mail
    assert event_actions(app, shop.id, request_id)[-2:] == ["limit_lifted", "refused"]


def test_a_californian_refusal_points_to_californias_agency(app, shop, ada, owner_client, outbox):
    owner_client.post("/privacy-requests/settings", data={"jurisdiction": "ccpa"})
    request_id = make_request(app, shop, "erasure", ADA)

    owner_client.post(f"/privacy-requests/{request_id}/refuse", data={"refuse-note": "Invoices are kept by law."})

    assert "California Privacy Protection Agency" in outbox.last_to(ADA).get_content()


def test_a_refusal_needs_a_reason(app, shop, ada, owner_client, outbox):
    request_id = make_request(app, shop, "erasure", ADA)

    response = owner_client.post(f"/privacy-requests/{request_id}/refuse", data={"refuse-note": ""})

    assert response.status_code == 400 and "This field is required." in field_errors(response)
    assert load(app, shop.id, request_id).status == "verified"


def test_an_unconfirmed_request_cannot_be_worked(app, shop, ada, owner_client):
    request_id = make_request(app, shop, "access", ADA, verify=False)

    response = owner_client.post(f"/privacy-requests/{request_id}/complete", data={"complete-note": "Done"})

    assert response.status_code == 409 and "not confirmed yet" in response.get_data(as_text=True)
    assert load(app, shop.id, request_id).status == "received"


# --- correction ---------------------------------------------------------------------------


def test_a_correction_edits_the_customer_through_the_customers_rules_logged_twice(app, shop, ada, owner_client):
    request_id = make_request(app, shop, "correction", ADA, details="New phone and address")
    number = load(app, shop.id, request_id).number
    path = f"/privacy-requests/{request_id}/customers/{ada.id}/correct"

    form = owner_client.get(path)
    response = owner_client.post(
        path, data={"name": "Ada Lovelace", "email": ADA, "phone": "(217) 555-0199", "address": "12 St James's Square"}
    )

    customer = customer_row(app, shop.id, ada.id)
    assert form.status_code == 200 and "New phone and address" in form.get_data(as_text=True)
    assert response.status_code == 303
    assert (customer.phone, customer.address) == ("+12175550199", "12 St James's Square")
    assert event_actions(app, shop.id, request_id)[-1] == "corrected"
    log = access_log(app, shop.id)
    assert ("view", "customer", ada.id, f"Opened for correction (privacy request #{number})") in log
    assert ("edit", "customer", ada.id, f"Corrected from privacy request #{number}") in log
    page = owner_client.get(f"/privacy-requests/{request_id}").get_data(as_text=True)
    assert "Ada Lovelace: phone, address corrected." in page


def test_a_correction_with_a_bad_phone_is_refused_under_the_field_and_changes_nothing(app, shop, ada, owner_client):
    request_id = make_request(app, shop, "correction", ADA)

    response = owner_client.post(
        f"/privacy-requests/{request_id}/customers/{ada.id}/correct",
        data={"name": "Ada Byron", "email": ADA, "phone": "12", "address": ""},
    )

    assert response.status_code == 400 and field_errors(response)
    assert customer_row(app, shop.id, ada.id).name == "Ada Lovelace"
    assert event_actions(app, shop.id, request_id)[-1] == "verified"


def test_only_an_open_correction_request_corrects_and_only_its_own_customers(app, factory, shop, ada, owner_client):
    other = factory.customer(shop, name="Not Asked", email="other@example.com")
    correction = make_request(app, shop, "correction", ADA)
    access = make_request(app, shop, "access", ADA)
    data = {"name": "Changed", "email": ADA}

    not_theirs = owner_client.post(f"/privacy-requests/{correction}/customers/{other.id}/correct", data=data)
    wrong_kind = owner_client.get(f"/privacy-requests/{access}/customers/{ada.id}/correct")
    owner_client.post(f"/privacy-requests/{correction}/complete", data={"complete-note": "Nothing to change"})
    closed = owner_client.post(f"/privacy-requests/{correction}/customers/{ada.id}/correct", data=data)

    assert not_theirs.status_code == 404
    assert wrong_kind.status_code == 409 and "Only a correction request" in wrong_kind.get_data(as_text=True)
    assert closed.status_code == 409
    assert {customer_row(app, shop.id, ada.id).name, customer_row(app, shop.id, other.id).name} == {
        "Ada Lovelace",
        "Not Asked",
    }


# --- the deadline rules -------------------------------------------------------------------


def test_a_us_shop_may_choose_californias_rules_for_new_requests_only(app, shop, ada, owner_client):
    earlier = make_request(app, shop, "access", ADA)

    page = owner_client.get("/privacy-requests/settings").get_data(as_text=True)
    saved = owner_client.post("/privacy-requests/settings", data={"jurisdiction": "ccpa"})
    later = make_request(app, shop, "access", ADA)

    assert "45 days (California: CCPA/CPRA)" in page
    assert saved.status_code == 303
    assert (load(app, shop.id, earlier).jurisdiction, load(app, shop.id, later).jurisdiction) == ("gdpr", "ccpa")
    assert "Deadlines: 45 days" in owner_client.get("/privacy-requests").get_data(as_text=True)
    assert "<strong>45 days</strong>" in owner_client.get("/settings").get_data(as_text=True)


@pytest.mark.parametrize("choice", ["ccpa", "mars", ""])
def test_a_shop_outside_the_us_keeps_gdprs_rules(app, shop, owner_client, choice):
    update_shop(app, shop.id, country="DE")

    page = owner_client.get("/privacy-requests/settings").get_data(as_text=True)
    response = owner_client.post("/privacy-requests/settings", data={"jurisdiction": choice})

    assert "California" not in page
    assert response.status_code == 400
    assert "Choose one of the rules offered for your shop's country." in field_errors(response)


def test_the_settings_page_shows_the_rules_to_whoever_works_the_queue(owner_client, shop):
    page = owner_client.get("/settings").get_data(as_text=True)

    assert 'href="/privacy-requests/settings"' in page and "one calendar month" in page


# --- another shop -------------------------------------------------------------------------


def test_another_shops_staff_reach_no_request_route_and_leave_no_trace(
    app, factory, shop, other_shop, ada, shop_client, superuser_engine, tenant_tables
):
    request_id = make_request(app, shop, "correction", ADA)
    bravo = shop_client("bravo")
    log_in(bravo, "owner@bravo.example.com")
    before = snapshot(superuser_engine, tenant_tables, shop.id)
    form = {
        "extend-extension": "2",
        "extend-reason": "x",
        "complete-note": "x",
        "refuse-note": "x",
        "name": "Hijacked",
        "email": "hijack@example.com",
    }

    statuses = {
        (method, path): bravo.open(path, method=method, data=form if method == "POST" else None).status_code
        for method, path in [
            ("GET", f"/privacy-requests/{request_id}"),
            ("POST", f"/privacy-requests/{request_id}/start"),
            ("POST", f"/privacy-requests/{request_id}/extend"),
            ("POST", f"/privacy-requests/{request_id}/complete"),
            ("POST", f"/privacy-requests/{request_id}/refuse"),
            ("GET", f"/privacy-requests/{request_id}/customers/{ada.id}/correct"),
            ("POST", f"/privacy-requests/{request_id}/customers/{ada.id}/correct"),
        ]
    }

    assert statuses == dict.fromkeys(statuses, 404)
    assert ADA not in bravo.get("/privacy-requests?status=all").get_data(as_text=True)
    assert snapshot(superuser_engine, tenant_tables, shop.id) == before
