"""Erasure: a person's data goes everywhere except what the law keeps; the ledger survives a restore."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from saas.appointments.models import Appointment
from saas.auth.roles import Role
from saas.core.extensions import db
from saas.core.storage import get_storage
from saas.core.tenancy import tenant_scope
from saas.customers.models import Asset, Customer
from saas.customers.services import customer_search
from saas.documents.models import Document
from saas.invoicing.models import Invoice
from saas.privacy import erasure
from saas.workorders.models import EstimateApproval, WorkOrder
from tests.factories import log_in
from tests.fixtures.storage import stored_files
from tests.privacy.customer_history import customer_with_history, read


def erase(app, tenant_id: int, customer_id: int):
    with app.test_request_context(), tenant_scope(tenant_id):
        record = erasure.erase(db.session.get(Customer, (tenant_id, customer_id)))
        db.session.commit()
        return record.notes


def test_erasure_anonymizes_the_person_everywhere_and_keeps_invoices_as_issued(app, shop, storage_dir):
    history = customer_with_history(app, shop.id)
    invoice_before = read(app, shop.id, Invoice, history.invoice_id)

    notes = erase(app, shop.id, history.customer_id)

    customer = read(app, shop.id, Customer, history.customer_id)
    assert customer["name"] == f"Erased customer #{history.customer_id}"
    assert (customer["email"], customer["phone"], customer["address"], customer["notes"]) == (None, None, "", "")
    assert customer["anonymized_at"] is not None and customer["marketing_consent"] is False
    asset = read(app, shop.id, Asset, history.asset_id)
    assert (asset["vin"], asset["plate"], asset["make"]) == (None, None, "Honda")
    assert read(app, shop.id, WorkOrder, history.work_order_id)["concern"] == ""
    assert read(app, shop.id, Invoice, history.invoice_id) == invoice_before  # name and address as issued
    appointment = read(app, shop.id, Appointment, history.appointment_id)
    assert (appointment["status"], appointment["notes"]) == ("cancelled", "")
    assert read(app, shop.id, Document, history.document_id) is None
    assert [key for key in stored_files(storage_dir) if "/erasure_ledger/" not in key] == []
    areas = {note["area"]: note for note in notes}
    assert "1 invoices and credit notes kept as issued" in areas["Invoices"]["kept"]
    assert areas["Documents"]["erased"] == "1 documents and photos deleted from storage"


def test_the_signature_on_an_estimate_is_erased_too(app, shop):
    history = customer_with_history(app, shop.id)
    erase(app, shop.id, history.customer_id)
    with app.test_request_context(), tenant_scope(shop.id):
        approval = db.session.scalar(db.select(EstimateApproval))
        assert (approval.signed_name, approval.ip_address, approval.user_agent) == ("Erased", None, "")


@pytest.mark.parametrize("term", ["Jane", "jane@example.com", "202 555 0143", "JANE-1", "1HGCM82633A004352"])
def test_an_erased_person_never_comes_back_in_a_search(app, shop, term):
    history = customer_with_history(app, shop.id)
    erase(app, shop.id, history.customer_id)
    with app.test_request_context(), tenant_scope(shop.id):
        assert db.session.scalars(customer_search(term)).all() == []


def test_erasing_twice_is_refused(app, shop):
    history = customer_with_history(app, shop.id)
    erase(app, shop.id, history.customer_id)
    with pytest.raises(Exception, match="already erased"):
        erase(app, shop.id, history.customer_id)


def test_a_rolled_back_erasure_leaves_no_ledger_entry(app, shop, storage_dir):
    history = customer_with_history(app, shop.id)
    with app.test_request_context(), tenant_scope(shop.id):
        erasure.erase(db.session.get(Customer, (shop.id, history.customer_id)))
        db.session.rollback()
    assert not [key for key in stored_files(storage_dir) if "/erasure_ledger/" in key]
    assert read(app, shop.id, Customer, history.customer_id)["anonymized_at"] is None
    assert read(app, shop.id, Document, history.document_id) is not None


def test_the_ledger_erases_again_whoever_a_restored_backup_brings_back(app, shop, other_shop, owner_engine):
    history = customer_with_history(app, shop.id)
    theirs = customer_with_history(app, other_shop.id, name="Other Shop Client")
    erase(app, shop.id, history.customer_id)
    with owner_engine.begin() as conn:  # the restore: the row as it was before the erasure
        conn.execute(text("SELECT set_config('workbay.cross_tenant', 'on', true)"))
        conn.execute(
            text(
                "UPDATE customers SET anonymized_at = NULL, name = 'Jane Erasable', email = 'jane@example.com' "
                "WHERE tenant_id = :t AND id = :c"
            ),
            {"t": shop.id, "c": history.customer_id},
        )
    with app.test_request_context(), tenant_scope(shop.id):
        key = get_storage().keys(shop.id, erasure.LEDGER_KIND)
        assert [json.loads(get_storage().read(k))["customer_id"] for k in key] == [history.customer_id]
        assert erasure.replay_ledger() == [history.customer_id]
        db.session.commit()
    assert read(app, shop.id, Customer, history.customer_id)["email"] is None
    assert read(app, other_shop.id, Customer, theirs.customer_id)["email"] == "jane@example.com"  # not theirs


def test_the_owner_erases_from_the_customer_page_and_sees_what_was_kept(app, shop, owner_client):
    history = customer_with_history(app, shop.id)

    response = owner_client.post(f"/customers/{history.customer_id}/erase")

    assert response.status_code == 302
    page = owner_client.get(f"/customers/{history.customer_id}").get_data(as_text=True)
    assert "Personal data erased" in page and "kept as issued" in page and "Jane Erasable" not in page
    assert "Erase personal data" not in page  # done once


@pytest.mark.parametrize("role", [Role.SERVICE_ADVISOR, Role.TECHNICIAN])
def test_only_the_owner_and_managers_may_erase(app, factory, shop, shop_client, role):
    history = customer_with_history(app, shop.id)
    client = shop_client("acme")
    log_in(client, factory.user(shop, role).email)

    assert client.post(f"/customers/{history.customer_id}/erase").status_code == 403
    assert read(app, shop.id, Customer, history.customer_id)["anonymized_at"] is None


def test_another_shops_customer_cannot_be_erased(app, shop, other_shop, owner_client):
    theirs = customer_with_history(app, other_shop.id)
    assert owner_client.post(f"/customers/{theirs.customer_id}/erase").status_code == 404
    assert read(app, other_shop.id, Customer, theirs.customer_id)["anonymized_at"] is None


def test_flask_privacy_replay_erasures_reports_per_shop(app, shop, other_shop, owner_engine, flask_cli):
    history = customer_with_history(app, shop.id)
    erase(app, shop.id, history.customer_id)
    with owner_engine.begin() as conn:
        conn.execute(text("SELECT set_config('workbay.cross_tenant', 'on', true)"))
        conn.execute(text("UPDATE customers SET anonymized_at = NULL, email = 'jane@example.com'"))

    result = flask_cli("privacy", "replay-erasures")

    assert result.exit_code == 0, result.output
    assert f"acme: 1 customer(s) erased again ([{history.customer_id}])" in result.output
    assert "bravo: 0 customer(s) erased again" in result.output
    assert read(app, shop.id, Customer, history.customer_id)["email"] is None
    assert flask_cli("privacy", "replay-erasures", "--shop", "nosuch").exit_code != 0
