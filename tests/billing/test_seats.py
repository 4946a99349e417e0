"""Per-seat plans: inviting or removing staff brings the Stripe subscription's quantity in line."""

from sqlalchemy import text

from saas.auth.roles import Role
from saas.billing.seats import sync_seats
from saas.core.extensions import db
from tests.billing.helpers import subscription_object


def queued_seat_jobs(app) -> list[dict]:
    """The seat-sync jobs waiting in the queue (read as the worker does, with no shop active)."""
    with app.test_request_context():
        return list(
            db.session.scalars(
                text("SELECT args FROM procrastinate.procrastinate_jobs WHERE task_name = 'billing.sync_seats'")
            )
        )


def test_inviting_staff_on_a_per_seat_plan_queues_a_seat_update(app, billing, alpha, alpha_owner, stripe_api):
    billing.link(alpha.id, "cus_alpha", status="active", plan="enterprise", stripe_subscription_id="sub_alpha")

    response = alpha_owner.post("/staff/invite", data={"email": "new@alpha.example.com", "role": Role.TECHNICIAN})

    assert response.status_code == 302
    assert queued_seat_jobs(app) == [{"tenant_id": alpha.id}]


def test_a_flat_plan_or_billing_off_queues_nothing(app, billing, alpha, bravo, alpha_owner, shop_client, stripe_api):
    billing.link(alpha.id, "cus_alpha", status="active", plan="pro", stripe_subscription_id="sub_alpha")

    alpha_owner.post("/staff/invite", data={"email": "new@alpha.example.com", "role": Role.TECHNICIAN})

    assert queued_seat_jobs(app) == []


def test_the_seat_job_sets_the_quantity_to_the_seats_in_use(app, billing, alpha, alpha_owner, stripe_api):
    billing.link(alpha.id, "cus_alpha", status="active", plan="enterprise", stripe_subscription_id="sub_alpha")
    alpha_owner.post("/staff/invite", data={"email": "new@alpha.example.com", "role": Role.TECHNICIAN})
    current = subscription_object(price="price_enterprise_month", quantity=1)
    stripe_api.expect_request("/v1/subscriptions/sub_alpha", method="GET").respond_with_json(current)
    updated = subscription_object(price="price_enterprise_month", quantity=2)
    stripe_api.expect_request("/v1/subscriptions/sub_alpha", method="POST").respond_with_json(updated)

    with app.test_request_context():
        assert sync_seats(alpha.id) == 2  # the owner and the open invitation
        db.session.commit()

    posted = [request for request, _ in stripe_api.log if request.method == "POST"]
    assert len(posted) == 1
    assert "items[0][quantity]=2" in posted[0].get_data(as_text=True).replace("%5B", "[").replace("%5D", "]")
    assert billing.subscription(alpha.id)["quantity"] == 2
