"""Exporting all of a shop's data from the console: an action with a reason, built by the worker, shown with
its progress on the shop's page, downloaded (audited) until it expires; owners of the platform only."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import update

from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.shopdata.models import ShopExport
from tests.factories import log_in
from tests.fixtures.clients import host_client
from tests.fixtures.pages import field_errors, flashes
from tests.platform.helpers import audit_entries
from tests.privacy.customer_history import customer_with_history
from tests.shopdata.helpers import exports_of, latest_export, run_jobs

REASON = "The owner asked for all their data, ticket 5150"


def exporting(**fields) -> dict:
    return {"export-reason": REASON, "export-confirm": "y", **fields}


@pytest.fixture
def exported(app, console, shop, other_shop):
    """Acme and bravo have data; an admin exported acme from the console and the worker built it."""
    customer_with_history(app, shop.id)
    customer_with_history(app, other_shop.id, name="Oscar Other", email="oscar@example.com")
    response = console.post(f"/shops/{shop.id}/export", data=exporting())
    assert response.status_code == 303
    run_jobs(app)
    return latest_export(app, shop.id)


@pytest.fixture
def support_console(app, factory):
    """The console as a support-role admin (a client of its own, beside `console`)."""
    support = factory.platform_admin("help@workbay.example.com", role="support")
    client = host_client(app, f"admin.{app.config['SERVER_NAME']}")
    log_in(client, support.email)
    return client


def test_an_admin_exports_a_shop_with_a_reason_and_downloads_it(app, console, admin, shop, exported):
    assert (exported.status, exported.requested_by_admin_id, exported.requested_by_user_id) == ("ready", admin.id, None)
    [entry] = audit_entries(app, "shops.export")
    assert (entry.admin_id, entry.shop_id, entry.reason) == (admin.id, shop.id, REASON)

    response = console.get(f"/shops/{shop.id}/exports/{exported.id}/download")

    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert [row["name"] for row in json.loads(archive.read("tables/customers.json"))] == ["Jane Erasable"]
    assert b"Oscar" not in b"".join(archive.read(name) for name in archive.namelist())
    [download] = audit_entries(app, "shops.export_downloaded")
    assert (download.admin_id, download.shop_id) == (admin.id, shop.id)


def test_the_shop_page_shows_the_exports_progress_then_its_download(app, console, shop):
    started = console.post(f"/shops/{shop.id}/export", data=exporting(), follow_redirects=True)
    export = latest_export(app, shop.id)
    progress_url = f"/shops/{shop.id}/exports/{export.id}/progress"

    assert "is being prepared" in flashes(started)[0]
    page = started.get_data(as_text=True)
    assert f'data-poll="{progress_url}"' in page
    assert console.get(progress_url).get_json() == {"status": "queued", "progress": 0}

    run_jobs(app)

    assert console.get(progress_url).get_json() == {"status": "ready", "progress": 100}
    page = console.get(f"/shops/{shop.id}").get_data(as_text=True)
    assert f'href="/shops/{shop.id}/exports/{export.id}/download"' in page
    assert "shops.export" in page and REASON in page  # in the trail on the same page


@pytest.mark.parametrize(
    ("form", "message"),
    [({"export-reason": ""}, "Say why"), ({"export-confirm": ""}, "Tick the box to confirm.")],
    ids=["no reason", "not confirmed"],
)
def test_a_forged_export_form_is_refused_and_starts_nothing(app, console, shop, form, message):
    data = {key: value for key, value in exporting(**form).items() if value != ""}

    response = console.post(f"/shops/{shop.id}/export", data=data)

    assert response.status_code == 400
    assert any(error.startswith(message) for error in field_errors(response)), field_errors(response)
    assert exports_of(app, shop.id) == [] and audit_entries(app, "shops.export") == []


def test_a_second_export_while_one_is_prepared_is_refused(app, console, shop):
    console.post(f"/shops/{shop.id}/export", data=exporting())

    response = console.post(f"/shops/{shop.id}/export", data=exporting())

    assert response.status_code == 409
    assert any("being prepared already" in message for message in flashes(response))
    assert len(exports_of(app, shop.id)) == 1 and len(audit_entries(app, "shops.export")) == 1


def test_an_expired_export_answers_410(app, console, shop, exported):
    with app.test_request_context(), tenant_scope(shop.id):
        db.session.execute(update(ShopExport).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()

    response = console.get(f"/shops/{shop.id}/exports/{exported.id}/download")

    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert audit_entries(app, "shops.export_downloaded") == []


def test_support_admins_may_neither_start_nor_download_an_export(app, support_console, shop, other_shop, exported):
    assert support_console.post(f"/shops/{shop.id}/export", data=exporting()).status_code == 403
    assert support_console.get(f"/shops/{shop.id}/exports/{exported.id}/download").status_code == 403
    page = support_console.get(f"/shops/{shop.id}").get_data(as_text=True)
    assert "Download ZIP" not in page and f'action="/shops/{shop.id}/export"' not in page
    assert len(exports_of(app, shop.id)) == 1


def test_an_export_is_reached_only_through_its_own_shop(app, console, shop, other_shop, exported):
    for path in ("progress", "download"):
        assert console.get(f"/shops/{other_shop.id}/exports/{exported.id}/{path}").status_code == 404
        assert console.get(f"/shops/999999/exports/{exported.id}/{path}").status_code == 404
        assert console.get(f"/shops/{shop.id}/exports/999999/{path}").status_code == 404
    assert console.post("/shops/999999/export", data=exporting()).status_code == 404


def test_the_shop_page_reads_the_same_number_of_queries_for_one_export_or_many(app, console, shop, count_queries):
    def exports_made(n: int) -> None:
        with app.test_request_context(), tenant_scope(shop.id):
            db.session.add_all(ShopExport(status="ready", progress=100) for _ in range(n))
            db.session.commit()

    exports_made(1)
    with count_queries() as few:
        assert console.get(f"/shops/{shop.id}").status_code == 200
    exports_made(9)
    with count_queries() as many:
        assert console.get(f"/shops/{shop.id}").status_code == 200

    assert len(many.statements) == len(few.statements)
