"""Staff e-mail the estimate: a signed, expiring link on the shop's host; the rules for sending."""

from __future__ import annotations

import re

from flask import render_template
from flask_login import login_user
from sqlalchemy import select

from saas.auth.models import User
from saas.auth.roles import Role
from saas.core.extensions import db
from saas.workorders.models import WorkOrder
from tests.factories import log_in
from tests.workorders_approval.helpers import create_work_order, work_order_state


def test_staff_sends_the_estimate_and_the_customer_gets_a_link_on_the_shops_host(owner_client, work_order, outbox, app):
    response = owner_client.post(f"/work-orders/{work_order.id}/estimate/send")

    assert response.status_code == 302
    message = outbox.last_to("jane@example.com")
    body = message.get_content()
    assert f"work order #{work_order.number}" in message["Subject"]
    assert "Acme Auto" in message["Subject"]
    assert re.search(r"http://acme\.workbay\.test/estimate/\S+", body)
    assert "Front brake pads: USD 293.27" in body and "Cabin air filter: USD 65.67" in body
    assert "USD 358.94" in body and "14 days" in body
    assert work_order_state(app, work_order)["sent_at"] is not None
    page = owner_client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Estimate sent to jane@example.com" in page


def test_sending_again_makes_a_fresh_link_and_both_work(owner_client, work_order, outbox, shop_client):
    owner_client.post(f"/work-orders/{work_order.id}/estimate/send")
    first = outbox.link_in_last_to("jane@example.com")
    owner_client.post(f"/work-orders/{work_order.id}/estimate/send")
    second = outbox.link_in_last_to("jane@example.com")

    assert first != second
    customer = shop_client("acme")
    assert customer.get(first).status_code == 200
    assert customer.get(second).status_code == 200


def test_estimate_is_not_sent_to_a_customer_without_email(owner_client, app, shop, outbox):
    work_order = create_work_order(app, shop, email=None)

    response = owner_client.post(f"/work-orders/{work_order.id}/estimate/send")

    assert response.status_code == 400
    assert "Add an e-mail address" in response.get_data(as_text=True)
    assert outbox.messages == []
    assert work_order_state(app, work_order)["sent_at"] is None


def test_estimate_without_jobs_is_not_sent(owner_client, app, shop, outbox):
    work_order = create_work_order(app, shop, jobs=())

    response = owner_client.post(f"/work-orders/{work_order.id}/estimate/send")

    assert response.status_code == 400
    assert "Add at least one job" in response.get_data(as_text=True)
    assert outbox.messages == []


def test_estimate_of_a_cancelled_work_order_is_not_sent(owner_client, app, shop, outbox):
    work_order = create_work_order(app, shop, status="cancelled")

    response = owner_client.post(f"/work-orders/{work_order.id}/estimate/send")

    assert response.status_code == 409
    assert outbox.messages == []


def test_technician_may_not_send_estimates(factory, shop, shop_client, work_order, outbox):
    client = shop_client("acme")
    log_in(client, factory.user(shop, Role.TECHNICIAN).email)

    assert client.post(f"/work-orders/{work_order.id}/estimate/send").status_code == 403
    assert outbox.messages == []


def test_sending_requires_login(shop_client, work_order):
    response = shop_client("acme").post(f"/work-orders/{work_order.id}/estimate/send")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_staff_of_another_shop_gets_404_sending_its_estimate_and_it_stays_unsent(owner_client, app, other_shop, outbox):
    bravo_order = create_work_order(app, other_shop, email="bob@example.com")
    before = work_order_state(app, bravo_order)

    response = owner_client.post(f"/work-orders/{bravo_order.id}/estimate/send", data={"work_order_id": bravo_order.id})

    assert response.status_code == 404
    assert outbox.messages == []
    assert work_order_state(app, bravo_order) == before


def test_next_field_cannot_redirect_elsewhere(owner_client, work_order):
    response = owner_client.post(
        f"/work-orders/{work_order.id}/estimate/send", data={"next": "https://evil.example.com/"}
    )

    assert response.status_code == 302
    assert "evil.example.com" not in response.headers["Location"]


def render_panel(app, factory, shop, work_order_id: int) -> str:
    """The panel as the work order page includes it, for acme's owner."""
    with app.test_request_context("/", base_url="http://acme.workbay.test"):
        app.preprocess_request()
        owner = db.session.scalar(select(User).where(User.id == factory.owner(shop).id))
        login_user(owner)
        work_order = db.session.scalar(select(WorkOrder).where(WorkOrder.id == work_order_id))
        return render_template("workorders/approval/_panel.html", work_order=work_order)


def test_panel_offers_to_send_and_shows_each_jobs_decision(app, factory, shop, work_order):
    panel = render_panel(app, factory, shop, work_order.id)

    assert "Not sent yet" in panel
    assert f'action="/work-orders/{work_order.id}/estimate/send"' in panel
    assert ">Send estimate<" in panel
    assert "Front brake pads" in panel and "Cabin air filter" in panel and "Pending" in panel


def test_panel_explains_why_an_estimate_cannot_be_sent(app, factory, shop):
    work_order = create_work_order(app, shop, email=None)

    panel = render_panel(app, factory, shop, work_order.id)

    assert "disabled" in panel and "Add an e-mail address" in panel


def test_estimate_is_not_sent_again_when_every_job_is_answered(owner_client, app, shop, outbox, factory):
    work_order = create_work_order(app, shop, declined=True)

    response = owner_client.post(f"/work-orders/{work_order.id}/estimate/send")

    assert response.status_code == 409
    assert "answered every job" in response.get_data(as_text=True)
    assert outbox.messages == []
    assert "answered every job" in render_panel(app, factory, shop, work_order.id)
