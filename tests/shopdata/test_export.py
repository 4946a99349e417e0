"""The owner's export of all of the shop's data: a ZIP with every shop table (the shop's rows and nobody
else's), its stored files and no secrets, built by the queue's worker, downloadable until it expires."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from saas.audit.models import AccessLogEntry
from saas.auth.roles import Role
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.shopdata.models import ShopExport
from saas.shopdata.tasks import expire_shop_exports_for_shop, fan_out_shop_export_expiry
from tests.factories import log_in
from tests.fixtures.database import snapshot
from tests.fixtures.shops import update_shop
from tests.fixtures.storage import PDF, stored_files
from tests.privacy.customer_history import customer_with_history
from tests.shopdata.helpers import Archive, exports_of, latest_export, run_jobs


@pytest.fixture
def histories(app, shop, other_shop):
    """Jane at acme and Oscar at bravo, each with a vehicle, work order, invoice, appointment and document."""
    jane = customer_with_history(app, shop.id)
    oscar = customer_with_history(app, other_shop.id, name="Oscar Other", email="oscar@example.com")
    return jane, oscar


@pytest.fixture
def built(app, shop, owner_client, histories):
    """Acme's owner exported everything (an invitation is pending, so a token hash exists); the worker built it."""
    owner_client.post("/staff/invite", data={"email": "newhire@example.com", "role": "technician"})
    response = owner_client.post("/shop-export")
    assert response.status_code == 303 and response.headers["Location"].endswith("/shop-export")
    assert latest_export(app, shop.id).status == "queued"
    run_jobs(app)
    return latest_export(app, shop.id)


def download(client, export_id: int) -> Archive:
    response = client.get(f"/shop-export/{export_id}/download")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return Archive(response.data)


def test_the_zip_holds_every_shop_table_with_exactly_the_shops_rows(
    app, shop, owner_client, built, superuser_engine, tenant_tables
):
    assert (built.status, built.progress) == ("ready", 100)
    truth = snapshot(superuser_engine, tenant_tables, shop.id)

    archive = download(owner_client, built.id)

    # Every table with a tenant_id, whichever feature made it, is there as JSON and CSV: the export is
    # generic, so a new table joins it without any change to shopdata.
    for table in tenant_tables:
        assert {f"tables/{table}.json", f"tables/{table}.csv"} <= archive.names, table
        rows = archive.rows(table)
        assert sorted(row["id"] for row in rows) == sorted(row["id"] for row in truth[table]), table
        assert {row["tenant_id"] for row in rows} <= {shop.id}, table
    assert {"README.txt", "shop.json"} <= archive.names
    assert '"subdomain": "acme"' in archive.text("shop.json")


def test_the_zip_holds_none_of_another_shops_data(app, shop, owner_client, built):
    archive = download(owner_client, built.id)

    everything = archive.everything()
    assert b"Oscar" not in everything and b"oscar@example.com" not in everything and b"bravo" not in everything
    assert [row["name"] for row in archive.rows("customers")] == ["Jane Erasable"]


def test_the_shops_stored_files_are_in_the_zip(app, shop, owner_client, built, histories):
    jane, _ = histories
    archive = download(owner_client, built.id)

    [document] = [row for row in archive.rows("documents") if row["id"] == jane.document_id]
    _, _, kind, name = document["storage_key"].split("/")
    assert archive.zip.read(f"files/{kind}/{name}") == PDF
    assert not [name for name in archive.names if name.startswith(("files/shop_exports/", "files/data_exports/"))]


def test_values_are_json_safe_and_spreadsheets_hold_the_same_rows(app, shop, owner_client, built, histories):
    jane, _ = histories
    archive = download(owner_client, built.id)

    [invoice] = archive.rows("invoices")
    assert (invoice["total"], invoice["currency"]) == ("100.00", "USD")  # exact decimals, as text
    assert invoice["due_at"].endswith("+00:00")  # ISO 8601, UTC
    [approval] = archive.rows("estimate_approvals")
    assert approval["decisions"] == []  # JSON stays JSON
    spreadsheet = list(csv.DictReader(io.StringIO(archive.text("tables/customers.csv"))))
    assert [(int(row["id"]), row["name"], row["email"]) for row in spreadsheet] == [
        (jane.customer_id, "Jane Erasable", "jane@example.com")
    ]


def test_secrets_are_left_out_and_the_readme_says_which(app, shop, owner_client, built, superuser_engine):
    with superuser_engine.connect() as conn:
        secrets = conn.scalars(
            text(
                "SELECT password_hash FROM users WHERE tenant_id = :t UNION ALL "
                "SELECT token_hash FROM invitations WHERE tenant_id = :t"
            ),
            {"t": shop.id},
        ).all()
    assert len(secrets) == 2

    archive = download(owner_client, built.id)

    assert [row["email"] for row in archive.rows("users")] == ["owner@acme.example.com"]
    assert "password_hash" not in archive.rows("users")[0]
    assert "token_hash" not in archive.rows("invitations")[0]
    assert "password_hash" not in archive.text("tables/users.csv")
    everything = archive.everything()
    assert not [secret for secret in secrets if secret.encode() in everything]
    readme = archive.text("README.txt")
    assert "users: password_hash" in readme and "invitations: token_hash" in readme
    assert "earlier exports" in readme


