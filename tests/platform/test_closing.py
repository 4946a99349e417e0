"""Closing a shop from the console: its owners are warned by mail and it turns read-only; it can be restored
during the grace period; afterwards a job cancels its Stripe subscription and deletes every row of every shop
table and every stored object of that shop, and nothing of a second shop (checked table by table)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from saas.billing.models import StripeCustomer, StripeEvent, Subscription
from saas.billing.stripe_gateway import StripeUnavailable
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import cross_tenant_scope, tenant_scope
from saas.core.tenant import Tenant
from saas.platform.tasks import fan_out_closed_shop_purge, purge_closed_shop
from tests.billing.helpers import stripe_settings, subscription_object
from tests.factories import log_in
from tests.fixtures.clients import host_client
from tests.fixtures.database import snapshot
from tests.fixtures.pages import field_errors, flashes
from tests.fixtures.shops import update_shop
from tests.fixtures.storage import stored_files
from tests.platform.helpers import audit_entries
from tests.privacy.customer_history import customer_with_history
from tests.shopdata.helpers import run_jobs

REASON = "The owner asked us to close the shop, ticket 4711"


def closing(subdomain: str = "acme", **fields) -> dict:
    """The close form as the console sends it."""
    return {"close-reason": REASON, "close-confirm": "y", "close-subdomain": subdomain, **fields}


def restoring() -> dict:
    return {"restore-reason": "They paid and want to stay", "restore-confirm": "y"}


def tenant_of(app, tenant_id: int) -> Tenant | None:
    with app.app_context(), cross_tenant_scope("test"):
        tenant = db.session.get(Tenant, tenant_id)
        if tenant is not None:
            db.session.expunge(tenant)
        return tenant


def past_due(app, tenant_id: int) -> None:
    """The grace period is over: the deletion date moved into the past (rather than waiting 30 days)."""
    update_shop(app, tenant_id, deletion_due_at=utcnow() - timedelta(minutes=5))


@pytest.fixture
def two_shops_with_data(app, shop, other_shop, owner_client):
    """Acme and bravo each with a customer's history (documents stored), a Stripe link and a billing event;
    acme also with an export of everything (its archive stored)."""
    for tenant, name in ((shop, "Jane Erasable"), (other_shop, "Oscar Other")):
        customer_with_history(app, tenant.id, name=name, email=f"{tenant.subdomain}@example.com")
        with app.test_request_context(), tenant_scope(tenant.id):
            db.session.add(StripeCustomer(stripe_customer_id=f"cus_{tenant.subdomain}", shop_id=tenant.id))
            db.session.add(
                Subscription(
                    stripe_customer_id=f"cus_{tenant.subdomain}",
                    stripe_subscription_id=f"sub_{tenant.subdomain}",
                    status="active",
                    plan="pro",
                    quantity=1,
                    state_at=0,
                    cancel_at_period_end=False,
                )
            )
            db.session.commit()
        with app.test_request_context(), cross_tenant_scope("test"):
            db.session.add(
                StripeEvent(id=f"evt_{tenant.subdomain}", type="invoice.paid", stripe_created=1, shop_id=tenant.id)
            )
            db.session.commit()
    assert owner_client.post("/shop-export").status_code == 303
    run_jobs(app)
    return shop, other_shop


@pytest.fixture
def support_console(app, factory):
    """The console as a support-role admin (a client of its own, beside `console`)."""
    support = factory.platform_admin("help@workbay.example.com", role="support")
    client = host_client(app, f"admin.{app.config['SERVER_NAME']}")
    log_in(client, support.email)
    return client


# --- closing and restoring ------------------------------------------------------------------


def test_closing_mails_the_owners_makes_the_shop_read_only_and_is_audited(
    app, console, admin, shop, owner_client, outbox
):
    started = utcnow()

    response = console.post(f"/shops/{shop.id}/close", data=closing())

    assert response.status_code == 303
    due = tenant_of(app, shop.id).deletion_due_at
    assert started + timedelta(days=30) <= due <= utcnow() + timedelta(days=30)
    mail = outbox.last_to("owner@acme.example.com")
    body = mail.get_content()
    assert "closing" in mail["Subject"]
    assert f"{due:%d %b %Y}" in body
    assert "http://acme.workbay.test/settings#shop-export" in body  # how to export everything first
    assert app.config["SUPPORT_EMAIL"] in body
    [entry] = audit_entries(app, "shops.close")
    assert (entry.admin_id, entry.shop_id, entry.reason) == (admin.id, shop.id, REASON)
    assert entry.before["deletion_due_at"] is None and entry.after["deletion_due_at"] is not None
    refused = owner_client.post("/customers/new", data={"name": "New customer"})
    assert refused.status_code == 402 and "This shop is closing" in refused.get_data(as_text=True)
    page = console.get(f"/shops/{shop.id}").get_data(as_text=True)
    assert "Restore the shop" in page and REASON in page and "shops.close" in page


def test_the_grace_period_follows_the_setting(app, console, shop, monkeypatch):
    monkeypatch.setitem(app.config, "SHOP_CLOSURE_GRACE_DAYS", 3)

    console.post(f"/shops/{shop.id}/close", data=closing())

    assert timedelta(days=2, hours=23) < tenant_of(app, shop.id).deletion_due_at - utcnow() <= timedelta(days=3)


def test_restoring_during_the_grace_period_gives_the_shop_back_and_mails_the_owners(
    app, console, shop, owner_client, outbox
):
    console.post(f"/shops/{shop.id}/close", data=closing())

    response = console.post(f"/shops/{shop.id}/restore", data=restoring())

    assert response.status_code == 303
    assert tenant_of(app, shop.id).deletion_due_at is None
    assert "stays open" in outbox.last_to("owner@acme.example.com")["Subject"]
    [entry] = audit_entries(app, "shops.restore")
    assert entry.before["deletion_due_at"] is not None and entry.after["deletion_due_at"] is None
    assert entry.reason == "They paid and want to stay"
    assert owner_client.post("/customers/new", data={"name": "New customer"}).status_code == 302


def test_a_closing_shop_cannot_be_closed_again(app, console, shop):
    console.post(f"/shops/{shop.id}/close", data=closing())
    due = tenant_of(app, shop.id).deletion_due_at

    response = console.post(f"/shops/{shop.id}/close", data=closing())

    assert response.status_code == 409
    assert any("closing already" in message for message in flashes(response))
    assert tenant_of(app, shop.id).deletion_due_at == due
    assert len(audit_entries(app, "shops.close")) == 1


def test_a_shop_that_is_not_closing_cannot_be_restored(app, console, shop, outbox):
    response = console.post(f"/shops/{shop.id}/restore", data=restoring())

    assert response.status_code == 409
    assert any("not closing" in message for message in flashes(response))
    assert audit_entries(app, "shops.restore") == [] and outbox.messages == []


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"close-reason": ""}, "Say why"),
        ({"close-reason": "too short"}, "Write between 10 and 500 characters."),
        ({"close-confirm": ""}, "Tick the box to confirm."),
        ({"close-subdomain": "bravo"}, "That is not this shop's subdomain"),
        ({"close-subdomain": ""}, "Type the shop's subdomain to confirm."),
    ],
    ids=["no reason", "short reason", "not confirmed", "wrong subdomain", "no subdomain"],
)
def test_a_forged_close_form_is_refused_with_its_message_and_changes_nothing(
    app, console, shop, other_shop, outbox, form, message
):
    data = {key: value for key, value in closing(**form).items() if value != ""}

    response = console.post(f"/shops/{shop.id}/close", data=data)

    assert response.status_code == 400
    assert any(error.startswith(message) for error in field_errors(response)), field_errors(response)
    assert tenant_of(app, shop.id).deletion_due_at is None
    assert audit_entries(app, "shops.close") == [] and outbox.messages == []


def test_a_forged_restore_form_is_refused(app, console, shop):
    console.post(f"/shops/{shop.id}/close", data=closing())

    response = console.post(f"/shops/{shop.id}/restore", data={"restore-reason": "They paid and want to stay"})

    assert response.status_code == 400 and "Tick the box to confirm." in field_errors(response)
    assert tenant_of(app, shop.id).deletion_due_at is not None


def test_support_admins_may_neither_close_nor_restore(app, support_console, shop):
    assert support_console.post(f"/shops/{shop.id}/close", data=closing()).status_code == 403
    update_shop(app, shop.id, deletion_due_at=utcnow() + timedelta(days=10))
    assert support_console.post(f"/shops/{shop.id}/restore", data=restoring()).status_code == 403
    assert tenant_of(app, shop.id).deletion_due_at is not None
    page = support_console.get(f"/shops/{shop.id}").get_data(as_text=True)
    assert "Closing" in page and "Restore the shop" not in page and "Close the shop</button>" not in page


def test_an_unknown_shop_is_a_404(console):
    assert console.post("/shops/999999/close", data=closing()).status_code == 404
    assert console.post("/shops/999999/restore", data=restoring()).status_code == 404


# --- the deletion after the grace period -------------------------------------------------------


def test_after_the_grace_period_every_row_and_object_of_the_shop_goes_and_nothing_of_another(
    app, console, two_shops_with_data, superuser_engine, tenant_tables, storage_dir
):
    acme, bravo = two_shops_with_data
    console.post(f"/shops/{acme.id}/close", data=closing())
    past_due(app, acme.id)
    acme_before = snapshot(superuser_engine, tenant_tables, acme.id)
    bravo_before = snapshot(superuser_engine, tenant_tables, bravo.id)
    files_before = stored_files(storage_dir)
    acme_files = [key for key in files_before if key.startswith(f"tenants/{acme.id}/")]
    assert {key.split("/")[2] for key in acme_files} == {"registration", "shop_exports"}

    with app.app_context():
        assert fan_out_closed_shop_purge() == 1
    run_jobs(app)

    acme_after = snapshot(superuser_engine, tenant_tables, acme.id)
    for table in [*tenant_tables, "tenants"]:
        assert acme_after[table] == [], table
    assert snapshot(superuser_engine, tenant_tables, bravo.id) == bravo_before  # table by table, row by row
    assert stored_files(storage_dir) == [key for key in files_before if key not in acme_files]
    with superuser_engine.connect() as conn:
        customers = dict(conn.execute(text("SELECT stripe_customer_id, shop_id FROM stripe_customers")).all())
        events = dict(conn.execute(text("SELECT id, shop_id FROM stripe_events")).all())
    assert customers == {"cus_bravo": bravo.id}
    assert events == {"evt_acme": None, "evt_bravo": bravo.id}  # the history stays, without the shop
    [entry] = audit_entries(app, "shops.deleted")
    assert entry.shop_id == acme.id and "Shop acme (acme)" in entry.detail
    assert entry.after == {
        "rows": {table: len(rows) for table, rows in acme_before.items() if rows},
        "objects": len(acme_files),
    }
    assert entry.after["rows"]["tenants"] == 1 and entry.after["rows"]["invoices"] == 1


def test_the_deletion_cancels_the_stripe_subscription(app, console, two_shops_with_data, httpserver, monkeypatch):
    acme, _ = two_shops_with_data
    for key, value in stripe_settings(httpserver.url_for("").rstrip("/")).items():
        monkeypatch.setitem(app.config, key, value)
    httpserver.expect_oneshot_request("/v1/subscriptions/sub_acme", method="DELETE").respond_with_json(
        subscription_object("canceled", sub_id="sub_acme", customer="cus_acme")
    )
    console.post(f"/shops/{acme.id}/close", data=closing())
    past_due(app, acme.id)

    with app.app_context():
        assert purge_closed_shop(acme.id).startswith("deleted")

    httpserver.check_assertions()
    assert tenant_of(app, acme.id) is None
    assert "Stripe subscription sub_acme cancelled" in audit_entries(app, "shops.deleted")[0].detail


def test_when_stripe_is_down_nothing_is_deleted_and_the_job_fails_to_run_again(
    app, console, two_shops_with_data, httpserver, monkeypatch, superuser_engine, tenant_tables, storage_dir
):
    acme, _ = two_shops_with_data
    for key, value in stripe_settings(httpserver.url_for("").rstrip("/")).items():
        monkeypatch.setitem(app.config, key, value)
    httpserver.expect_request("/v1/subscriptions/sub_acme", method="DELETE").respond_with_json(
        {"error": {"type": "api_error", "message": "Stripe is having a bad day"}}, status=500
    )
    console.post(f"/shops/{acme.id}/close", data=closing())
    past_due(app, acme.id)
    before, files = snapshot(superuser_engine, tenant_tables, acme.id), stored_files(storage_dir)

    with app.app_context(), pytest.raises(StripeUnavailable):
        purge_closed_shop(acme.id)

    assert snapshot(superuser_engine, tenant_tables, acme.id) == before
    assert stored_files(storage_dir) == files
    assert audit_entries(app, "shops.deleted") == []


def test_with_billing_off_there_is_nothing_to_cancel_and_the_shop_is_deleted(app, console, two_shops_with_data):
    acme, _ = two_shops_with_data
    assert not app.config.get("STRIPE_SECRET_KEY")
    console.post(f"/shops/{acme.id}/close", data=closing())
    past_due(app, acme.id)

    with app.app_context():
        purge_closed_shop(acme.id)

    assert tenant_of(app, acme.id) is None
    assert "Stripe" not in audit_entries(app, "shops.deleted")[0].detail


def test_a_shop_restored_after_its_job_was_queued_is_left_alone(
    app, console, two_shops_with_data, superuser_engine, tenant_tables
):
    acme, _ = two_shops_with_data
    console.post(f"/shops/{acme.id}/close", data=closing())
    past_due(app, acme.id)
    with app.app_context():
        assert fan_out_closed_shop_purge() == 1  # its job is waiting
    console.post(f"/shops/{acme.id}/restore", data=restoring())
    before = snapshot(superuser_engine, tenant_tables, acme.id)

    run_jobs(app)

    assert snapshot(superuser_engine, tenant_tables, acme.id) == before
    assert audit_entries(app, "shops.deleted") == []


def test_a_shop_still_in_its_grace_period_is_not_listed_for_deletion(app, console, shop, other_shop):
    console.post(f"/shops/{shop.id}/close", data=closing())
    update_shop(app, other_shop.id, suspended_at=utcnow(), deletion_due_at=utcnow() - timedelta(days=1))

    with app.app_context():
        assert fan_out_closed_shop_purge() == 1  # bravo only: due, and suspended shops are not spared


def test_platform_tables_that_point_at_a_shop_never_block_its_deletion(superuser_engine, tenant_tables):
    with superuser_engine.connect() as conn:
        rules = conn.execute(
            text(
                "SELECT conrelid::regclass::text, confdeltype FROM pg_constraint "
                "WHERE contype = 'f' AND confrelid = 'tenants'::regclass"
            )
        ).all()
    platform_rules = {table: rule for table, rule in rules if table not in tenant_tables}
    assert {"stripe_customers": "c", "stripe_events": "n"}.items() <= platform_rules.items()  # cascade; set null
    assert set(platform_rules.values()) <= {"c", "n"}, platform_rules  # nothing restricts the deletion


def test_jobs_still_waiting_for_a_deleted_shop_go_with_it(app, console, two_shops_with_data, superuser_engine):
    from saas.core.tasks.queue import QUEUE_SCHEMA, Job, enqueue
    from saas.core.tasks.worker import run_worker

    acme, bravo = two_shops_with_data
    console.post(f"/shops/{acme.id}/close", data=closing())
    past_due(app, acme.id)
    with app.app_context():
        enqueue(
            db.session.connection(),
            [Job("reminders.send_for_shop", {"tenant_id": shop.id}, queue="elsewhere") for shop in (acme, bravo)],
        )
        db.session.commit()
        fan_out_closed_shop_purge()
    run_worker(app, wait=False, periodic=False, listen_notify=False, queues=["default"])  # not "elsewhere"

    with superuser_engine.connect() as conn:
        waiting = (
            conn.execute(
                text(f"SELECT args->>'tenant_id' FROM {QUEUE_SCHEMA}.procrastinate_jobs WHERE queue_name = 'elsewhere'")
            )
            .scalars()
            .all()
        )
    assert waiting == [str(bravo.id)]
    [entry] = audit_entries(app, "shops.deleted")
    assert entry.after["rows"][f"{QUEUE_SCHEMA}.procrastinate_jobs (waiting)"] == 1
