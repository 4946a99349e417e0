"""The console's page of one shop: plan and billing, usage, staff, open privacy requests; only that shop's."""

from __future__ import annotations

from datetime import timedelta

from saas.billing.models import StripeEvent
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import cross_tenant_scope
from tests.platform.helpers import audit_entries
from tests.platform.test_shops_list import subscribe
from tests.privacy.center_helpers import make_request


def record_event(app, shop_id: int, event_id: str, kind: str, minutes_ago: int) -> None:
    with app.app_context(), cross_tenant_scope("test"):
        db.session.add(
            StripeEvent(
                id=event_id,
                type=kind,
                stripe_created=0,
                shop_id=shop_id,
                outcome="applied",
                received_at=utcnow() - timedelta(minutes=minutes_ago),
            )
        )
        db.session.commit()


def test_the_page_shows_plan_stripe_ids_and_the_last_billing_events(console, app, shop, other_shop):
    subscribe(
        app, shop.id, plan="pro", status="active", stripe_customer_id="cus_acme", stripe_subscription_id="sub_acme"
    )
    record_event(app, shop.id, "evt_old", "invoice.paid", 60)
    record_event(app, shop.id, "evt_new", "customer.subscription.updated", 5)
    record_event(app, other_shop.id, "evt_bravo", "invoice.payment_failed", 1)

    page = console.get(f"/shops/{shop.id}").get_data(as_text=True)

    assert "cus_acme" in page and "sub_acme" in page and "Pro" in page
    assert page.index("customer.subscription.updated") < page.index("invoice.paid")
    assert "invoice.payment_failed" not in page


def test_the_page_counts_only_this_shops_records_and_lists_its_staff(console, factory, shop, other_shop):
    factory.customer(shop, name="Ada")
    factory.customer(shop, name="Grace")
    factory.customer(other_shop, name="Linus")
    factory.user(shop, name="Theo Tech")

    page = console.get(f"/shops/{shop.id}").get_data(as_text=True)

    assert "<dt>Customers</dt><dd>2</dd>" in page
    assert "Theo Tech" in page and "owner@acme.example.com" in page
    assert "owner@bravo.example.com" not in page


def test_the_page_lists_open_privacy_requests_with_their_due_dates(console, app, shop, other_shop):
    make_request(app, shop, "erasure", "ada@example.com")
    make_request(app, shop, "access", "late@example.com", when=utcnow() - timedelta(days=28))
    make_request(app, shop, "access", "unconfirmed@example.com", verify=False)
    make_request(app, other_shop, "access", "someone@example.com")

    page = console.get(f"/shops/{shop.id}").get_data(as_text=True)

    assert page.count("<td>#") == 2
    assert "due soon" in page  # the one received 28 days ago


def test_the_page_of_an_unknown_shop_is_404(console, shop):
    assert console.get("/shops/999999").status_code == 404
    assert console.get("/shops/99999999999999999999").status_code == 404


def test_opening_a_shops_page_is_audited(console, app, shop):
    console.get(f"/shops/{shop.id}")

    [entry] = audit_entries(app, "shops.view")
    assert entry.shop_id == shop.id


def test_the_page_runs_the_same_number_of_queries_for_3_and_30_staff(console, factory, shop, count_queries):
    def queries() -> int:
        with count_queries() as counter:
            assert console.get(f"/shops/{shop.id}").status_code == 200
        return counter.count

    for _ in range(2):
        factory.user(shop)
    few = queries()
    for _ in range(27):
        factory.user(shop)

    assert queries() == few


def test_the_pages_trail_lists_actions_not_the_views_of_the_page(console, shop):
    for _ in range(3):
        console.get(f"/shops/{shop.id}")

    page = console.get(f"/shops/{shop.id}").get_data(as_text=True)

    assert "shops.view" not in page and "Nothing yet." in page
