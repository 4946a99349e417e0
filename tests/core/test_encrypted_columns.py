"""The columns encrypted at rest, in the features that use them: only ciphertext in the database, plain
text on the staff's pages, in a person's data export and in the shop's export; erasure still blanks them."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from saas.core.extensions import db
from saas.core.tasks.worker import run_worker
from saas.core.tenancy import tenant_scope
from saas.customers.models import Customer
from saas.privacy import erasure
from saas.privacy.exports import DataExport
from saas.privacy.holds import hold_of, release_hold
from tests.core.sensitive_rows import PLAIN, PLATFORM_COLUMNS, every_encrypted_column, sensitive_rows, stored_values
from tests.shopdata.helpers import Archive, latest_export


def run_jobs(app) -> None:
    """Let a real worker do what is queued, then return."""
    run_worker(app, wait=False, periodic=False, listen_notify=False)


def test_every_encrypted_column_holds_only_ciphertext_in_the_database(app, shop, factory, superuser_engine):
    sensitive_rows(app, shop.id)
    factory.platform_admin()

    stored = stored_values(superuser_engine, every_encrypted_column())

    assert set(stored) == set(PLAIN) | PLATFORM_COLUMNS
    for column, values in stored.items():
        assert values, f"{column}: no row to check"
        assert all(value.startswith("gAAAAA") for value in values), column  # Fernet tokens
    everything = "\n".join(value for values in stored.values() for value in values)
    assert not [column for column, plain in PLAIN.items() if plain in everything]


def test_the_staff_read_every_note_in_plain_text_where_it_is_shown(app, shop, owner_client):
    jane = sensitive_rows(app, shop.id)

    customer_page = owner_client.get(f"/customers/{jane.customer_id}").get_data(as_text=True)
    work_order_page = owner_client.get(f"/work-orders/{jane.work_order_id}").get_data(as_text=True)
    appointment_page = owner_client.get(f"/appointments/{jane.appointment_id}").get_data(as_text=True)
    request_page = owner_client.get(f"/privacy-requests/{jane.request_id}").get_data(as_text=True)

    assert PLAIN["customers.notes"] in customer_page and PLAIN["legal_holds.reason"] in customer_page
    assert PLAIN["work_orders.internal_notes"] in work_order_page
    assert PLAIN["appointments.notes"] in appointment_page
    for column in ("details", "extension_reason", "resolution"):
        assert PLAIN[f"privacy_requests.{column}"] in request_page, column
    assert PLAIN["privacy_request_events.detail"] in request_page


def test_a_persons_data_export_holds_their_notes_decrypted(app, shop, owner_client):
    jane = sensitive_rows(app, shop.id)
    assert owner_client.post(f"/customers/{jane.customer_id}/data-export").status_code == 302
    run_jobs(app)
    with app.test_request_context(), tenant_scope(shop.id):
        export_id = db.session.scalar(select(DataExport.id).order_by(DataExport.id.desc()))

    response = owner_client.get(f"/data-exports/{export_id}/download")

    assert response.status_code == 200
    [record] = json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("data.json"))["customers"]
    assert record["customer"]["notes"] == PLAIN["customers.notes"]
    assert [asset["notes"] for asset in record["assets"]] == [PLAIN["assets.notes"]]
    assert [wo["internal_notes"] for wo in record["work_orders"]] == [PLAIN["work_orders.internal_notes"]]
    assert [a["notes"] for a in record["appointments"]] == [PLAIN["appointments.notes"]]
    assert b"gAAAAA" not in response.data


def test_erasure_blanks_the_encrypted_notes_in_the_database(app, shop, superuser_engine):
    jane = sensitive_rows(app, shop.id)
    with app.test_request_context(), tenant_scope(shop.id):
        release_hold(hold_of(jane.customer_id))  # a hold keeps everything: released first
        erasure.erase(db.session.get(Customer, (shop.id, jane.customer_id)))
        db.session.commit()

    stored = stored_values(superuser_engine, {"customers.notes", "assets.notes", "work_orders.internal_notes"})

    assert stored == {"customers.notes": [], "assets.notes": [], "work_orders.internal_notes": []}
    with app.test_request_context(), tenant_scope(shop.id):
        assert db.session.get(Customer, (shop.id, jane.customer_id)).notes == ""


def test_the_shops_export_holds_the_notes_decrypted(app, shop, owner_client):
    jane = sensitive_rows(app, shop.id)
    assert owner_client.post("/shop-export").status_code == 303
    run_jobs(app)

    response = owner_client.get(f"/shop-export/{latest_export(app, shop.id).id}/download")

    archive = Archive(response.data)
    [customer] = archive.rows("customers")
    assert customer["notes"] == PLAIN["customers.notes"]
    [work_order] = [row for row in archive.rows("work_orders") if row["id"] == jane.work_order_id]
    assert work_order["internal_notes"] == PLAIN["work_orders.internal_notes"]
    assert [hold["reason"] for hold in archive.rows("legal_holds")] == [PLAIN["legal_holds.reason"]]
    assert b"gAAAAA" not in archive.everything()
