"""A person's data export: built by the queue's worker, a ZIP of their records and files only, fetched
through an expiring link, every download logged."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from saas.audit.models import AccessLogEntry
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tasks.worker import run_worker
from saas.core.tenancy import tenant_scope
from saas.privacy import exports
from saas.privacy.exports import DataExport
from tests.factories import log_in
from tests.fixtures.storage import stored_files
from tests.privacy.customer_history import customer_with_history


def run_jobs(app) -> None:
    """Let a real worker do what is queued, then return."""
    run_worker(app, wait=False, periodic=False, listen_notify=False)


def the_export(app, tenant_id: int) -> DataExport:
    with app.test_request_context(), tenant_scope(tenant_id):
        export = db.session.scalar(select(DataExport).order_by(DataExport.id.desc()))
        db.session.expunge(export)
        return export


def link_of(app, tenant_id: int, export_id: int) -> str:
    """The download link as mailed (absolute, on the shop's host)."""
    with app.test_request_context(), tenant_scope(tenant_id):
        return exports.download_link(db.session.get(DataExport, (tenant_id, export_id)), external=True)


@pytest.fixture
def prepared(app, shop, owner_client):
    """Jane's export, started from her page and built by the worker; plus another customer of the shop."""
    jane = customer_with_history(app, shop.id)
    other = customer_with_history(app, shop.id, name="Oscar Other", email="oscar@example.com", days_ahead=9)
    owner_client.get(f"/customers/{jane.customer_id}")  # the owner opens her record: logged, and in her export
    response = owner_client.post(f"/customers/{jane.customer_id}/data-export")
    assert response.status_code == 302
    assert the_export(app, shop.id).status == "queued"
    run_jobs(app)
    return jane, other, the_export(app, shop.id)


def test_the_worker_builds_a_zip_of_the_persons_records_and_files(app, shop, owner_client, prepared):
    jane, other, export = prepared
    assert (export.status, export.progress) == ("ready", 100)

    response = owner_client.get(f"/data-exports/{export.id}/download")

    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    folder = f"customer-{jane.customer_id}"
    assert {"README.txt", "data.json", f"{folder}/customer.csv", f"{folder}/work_orders.csv"} <= set(names)
    assert f"{folder}/documents/{jane.document_id}-registration.pdf" in names
    data = json.loads(archive.read("data.json"))
    [record] = data["customers"]
    assert record["customer"]["email"] == "jane@example.com"
    assert [wo["concern"] for wo in record["work_orders"]] == ["Squeak when braking"]
    assert [invoice["id"] for invoice in record["invoices"]] == [jane.invoice_id]
    assert [a["notes"] for a in record["appointments"]] == ["Bring the spare key"]
    assert [d["filename"] for d in record["documents"]] == ["registration.pdf"]
    assert [entry["action"] for entry in record["access_log"]] == ["view"]  # who saw their data: the owner, once
    everything = b"".join(archive.read(name) for name in names)
    assert b"oscar@example.com" not in everything and b"Oscar" not in everything  # nobody else's data


def test_the_mailed_link_works_without_logging_in_and_each_download_is_logged(app, shop, client, prepared):
    jane, _, export = prepared
    link = link_of(app, shop.id, export.id)
    visitor = app.test_client()

    response = visitor.get(link)

    assert response.status_code == 200 and response.data.startswith(b"PK")
    with app.test_request_context(), tenant_scope(shop.id):
        entries = db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "download")).all()
        assert [(e.subject_id, e.user_id) for e in entries] == [(jane.customer_id, None)]


def test_an_expired_link_says_so_and_the_daily_job_deletes_the_archive(app, shop, prepared, storage_dir):
    _, _, export = prepared
    link = link_of(app, shop.id, export.id)
    with app.test_request_context(), tenant_scope(shop.id):
        db.session.execute(update(DataExport).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()

    response = app.test_client().get(link)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)

    with app.test_request_context(), tenant_scope(shop.id):
        assert exports.expire_due() == 1
        db.session.commit()
    assert the_export(app, shop.id).status == "expired"
    assert not [key for key in stored_files(storage_dir) if "/data_exports/" in key]


@pytest.mark.parametrize("mangle", [lambda link: link + "x", lambda link: link.rsplit("/", 1)[0] + "/nonsense"])
def test_a_tampered_link_is_a_plain_404(app, shop, prepared, mangle):
    _, _, export = prepared
    assert app.test_client().get(mangle(link_of(app, shop.id, export.id))).status_code == 404


def test_a_link_of_one_shop_means_nothing_on_another_shops_host(app, shop, other_shop, prepared):
    _, _, export = prepared
    link = link_of(app, shop.id, export.id)
    assert link.startswith(f"http://acme.{app.config['SERVER_NAME']}/")
    response = app.test_client().get(link.replace("//acme.", "//bravo.", 1))
    assert response.status_code == 404


def test_another_shops_staff_reach_neither_progress_nor_download(app, shop, other_shop, shop_client, factory, prepared):
    _, _, export = prepared
    bravo = shop_client("bravo")
    log_in(bravo, factory.owner(other_shop).email)
    assert bravo.get(f"/data-exports/{export.id}/progress").status_code == 404
    assert bravo.get(f"/data-exports/{export.id}/download").status_code == 404


def test_the_page_shows_progress_and_then_the_download(app, shop, owner_client):
    jane = customer_with_history(app, shop.id)
    owner_client.post(f"/customers/{jane.customer_id}/data-export")
    export = the_export(app, shop.id)

    page = owner_client.get(f"/customers/{jane.customer_id}").get_data(as_text=True)
    assert f'data-poll="/data-exports/{export.id}/progress"' in page
    assert owner_client.get(f"/data-exports/{export.id}/progress").get_json() == {"status": "queued", "progress": 0}

    run_jobs(app)
    assert owner_client.get(f"/data-exports/{export.id}/progress").get_json() == {"status": "ready", "progress": 100}
    assert f"/data-exports/{export.id}/download" in owner_client.get(f"/customers/{jane.customer_id}").get_data(
        as_text=True
    )


def test_a_job_that_fails_marks_the_export_failed(app, shop, owner_client, monkeypatch):
    jane = customer_with_history(app, shop.id)
    owner_client.post(f"/customers/{jane.customer_id}/data-export")
    monkeypatch.setattr(exports, "build_archive", lambda *args: (_ for _ in ()).throw(OSError("disk full")))

    run_jobs(app)

    assert the_export(app, shop.id).status == "failed"
    assert "please start a new one" in owner_client.get(f"/customers/{jane.customer_id}").get_data(as_text=True)


def test_exports_are_rows_of_their_shop_only(app, shop, other_shop, prepared, owner_engine):
    with owner_engine.begin() as conn:
        conn.execute(text("SELECT set_config('workbay.tenant_id', :t, true)"), {"t": str(other_shop.id)})
        assert conn.execute(text("SELECT count(*) FROM data_exports")).scalar() == 0
