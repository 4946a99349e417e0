"""The Stripe webhook: signed, once per event, order-tolerant, routed to the right shop only."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from saas.core.db import utcnow
from tests.billing.helpers import invoice_object, make_event, sign, subscription_object


def test_a_bad_or_missing_signature_is_refused_with_400_and_changes_nothing(deliver, billing, alpha):
    billing.link(alpha.id, "cus_alpha")
    event = make_event("customer.subscription.updated", subscription_object("active"))
    payload = json.dumps(event)

    assert deliver(event, signature=sign(payload, secret="whsec_wrong")).status_code == 400
    assert deliver(event, signature="").status_code == 400
    assert deliver(event, signature=sign(payload, timestamp=int(time.time()) - 3600)).status_code == 400
    tampered = dict(event, data={"object": subscription_object("canceled")})
    assert deliver(tampered, signature=sign(payload)).status_code == 400

    assert billing.events() == []
    assert billing.subscription(alpha.id)["status"] == "none"


def test_the_same_event_delivered_five_times_has_one_effect(deliver, billing, alpha, outbox):
    billing.link(alpha.id, "cus_alpha", stripe_subscription_id="sub_alpha", status="active")
    event = make_event("invoice.payment_failed", invoice_object())

    responses = [deliver(event) for _ in range(5)]

    assert [r.status_code for r in responses] == [200] * 5
    assert responses[-1].get_json()["outcome"].startswith("duplicate")
    assert len(billing.events()) == 1
    assert [m["To"] for m in outbox.messages] == ["owner@alpha.example.com"]
    assert "payment failed" in outbox.messages[0]["Subject"]
    assert billing.subscription(alpha.id)["status"] == "past_due"


def test_an_update_arriving_before_its_create_leaves_the_newer_state(deliver, billing, alpha):
    billing.link(alpha.id, "cus_alpha")
    now = int(time.time())
    updated = make_event("customer.subscription.updated", subscription_object("active"), created=now)
    created = make_event("customer.subscription.created", subscription_object("incomplete"), created=now - 5)

    assert deliver(updated).status_code == 200
    assert deliver(created).get_json()["outcome"].startswith("stale")

    state = billing.subscription(alpha.id)
    assert (state["status"], state["plan"], state["interval"], state["subscription"]) == (
        "active",
        "pro",
        "month",
        "sub_alpha",
    )
    assert state["tenant_status"] == "active"


def test_an_old_event_arriving_after_a_new_one_cannot_roll_the_state_back(deliver, billing, alpha):
    billing.link(alpha.id, "cus_alpha")
    now = int(time.time())
    deliver(make_event("customer.subscription.created", subscription_object("active"), created=now - 100))
    deliver(make_event("customer.subscription.deleted", subscription_object("canceled"), created=now))
    deliver(make_event("customer.subscription.updated", subscription_object("active"), created=now - 50))

    assert billing.subscription(alpha.id)["status"] == "canceled"
    assert billing.subscription(alpha.id)["tenant_status"] == "canceled"


def test_payment_failure_grace_read_only_and_payment_bring_the_shop_back(deliver, billing, alpha, alpha_owner):
    billing.link(alpha.id, "cus_alpha")
    start = int((utcnow() - timedelta(days=12)).timestamp())
    deliver(make_event("customer.subscription.created", subscription_object("active"), created=start))

    # The payment fails: past due, but within the grace period the shop keeps working, with a banner.
    failed_at = int((utcnow() - timedelta(days=2)).timestamp())
    deliver(make_event("invoice.payment_failed", invoice_object(), created=failed_at))
    assert billing.subscription(alpha.id)["status"] == "past_due"
    assert "update your card" in alpha_owner.get("/customers").get_data(as_text=True)
    assert alpha_owner.post("/customers/new", data={"name": "During grace"}).status_code == 302

    # Stripe retries and the subscription stays past due; the grace period (7 days) passes.
    later = make_event("customer.subscription.updated", subscription_object("past_due"), created=failed_at + 60)
    deliver(later)
    billing.set_past_due_since(alpha.id, utcnow() - timedelta(days=8))
    refused = alpha_owner.post("/customers/new", data={"name": "After grace"})
    assert refused.status_code == 402
    assert "payment is overdue" in refused.get_data(as_text=True)

    # The owner pays: active again, writes allowed.
    deliver(make_event("invoice.paid", invoice_object()))
    state = billing.subscription(alpha.id)
    assert (state["status"], state["past_due_since"], state["tenant_status"]) == ("active", None, "active")
    assert alpha_owner.post("/customers/new", data={"name": "Paid up"}).status_code == 302


def test_an_event_for_another_shops_customer_never_touches_this_shop(deliver, billing, alpha, bravo):
    billing.link(alpha.id, "cus_alpha")
    billing.link(bravo.id, "cus_bravo")

    deliver(make_event("customer.subscription.created", subscription_object("canceled", customer="cus_bravo",
                                                                             sub_id="sub_bravo")))  # fmt: skip

    assert billing.subscription(alpha.id)["status"] == "none"
    assert billing.subscription(alpha.id)["tenant_status"] == "trialing"
    assert billing.subscription(bravo.id)["status"] == "canceled"


def test_unknown_events_and_unknown_customers_are_acknowledged_and_ignored(deliver, billing, alpha):
    billing.link(alpha.id, "cus_alpha")

    unknown_type = deliver(make_event("customer.tax_id.created", {"id": "txi_1", "customer": "cus_alpha"}))
    stranger = deliver(make_event("customer.subscription.updated", subscription_object(customer="cus_stranger")))

    assert unknown_type.status_code == 200 and unknown_type.get_json()["outcome"].startswith("ignored")
    assert stranger.status_code == 200 and "belongs to no shop" in stranger.get_json()["outcome"]
    assert billing.subscription(alpha.id)["status"] == "none"


def test_checkout_completion_links_only_a_session_this_shop_created(deliver, billing, alpha, bravo):
    billing.link(alpha.id, "cus_alpha", checkout_session_id="cs_alpha")
    session = {"id": "cs_alpha", "object": "checkout.session", "customer": "cus_alpha", "subscription": "sub_alpha"}

    forged = deliver(make_event("checkout.session.completed", dict(session, id="cs_other")))
    wrong_reference = deliver(
        make_event("checkout.session.completed", dict(session, client_reference_id=str(bravo.id)))
    )
    assert "not created by this shop" in forged.get_json()["outcome"]
    assert "not created by this shop" in wrong_reference.get_json()["outcome"]
    assert billing.subscription(alpha.id)["subscription"] is None

    deliver(make_event("checkout.session.completed", dict(session, client_reference_id=str(alpha.id))))
    state = billing.subscription(alpha.id)
    assert (state["subscription"], state["checkout_session"]) == ("sub_alpha", None)


def test_a_payment_needing_confirmation_offers_the_page_to_finish_paying(deliver, billing, alpha, alpha_owner, outbox):
    billing.link(alpha.id, "cus_alpha")
    deliver(make_event("customer.subscription.created", subscription_object("incomplete")))
    deliver(make_event("invoice.payment_action_required", invoice_object()))

    page = alpha_owner.get("/billing/").get_data(as_text=True)
    assert "Finish your payment" in page and "https://invoice.stripe.test/in_1" in page
    assert "https://invoice.stripe.test/in_1" in outbox.last_to("owner@alpha.example.com").get_content()


def test_a_shops_transaction_sees_no_webhook_events_and_only_its_own_customer_link(app, deliver, billing, alpha, bravo):
    from sqlalchemy import text

    from saas.core.extensions import db
    from saas.core.tenancy import tenant_scope

    billing.link(alpha.id, "cus_alpha")
    billing.link(bravo.id, "cus_bravo")
    deliver(make_event("customer.subscription.created", subscription_object("active")))

    with app.test_request_context(), tenant_scope(alpha.id):
        events = db.session.execute(text("SELECT count(*) FROM stripe_events")).scalar()
        links = db.session.execute(text("SELECT stripe_customer_id FROM stripe_customers")).scalars().all()
    assert (events, links) == (0, ["cus_alpha"])
    assert len(billing.events()) == 1
