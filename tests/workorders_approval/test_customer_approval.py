"""The customer opens the e-mailed link, approves or declines each job and signs with their name."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from flask import render_template
from flask_login import login_user
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select, update

from saas.auth.models import User
from saas.core.extensions import db
from saas.core.tenancy import current_tenant, tenant_scope
from saas.workorders import pricing
from saas.workorders.models import EstimateApproval, Job, JobLine, WorkOrder, WorkOrderEvent
from tests.fixtures.clients import host_client
from tests.workorders_approval.helpers import BRAKES_TOTAL, FILTER_TOTAL, create_work_order, read, work_order_state

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile Safari"


@pytest.fixture
def customer(shop_client):
    """Jane's phone: no account, just the link, on acme's host."""
    client = shop_client("acme")
    client.environ_base["HTTP_USER_AGENT"] = BROWSER
    return client


def answer(work_order, brakes="approved", cabin_filter="declined", name="Jane Q. Customer", **extra):
    form = {"signed_name": name, **extra}
    for job_id, decision in zip(work_order.job_ids, (brakes, cabin_filter), strict=True):
        if decision:
            form[f"job-{job_id}"] = decision
    return form


def approvals(app, work_order):
    return read(
        app, work_order.tenant_id, select(EstimateApproval).where(EstimateApproval.work_order_id == work_order.id)
    )


def events(app, work_order):
    return read(app, work_order.tenant_id, select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == work_order.id))


def test_customer_sees_shop_vehicle_jobs_lines_prices_tax_and_totals(customer, sent_link, work_order):
    response = customer.get(sent_link)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Acme Auto" in page and f"work order #{work_order.number}" in page
    assert "2019 Toyota Corolla (ABC-123)" in page
    assert "Front brake pads" in page and "Brake pad set" in page and "USD 45.99" in page and "USD 91.98" in page
    assert "Tax on labor (8.25 %)" in page and "USD 14.85" in page
    assert "USD 293.27" in page and "USD 65.67" in page and "USD 358.94" in page
    assert f'name="job-{work_order.job_ids[0]}" value="approved"' in page
    assert 'name="signed_name"' in page
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_customer_approves_one_job_declines_another_and_everything_is_recorded_exactly(
    customer, sent_link, work_order, app, outbox
):
    # Amounts sent along with the form are ignored: the server prices the current lines.
    response = customer.post(
        sent_link, data=answer(work_order, approved_total="0.01", declined_total="0", decision="approved")
    )

    assert response.status_code == 302
    thanks = customer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you, Jane Q. Customer" in thanks and "USD 293.27" in thanks
    assert "Send my answer" not in thanks

    [record] = approvals(app, work_order)
    assert record.signed_name == "Jane Q. Customer"
    assert record.ip_address == "127.0.0.1"
    assert record.user_agent == BROWSER
    assert record.estimate_version == 1
    assert record.approved_total == BRAKES_TOTAL
    assert record.declined_total == FILTER_TOTAL
    assert record.decisions == [
        {"job_id": work_order.job_ids[0], "title": "Front brake pads", "decision": "approved", "total": "293.27"},
        {"job_id": work_order.job_ids[1], "title": "Cabin air filter", "decision": "declined", "total": "65.67"},
    ]
    assert work_order_state(app, work_order) | {"sent_at": None} == {
        "status": "approved",
        "version": 1,
        "sent_at": None,
        "jobs": [("Front brake pads", "approved", True), ("Cabin air filter", "declined", True)],
    }
    [event] = events(app, work_order)
    assert (event.from_status, event.to_status, event.user_id) == ("estimate", "approved", None)
    assert event.note == "approved online by Jane Q. Customer"
    assert "Approved: USD 293.27" in outbox.last_to("jane@example.com").get_content()
    assert "answered online by Jane Q. Customer" in outbox.last_to("desk@acme-auto.example.com")["Subject"]


def test_recorded_amounts_match_the_pricing_module(customer, sent_link, work_order, app):
    customer.post(sent_link, data=answer(work_order))

    [record] = approvals(app, work_order)
    with app.test_request_context("/", base_url="http://acme.workbay.test"):
        app.preprocess_request()
        rates, currency = pricing.tax_rates_of(current_tenant), current_tenant.currency
        lines = db.session.scalars(select(JobLine).where(JobLine.job_id == work_order.job_ids[0])).all()
        declined_lines = db.session.scalars(select(JobLine).where(JobLine.job_id == work_order.job_ids[1])).all()
        assert record.approved_total == pricing.totals(lines, rates, currency).total
        assert record.declined_total == pricing.totals(declined_lines, rates, currency).total


def test_staff_see_the_answer_on_the_work_order_page_at_once(customer, sent_link, work_order, app, factory, shop):
    customer.post(sent_link, data=answer(work_order))

    with app.test_request_context("/", base_url="http://acme.workbay.test"):
        app.preprocess_request()
        login_user(db.session.scalar(select(User).where(User.id == factory.owner(shop).id)))
        order = db.session.scalar(select(WorkOrder).where(WorkOrder.id == work_order.id))
        panel = render_template("workorders/approval/_panel.html", work_order=order)
    assert "Answered by the customer" in panel
    assert "Jane Q. Customer" in panel and "USD 293.27" in panel and "USD 65.67" in panel and "127.0.0.1" in panel
    assert "Approved" in panel and "Declined" in panel


@pytest.mark.parametrize("name", ["", "   "])
def test_missing_name_is_refused_and_nothing_is_recorded(customer, sent_link, work_order, app, name):
    response = customer.post(sent_link, data=answer(work_order, name=name))

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "type your full name" in page
    assert 'value="approved" checked' in page  # the choices made are kept
    assert approvals(app, work_order) == []
    assert work_order_state(app, work_order)["jobs"] == [
        ("Front brake pads", "pending", False),
        ("Cabin air filter", "pending", False),
    ]
    assert work_order_state(app, work_order)["status"] == "estimate"


@pytest.mark.parametrize("decision", ["", "maybe"])
def test_every_job_needs_an_approve_or_decline(customer, sent_link, work_order, app, decision):
    response = customer.post(sent_link, data=answer(work_order, cabin_filter=decision))

    assert response.status_code == 400
    assert "Cabin air filter" in response.get_data(as_text=True)
    assert approvals(app, work_order) == []


def test_declining_every_job_keeps_the_work_order_an_estimate(customer, sent_link, work_order, app):
    response = customer.post(sent_link, data=answer(work_order, brakes="declined"))

    assert response.status_code == 302
    [record] = approvals(app, work_order)
    assert record.approved_total == Decimal("0.00")
    assert record.declined_total == BRAKES_TOTAL + FILTER_TOTAL
    assert work_order_state(app, work_order)["status"] == "estimate"
    assert events(app, work_order) == []


def test_a_link_cannot_be_used_to_answer_twice(customer, sent_link, work_order, app):
    customer.post(sent_link, data=answer(work_order))

    second = customer.post(sent_link, data=answer(work_order, brakes="declined", name="Someone Else"))

    assert second.status_code == 409
    assert "already answered" in second.get_data(as_text=True)
    [record] = approvals(app, work_order)
    assert record.signed_name == "Jane Q. Customer"
    assert work_order_state(app, work_order)["jobs"][0][1] == "approved"
    page = customer.get(sent_link).get_data(as_text=True)
    assert "Thank you, Jane Q. Customer" in page and "Send my answer" not in page


def test_expired_link_says_so_with_the_shops_phone_and_email(customer, sent_link, work_order, app, monkeypatch):
    fifteen_days_later = int(time.time()) + 15 * 24 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: fifteen_days_later)

    response = customer.get(sent_link)
    posted = customer.post(sent_link, data=answer(work_order))

    assert response.status_code == 410 and posted.status_code == 410
    page = response.get_data(as_text=True)
    assert "expired" in page and "+15550100" in page and "desk@acme-auto.example.com" in page
    assert approvals(app, work_order) == []


def test_link_age_follows_the_configured_max_age(customer, sent_link, app, monkeypatch):
    monkeypatch.setitem(app.config, "ESTIMATE_LINK_MAX_AGE", 60)
    a_minute_later = int(time.time()) + 61
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: a_minute_later)

    assert customer.get(sent_link).status_code == 410


def test_a_tampered_link_is_not_found(customer, sent_link, work_order, app):
    # One character of the signed payload changed (a middle one: every bit of it counts).
    token_start = sent_link.index("/estimate/") + len("/estimate/")
    position = token_start + 10
    tampered = sent_link[:position] + ("A" if sent_link[position] != "A" else "B") + sent_link[position + 1 :]

    assert customer.get(tampered).status_code == 404
    assert customer.post(tampered, data=answer(work_order)).status_code == 404
    assert customer.get("/estimate/not-a-token").status_code == 404
    assert approvals(app, work_order) == []


def test_link_made_before_a_price_change_says_the_estimate_changed(customer, sent_link, work_order, app):
    with app.test_request_context(), tenant_scope(work_order.tenant_id):
        db.session.execute(update(JobLine).where(JobLine.job_id == work_order.job_ids[0]).values(unit_price=999))
        db.session.execute(update(WorkOrder).where(WorkOrder.id == work_order.id).values(estimate_version=2))
        db.session.commit()

    response = customer.get(sent_link)
    posted = customer.post(sent_link, data=answer(work_order))

    assert response.status_code == 409 and posted.status_code == 409
    assert "estimate has changed" in response.get_data(as_text=True)
    assert "A new estimate will be sent" in response.get_data(as_text=True)
    assert approvals(app, work_order) == []
    assert work_order_state(app, work_order)["status"] == "estimate"


def test_link_of_one_shop_is_not_found_on_another_shops_host(sent_link, work_order, other_shop, shop_client, app):
    bravo = shop_client("bravo")
    path = sent_link.split("workbay.test", 1)[1]

    assert bravo.get(path).status_code == 404
    assert bravo.post(path, data=answer(work_order)).status_code == 404
    assert approvals(app, work_order) == []


@pytest.mark.parametrize("status", ["cancelled", "invoiced"])
def test_cancelled_or_invoiced_work_order_is_read_only(customer, sent_link, work_order, app, status):
    with app.test_request_context(), tenant_scope(work_order.tenant_id):
        db.session.execute(update(WorkOrder).where(WorkOrder.id == work_order.id).values(status=status))
        db.session.commit()

    page = customer.get(sent_link)
    posted = customer.post(sent_link, data=answer(work_order))

    assert page.status_code == 200
    assert "can no longer be changed online" in page.get_data(as_text=True)
    assert "Send my answer" not in page.get_data(as_text=True)
    assert posted.status_code == 409
    assert approvals(app, work_order) == []
    assert {job[1] for job in work_order_state(app, work_order)["jobs"]} == {"pending"}


def test_new_jobs_after_an_answer_are_decided_on_a_new_link(customer, sent_link, work_order, app, owner_client, outbox):
    customer.post(sent_link, data=answer(work_order))
    with app.test_request_context(), tenant_scope(work_order.tenant_id):
        db.session.add(Job(work_order_id=work_order.id, title="Wiper blades", position=5, recommended=True))
        db.session.execute(update(WorkOrder).where(WorkOrder.id == work_order.id).values(estimate_version=2))
        db.session.commit()
    owner_client.post(f"/work-orders/{work_order.id}/estimate/send")
    new_link = outbox.link_in_last_to("jane@example.com")
    wipers = read(app, work_order.tenant_id, select(Job.id).where(Job.title == "Wiper blades"))[0]

    page = customer.get(new_link).get_data(as_text=True)
    response = customer.post(new_link, data={f"job-{wipers}": "approved", "signed_name": "Jane"})

    assert f'name="job-{wipers}"' in page and f'name="job-{work_order.job_ids[0]}"' not in page
    assert response.status_code == 302
    latest = max(approvals(app, work_order), key=lambda record: record.estimate_version)
    assert latest.estimate_version == 2 and [d["title"] for d in latest.decisions] == ["Wiper blades"]
    assert work_order_state(app, work_order)["jobs"][1][1] == "declined"  # earlier answers stay


def test_a_guessed_work_order_id_is_not_a_link(app, shop, customer):
    work_order = create_work_order(app, shop)
    assert customer.get(f"/estimate/{work_order.id}").status_code == 404


def test_the_work_order_page_shows_the_answer_with_no_caching(customer, sent_link, work_order, owner_client):
    before = owner_client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    customer.post(sent_link, data=answer(work_order))

    after = owner_client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)

    assert "Sent, waiting for the customer" in before
    assert "Answered by the customer" in after and "Jane Q. Customer" in after and "USD 293.27" in after


def test_the_customers_form_works_with_csrf_protection_on(make_app, sent_link, work_order, app):
    protected = host_client(make_app(WTF_CSRF_ENABLED=True), "acme.workbay.test")
    page = protected.get(sent_link).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    assert protected.post(sent_link, data=answer(work_order)).status_code == 400  # no token: refused
    assert approvals(app, work_order) == []
    assert protected.post(sent_link, data=answer(work_order, csrf_token=token)).status_code == 302
    assert len(approvals(app, work_order)) == 1