def test_the_download_is_in_the_shops_access_log(app, shop, owner, owner_client, built):
    download(owner_client, built.id)

    with app.test_request_context(), tenant_scope(shop.id):
        entries = db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.subject_type == "shop")).all()
        assert [(e.action, e.user_id, e.subject_id) for e in entries] == [("export", owner.id, None)]


def test_the_page_and_the_settings_show_the_progress_then_the_download(app, shop, owner_client):
    owner_client.post("/shop-export")
    export = latest_export(app, shop.id)

    progress = owner_client.get(f"/shop-export/{export.id}/progress")
    assert progress.get_json() == {"status": "queued", "progress": 0}
    poll = f'data-poll="/shop-export/{export.id}/progress"'
    assert poll in owner_client.get("/shop-export").get_data(as_text=True)
    assert poll in owner_client.get("/settings").get_data(as_text=True)

    run_jobs(app)

    assert owner_client.get(f"/shop-export/{export.id}/progress").get_json() == {"status": "ready", "progress": 100}
    settings = owner_client.get("/settings").get_data(as_text=True)
    assert f'href="/shop-export/{export.id}/download"' in settings and "Export all data" in settings


def test_a_second_export_waits_until_the_first_is_ready(app, shop, owner_client):
    owner_client.post("/shop-export")

    again = owner_client.post("/shop-export", follow_redirects=True)

    assert "being prepared already" in again.get_data(as_text=True)
    assert len(exports_of(app, shop.id)) == 1


def test_an_expired_export_answers_410_and_the_daily_job_deletes_its_archive(
    app, shop, owner_client, built, storage_dir
):
    assert [key for key in stored_files(storage_dir) if "/shop_exports/" in key]
    with app.test_request_context(), tenant_scope(shop.id):
        db.session.execute(update(ShopExport).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()

    response = owner_client.get(f"/shop-export/{built.id}/download")

    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    with app.app_context():
        assert expire_shop_exports_for_shop(shop.id) == 1
    assert latest_export(app, shop.id).status == "expired"
    assert not [key for key in stored_files(storage_dir) if "/shop_exports/" in key]
    assert "expired, archive deleted" in owner_client.get("/shop-export").get_data(as_text=True)


def test_the_daily_expiry_runs_for_suspended_shops_too(app, shop, other_shop, superuser_engine):
    update_shop(app, other_shop.id, suspended_at=utcnow())

    with app.app_context():
        assert fan_out_shop_export_expiry() == 2

    with superuser_engine.connect() as conn:
        jobs = conn.execute(
            text("SELECT (args->>'tenant_id')::bigint FROM procrastinate.procrastinate_jobs WHERE task_name = :t"),
            {"t": "shopdata.expire_exports_for_shop"},
        ).scalars()
        assert sorted(jobs) == sorted([shop.id, other_shop.id])


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SERVICE_ADVISOR, Role.TECHNICIAN])
def test_only_the_owner_may_export_the_whole_shop(app, factory, shop, login_as, built, role):
    client = login_as(factory.user(shop, role))

    assert client.get("/shop-export").status_code == 403
    assert client.post("/shop-export").status_code == 403
    assert client.get(f"/shop-export/{built.id}/progress").status_code == 403
    assert client.get(f"/shop-export/{built.id}/download").status_code == 403
    assert len(exports_of(app, shop.id)) == 1
    assert 'id="shop-export"' not in client.get("/settings").get_data(as_text=True)


def test_another_shops_owner_gets_404_for_an_export_its_progress_and_download(
    app, factory, shop, other_shop, shop_client, built
):
    bravo = shop_client("bravo")
    log_in(bravo, factory.owner(other_shop).email)

    assert bravo.get(f"/shop-export/{built.id}/progress").status_code == 404
    assert bravo.get(f"/shop-export/{built.id}/download").status_code == 404
    assert built.id not in [export.id for export in exports_of(app, other_shop.id)]
    assert f"/shop-export/{built.id}/" not in bravo.get("/shop-export").get_data(as_text=True)


@pytest.mark.parametrize(
    "state",
    [
        {"trial_ends_at": utcnow() - timedelta(days=1)},  # read-only: the trial ended without a plan
        {"deletion_due_at": utcnow() + timedelta(days=20)},  # closing
    ],
    ids=["read-only", "closing"],
)
def test_a_read_only_or_closing_shop_can_still_export_everything(app, shop, owner_client, histories, state):
    update_shop(app, shop.id, **state)
    assert owner_client.post("/customers/new", data={"name": "Refused"}).status_code == 402  # it is read-only

    response = owner_client.post("/shop-export")
    assert response.status_code == 303
    run_jobs(app)

    export = latest_export(app, shop.id)
    assert export.status == "ready"
    assert [row["name"] for row in download(owner_client, export.id).rows("customers")] == ["Jane Erasable"]


def test_the_export_page_reads_the_same_number_of_queries_for_3_or_30_exports(app, shop, owner_client, count_queries):
    def exports_made(n: int) -> None:
        with app.test_request_context(), tenant_scope(shop.id):
            db.session.add_all(ShopExport(status="expired", progress=100) for _ in range(n))
            db.session.commit()

    exports_made(3)
    with count_queries() as few:
        assert owner_client.get("/shop-export").status_code == 200
    exports_made(27)
    with count_queries() as many:
        assert owner_client.get("/shop-export").status_code == 200

    assert len(many.statements) == len(few.statements)
