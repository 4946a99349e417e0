"""Retention: periods per kind of data with country defaults, holds, dry runs, and runs that remove
exactly what is due (and nothing of a customer under hold)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from saas.audit.models import AccessLogEntry
from saas.auth.roles import Role
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.customers.models import Customer
from saas.documents.models import Document
from saas.invoicing.models import Invoice
from saas.privacy import holds, retention
from saas.privacy.retention import RetentionRun
from saas.privacy.retention_tasks import apply_retention_for_shop
from saas.workorders.models import WorkOrder
from tests.factories import log_in
from tests.privacy.customer_history import customer_with_history, read

NOW = datetime(2031, 6, 15, 12, 0, tzinfo=UTC)  # runs are made "as of" this moment: dates below are explicit


def backdate(owner_engine, tenant_id: int, customer_id: int, when: datetime) -> None:
    """Make everything of a customer as old as `when` (written as the table owner)."""
    with owner_engine.begin() as conn:
        conn.execute(text("SELECT set_config('workbay.cross_tenant', 'on', true)"))
        values = {"t": tenant_id, "c": customer_id, "w": when}
        conn.execute(text("UPDATE customers SET created_at = :w WHERE tenant_id = :t AND id = :c"), values)
        conn.execute(
            text("UPDATE work_orders SET updated_at = :w, status = 'closed' WHERE tenant_id = :t AND customer_id = :c"),
            values,
        )
        conn.execute(text("UPDATE invoices SET issued_at = :w WHERE tenant_id = :t AND customer_id = :c"), values)
        conn.execute(
            text(
                "UPDATE appointments SET starts_at = :w + :c * interval '2 hours', "
                "ends_at = :w + :c * interval '2 hours' + interval '1 hour' WHERE tenant_id = :t AND customer_id = :c"
            ),
            values,
        )
        conn.execute(
            text("UPDATE documents SET created_at = :w, sensitive = true WHERE tenant_id = :t AND customer_id = :c"),
            values,
        )


def run(app, tenant_id: int, dry_run: bool = False) -> dict:
    with app.test_request_context(), tenant_scope(tenant_id):
        result = retention.run_retention(dry_run=dry_run, trigger="owner", now=NOW)
        db.session.commit()
        return {r["category"]: r["count"] for r in result.results}


def test_the_country_default_applies_until_the_owner_sets_a_period(app, shop):
    with app.test_request_context(), tenant_scope(shop.id):  # the factory's shops are in the US
        assert {s.category.key: s.period for s in retention.settings()}["invoices"] == 7
        retention.save_setting("invoices", 8, True)
        db.session.commit()
        setting = {s.category.key: s for s in retention.settings()}["invoices"]
        assert (setting.period, setting.is_default) == (8, False)


def test_a_run_removes_exactly_what_is_past_its_period_and_spares_a_customer_on_hold(app, shop, owner_engine):
    old = customer_with_history(app, shop.id, name="Old Olga", email="olga@example.com", days_ahead=3)
    held = customer_with_history(app, shop.id, name="Held Hank", email="hank@example.com", days_ahead=5)
    recent = customer_with_history(app, shop.id, name="Recent Rita", email="rita@example.com", days_ahead=7)
    for person in (old, held):
        backdate(owner_engine, shop.id, person.customer_id, datetime(2022, 3, 1, tzinfo=UTC))
    backdate(owner_engine, shop.id, recent.customer_id, datetime(2031, 6, 1, tzinfo=UTC))
    with app.test_request_context(), tenant_scope(shop.id):
        retention.save_setting("invoices", 10, True)  # 2022 invoices stay through 2032
        retention.save_setting("inactive_customers", 30, True)
        holds.place_hold(db.session.get(Customer, (shop.id, held.customer_id)), "Insurance claim")
        db.session.commit()

    assert run(app, shop.id, dry_run=True) == {
        "id_documents": 1,
        "invoices": 0,
        "inactive_customers": 0,
        "access_log": 0,
    }
    assert read(app, shop.id, Document, old.document_id) is not None  # a dry run removes nothing

    counts = run(app, shop.id)

    assert counts["id_documents"] == 1
    assert read(app, shop.id, Document, old.document_id) is None
    assert read(app, shop.id, Document, held.document_id) is not None  # on hold
    assert read(app, shop.id, Document, recent.document_id) is not None  # too recent
    assert read(app, shop.id, Invoice, old.invoice_id) is not None


def test_invoices_go_after_their_legal_period_counted_from_the_end_of_the_year(app, shop, owner_engine):
    person = customer_with_history(app, shop.id)
    backdate(owner_engine, shop.id, person.customer_id, datetime(2023, 12, 31, tzinfo=UTC))
    with app.test_request_context(), tenant_scope(shop.id):
        retention.save_setting("invoices", 8, True)
        retention.save_setting("inactive_customers", 30, True)
        db.session.commit()
    assert run(app, shop.id)["invoices"] == 0  # an invoice of 2023 kept 8 years stays through the end of 2031

    with app.test_request_context(), tenant_scope(shop.id):
        retention.save_setting("invoices", 7, True)  # stays through the end of 2030: due now
        db.session.commit()
    assert run(app, shop.id)["invoices"] == 1
    assert read(app, shop.id, Invoice, person.invoice_id) is None
    assert read(app, shop.id, WorkOrder, person.work_order_id) is not None


def test_inactive_customers_are_erased_keeping_invoices_still_within_their_period(app, shop, owner_engine):
    person = customer_with_history(app, shop.id)
    backdate(owner_engine, shop.id, person.customer_id, datetime(2026, 5, 1, tzinfo=UTC))
    with app.test_request_context(), tenant_scope(shop.id):
        retention.save_setting("inactive_customers", 6, True)
        db.session.commit()
    assert run(app, shop.id)["inactive_customers"] == 0  # last seen in 2026: kept through the end of 2032

    with app.test_request_context(), tenant_scope(shop.id):
        retention.save_setting("inactive_customers", 3, True)
        retention.save_setting("invoices", 10, True)
        db.session.commit()
    assert run(app, shop.id)["inactive_customers"] == 1
    customer = read(app, shop.id, Customer, person.customer_id)
    assert customer["anonymized_at"] is not None and customer["email"] is None
    assert read(app, shop.id, Invoice, person.invoice_id)["bill_to_name"] == "Jane Erasable"


def test_old_access_log_entries_go(app, shop, owner_client, owner_engine):
    person = customer_with_history(app, shop.id)
    owner_client.get(f"/customers/{person.customer_id}")  # one entry, now
    with owner_engine.begin() as conn:
        conn.execute(text("SELECT set_config('workbay.cross_tenant', 'on', true)"))
        conn.execute(text("UPDATE access_log_entries SET created_at = '2028-01-01'"))
    assert run(app, shop.id)["access_log"] == 1
    with app.test_request_context(), tenant_scope(shop.id):
        assert db.session.scalars(select(AccessLogEntry)).all() == []


def test_an_inactive_rule_is_not_applied(app, shop, owner_engine):
    person = customer_with_history(app, shop.id)
    backdate(owner_engine, shop.id, person.customer_id, datetime(2022, 3, 1, tzinfo=UTC))
    with app.test_request_context(), tenant_scope(shop.id):
        retention.save_setting("id_documents", 90, False)
        retention.save_setting("inactive_customers", 30, True)
        db.session.commit()
    assert "id_documents" not in run(app, shop.id)
    assert read(app, shop.id, Document, person.document_id) is not None


def test_a_customer_on_hold_cannot_be_erased(app, shop, owner_client):
    person = customer_with_history(app, shop.id)
    owner_client.post(f"/customers/{person.customer_id}/legal-hold", data={"reason": "Court order 12/2026"})

    response = owner_client.post(f"/customers/{person.customer_id}/erase", follow_redirects=True)

    assert "on legal hold (Court order 12/2026)" in response.get_data(as_text=True)
    assert read(app, shop.id, Customer, person.customer_id)["anonymized_at"] is None


def test_the_owner_page_saves_periods_runs_and_releases_holds(app, shop, owner_client):
    person = customer_with_history(app, shop.id)
    owner_client.post(f"/customers/{person.customer_id}/legal-hold", data={"reason": "Dispute"})
    page = owner_client.get("/settings/retention").get_data(as_text=True)
    assert "Jane Erasable" in page and "Dispute" in page and "country default" in page

    form = {
        "id_documents": "30",
        "id_documents-active": "on",
        "invoices": "9",
        "invoices-active": "on",
        "inactive_customers": "5",
        "access_log": "3",
        "access_log-active": "on",
    }
    assert owner_client.post("/settings/retention", data=form).status_code == 302
    with app.test_request_context(), tenant_scope(shop.id):
        periods = {s.category.key: (s.period, s.active) for s in retention.settings()}
    assert periods == {
        "id_documents": (30, True),
        "invoices": (9, True),
        "inactive_customers": (5, False),
        "access_log": (3, True),
    }

    assert owner_client.post("/settings/retention/dry-run").status_code == 302
    assert "dry run" in owner_client.get("/settings/retention").get_data(as_text=True)
    with app.test_request_context(), tenant_scope(shop.id):
        hold_id = holds.open_holds()[0].id
    assert owner_client.post(f"/settings/retention/holds/{hold_id}/release").status_code == 302
    assert "No customer is on hold." in owner_client.get("/settings/retention").get_data(as_text=True)


@pytest.mark.parametrize("bad", ["0", "-3", "abc", "99999", "", "1e3", "²"])
def test_a_bad_period_is_refused_with_a_message_and_nothing_is_saved(app, shop, owner_client, bad):
    response = owner_client.post("/settings/retention", data={"id_documents": bad, "invoices": "7"})
    assert response.status_code == 400
    assert "Give a period of 1 to" in response.get_data(as_text=True)
    with app.test_request_context(), tenant_scope(shop.id):
        assert all(s.is_default for s in retention.settings())


@pytest.mark.parametrize("role", [Role.MANAGER, Role.TECHNICIAN])
def test_only_the_owner_sets_retention(factory, shop, shop_client, role):
    client = shop_client("acme")
    log_in(client, factory.user(shop, role).email)
    assert client.get("/settings/retention").status_code == 403


def test_the_nightly_job_runs_as_each_shop_and_logs_the_run(app, shop, other_shop, owner_engine):
    person = customer_with_history(app, shop.id)
    theirs = customer_with_history(app, other_shop.id, name="Bravo Client")
    for tenant_id, who in ((shop.id, person), (other_shop.id, theirs)):
        backdate(owner_engine, tenant_id, who.customer_id, datetime(2000, 1, 1, tzinfo=UTC))

    with app.app_context():
        assert apply_retention_for_shop(shop.id) >= 1

    assert read(app, shop.id, Document, person.document_id) is None
    assert read(app, other_shop.id, Document, theirs.document_id) is not None  # bravo's job has not run
    with app.test_request_context(), tenant_scope(shop.id):
        [logged] = db.session.scalars(select(RetentionRun)).all()
        assert logged.trigger == "schedule" and not logged.dry_run


def test_a_cutoff_in_years_counts_from_the_end_of_the_year():
    category = retention.BY_KEY["invoices"]
    assert category.cutoff(8, NOW) == datetime(2023, 1, 1, tzinfo=UTC)
    assert retention.BY_KEY["id_documents"].cutoff(90, NOW) == NOW - timedelta(days=90)


def test_runs_stay_in_their_shop(app, shop, other_shop, owner_engine):
    run(app, shop.id)
    with owner_engine.begin() as conn:
        conn.execute(text("SELECT set_config('workbay.tenant_id', :t, true)"), {"t": str(other_shop.id)})
        assert conn.execute(text("SELECT count(*) FROM retention_runs")).scalar() == 0
