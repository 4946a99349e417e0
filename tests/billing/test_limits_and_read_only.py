"""Plan limits (seats, online booking) and read-only mode, enforced centrally with a friendly page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from saas.auth.models import Invitation
from saas.auth.roles import Role
from saas.billing.trial import send_due_trial_reminder
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.core.tenant import Tenant
from saas.customers.models import Customer
from tests.factories import log_in


def count_in(app, tenant_id, model) -> int:
    with app.test_request_context(), tenant_scope(tenant_id):
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_seat_limit_blocks_an_invitation_with_an_upgrade_link(app, factory, billing, alpha, alpha_owner, outbox):
    billing.set_plan(alpha.id, "starter")  # 3 seats
    factory.user(alpha, Role.TECHNICIAN)
    assert (
        alpha_owner.post("/staff/invite", data={"email": "third@example.com", "role": "technician"}).status_code == 302
    )

    response = alpha_owner.post("/staff/invite", data={"email": "fourth@example.com", "role": "technician"})

    page = response.get_data(as_text=True)
    assert response.status_code == 402
    assert "Starter plan includes 3 staff seats" in page
    assert 'href="/billing/#plans"' in page and "Upgrade to Pro" in page
    assert count_in(app, alpha.id, Invitation) == 1
    assert [m["To"] for m in outbox.messages] == ["third@example.com"]


def test_a_manager_hitting_the_seat_limit_is_asked_to_see_the_owner(factory, shop_client, billing, alpha):
    billing.set_plan(alpha.id, "starter")
    manager = factory.user(alpha, Role.MANAGER)
    factory.user(alpha, Role.TECHNICIAN)
    client = shop_client("alpha")
    log_in(client, manager.email)

    response = client.post("/staff/invite", data={"email": "x@example.com", "role": "technician"})

    assert response.status_code == 402
    assert "Ask the shop's owner to upgrade" in response.get_data(as_text=True)


def test_online_booking_is_closed_on_a_plan_without_it(shop_client, billing, alpha, bravo):
    billing.set_plan(alpha.id, "starter")

    closed = shop_client("alpha").get("/book")
    open_ = shop_client("bravo").get("/book")  # trial: Pro's limits

    assert closed.status_code == 404 and "does not take bookings online" in closed.get_data(as_text=True)
    assert open_.status_code == 200


def test_a_shop_whose_trial_ended_reads_and_exports_but_cannot_create(app, factory, billing, alpha, alpha_owner):
    customer = factory.customer(alpha, "Existing Customer")
    billing.end_trial(alpha.id)

    listing = alpha_owner.get("/customers")
    export = alpha_owner.get(f"/customers/{customer.id}/export")
    refused = alpha_owner.post("/customers/new", data={"name": "New Customer"})

    assert listing.status_code == 200 and "Existing Customer" in listing.get_data(as_text=True)
    assert "Your free trial has ended" in listing.get_data(as_text=True)
    assert export.status_code == 200
    page = refused.get_data(as_text=True)
    assert refused.status_code == 402
    assert "Your shop is read-only for now" in page and 'href="/billing/"' in page
    assert count_in(app, alpha.id, Customer) == 1
    # Paying and logging out still work.
    assert alpha_owner.get("/billing/").status_code == 200
    assert alpha_owner.post("/logout").status_code == 302


def test_read_only_is_per_shop(app, billing, alpha, bravo, shop_client):
    billing.end_trial(alpha.id)
    client = shop_client("bravo")
    log_in(client, "owner@bravo.example.com")

    assert client.post("/customers/new", data={"name": "Bravo's"}).status_code == 302
    assert count_in(app, bravo.id, Customer) == 1


def test_trial_reminder_is_mailed_once_before_the_end_and_the_shop_turns_read_only_after(app, alpha, outbox):
    def run(now):
        with app.test_request_context(), tenant_scope(alpha.id):
            result = send_due_trial_reminder(now)
            db.session.commit()
            return result

    with app.test_request_context(), tenant_scope(alpha.id):
        ends = db.session.get(Tenant, alpha.id).trial_ends_at

    assert run(ends - timedelta(days=10)) == "not yet"
    assert run(ends - timedelta(days=2)) == "reminder sent"
    assert run(ends - timedelta(days=1)) == "already reminded"
    assert [m["Subject"] for m in outbox.messages] == ["Your Workbay trial ends soon"]
    assert "read-only" in outbox.last_to("owner@alpha.example.com").get_content()
    assert run(ends + timedelta(minutes=1)) == "trial ended: read-only"
    with app.test_request_context(), tenant_scope(alpha.id):
        assert db.session.get(Tenant, alpha.id).status == "read_only"


def test_a_platform_admin_sets_a_shops_plan_and_status(factory, admin_client, billing, alpha, app):
    admin = factory.platform_admin()
    log_in(admin_client, admin.email)
    assert "Trial plan" in admin_client.get("/").get_data(as_text=True)

    reason = {"plan-reason": "Agreed on the phone with the owner", "plan-confirm": "y"}
    response = admin_client.post(f"/shops/{alpha.id}/plan", data={"plan-plan": "enterprise", **reason})
    bad = admin_client.post(f"/shops/{alpha.id}/plan", data={"plan-plan": "gold", **reason})

    assert response.status_code == 303 and bad.status_code == 400
    state = billing.subscription(alpha.id)
    assert (state["plan"], state["tenant_status"]) == ("enterprise", "active")


def test_the_trial_end_uses_the_current_time(app, alpha):
    with app.test_request_context(), tenant_scope(alpha.id):
        assert send_due_trial_reminder(utcnow()) == "not yet"


def start_an_inspection(app, shop) -> None:
    """Start an inspection on a new work order of `shop` through the services."""
    from saas.customers.services import save_customer
    from saas.inspections.services import create_template, start_inspection
    from saas.workorders.services import create_work_order

    with app.test_request_context(), tenant_scope(shop.id):
        customer = save_customer(None, name="Ina Spect", email=None, phone=None, notes="")
        work_order = create_work_order(customer_id=customer.id)
        start_inspection(work_order, create_template("Brakes", "Pads\nRotors"))
        db.session.commit()


def test_inspections_need_a_plan_that_includes_them(app, billing, alpha, bravo):
    from saas.billing.errors import PlanLimitError

    billing.set_plan(alpha.id, "starter")
    billing.set_plan(bravo.id, "pro")

    with pytest.raises(PlanLimitError, match="Digital inspections is not part of your Starter plan"):
        start_an_inspection(app, alpha)
    start_an_inspection(app, bravo)


def test_document_storage_follows_the_plan_capped_by_the_platform_limit(app, billing, alpha):
    from saas.billing.plans import GB
    from saas.documents.services import storage_quota_bytes

    billing.set_plan(alpha.id, "starter")
    platform_limit = app.config["DOCUMENT_QUOTA_BYTES"]
    try:
        with app.test_request_context():
            tenant = db.session.get(Tenant, alpha.id)
            app.config["DOCUMENT_QUOTA_BYTES"] = None
            assert storage_quota_bytes(tenant) == 1 * GB
            app.config["DOCUMENT_QUOTA_BYTES"] = 5 * 1024 * 1024
            assert storage_quota_bytes(tenant) == 5 * 1024 * 1024
    finally:
        app.config["DOCUMENT_QUOTA_BYTES"] = platform_limit
