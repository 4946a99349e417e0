"""Access and erasure requests answered with the product's own tools: the export's link is mailed and the
request completed; an erasure answers what was erased and what the law keeps."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime

from saas.core.extensions import db
from saas.core.tasks.worker import run_worker
from saas.core.tenancy import tenant_scope
from saas.customers.models import Customer
from saas.privacy import holds, retention
from tests.fixtures.pages import flashes, redirect_path
from tests.privacy.center_helpers import event_actions, load, make_request
from tests.privacy.customer_history import customer_with_history, read

JANE = "jane@example.com"


def run_jobs(app) -> None:
    run_worker(app, wait=False, periodic=False, listen_notify=False)


def test_an_access_request_is_answered_with_a_link_to_the_persons_data(app, shop, owner_client, outbox):
    jane = customer_with_history(app, shop.id)
    customer_with_history(app, shop.id, name="Oscar Other", email="oscar@example.com", days_ahead=9)
    request_id = make_request(app, shop, "access", JANE)

    response = owner_client.post(f"/privacy-requests/{request_id}/export")

    assert response.status_code == 303 and load(app, shop.id, request_id).status == "in_progress"
    run_jobs(app)
    request = load(app, shop.id, request_id)
    assert request.status == "completed"
    assert event_actions(app, shop.id, request_id)[-3:] == ["export_started", "export_sent", "completed"]
    mail = outbox.last_to(JANE)
    assert mail["Subject"] == f"Your data from request #{request.number} is ready – Shop acme"
    link = re.search(r"http://acme\.\S+/privacy/exports/\S+", mail.get_content()).group(0)

    archive = zipfile.ZipFile(io.BytesIO(app.test_client().get(link).data))
    [record] = json.loads(archive.read("data.json"))["customers"]
    assert record["customer"]["id"] == jane.customer_id and record["customer"]["email"] == JANE
    assert b"oscar@example.com" not in b"".join(archive.read(name) for name in archive.namelist())


def test_an_erasure_request_erases_and_answers_what_is_kept_and_why(app, shop, owner_client, outbox):
    jane = customer_with_history(app, shop.id)
    request_id = make_request(app, shop, "erasure", JANE)

    response = owner_client.post(f"/privacy-requests/{request_id}/erase")

    assert response.status_code == 303
    assert read(app, shop.id, Customer, jane.customer_id)["anonymized_at"] is not None
    request = load(app, shop.id, request_id)
    assert request.status == "completed"
    answer = outbox.last_to(JANE).get_content()
    assert "Your personal data was erased:" in answer and "What we must keep, and why:" in answer
    assert "invoices and credit notes kept as issued" in answer
    page = owner_client.get(f"/privacy-requests/{request_id}").get_data(as_text=True)
    assert "Erased on" in page and "Erase their data and answer" not in page


def test_a_customer_on_legal_hold_is_not_erased_and_the_request_stays_open(app, shop, owner_client):
    jane = customer_with_history(app, shop.id)
    with app.test_request_context(), tenant_scope(shop.id):
        holds.place_hold(db.session.get(Customer, (shop.id, jane.customer_id)), "Insurance claim 118")
        db.session.commit()
    request_id = make_request(app, shop, "erasure", JANE)

    response = owner_client.post(f"/privacy-requests/{request_id}/erase")

    assert response.status_code == 303
    assert any(
        "on legal hold (Insurance claim 118)" in text for text in flashes(owner_client.get(redirect_path(response)))
    )
    assert read(app, shop.id, Customer, jane.customer_id)["anonymized_at"] is None
    assert load(app, shop.id, request_id).status == "verified"


def test_a_request_matching_nobody_cannot_be_exported_or_erased(app, shop, owner_client):
    request_id = make_request(app, shop, "access", "nobody@example.com")
    response = owner_client.post(f"/privacy-requests/{request_id}/export")
    assert "No customer record matches this request" in " ".join(flashes(owner_client.get(redirect_path(response))))


def test_the_tools_only_answer_their_own_kind(app, shop, owner_client):
    customer_with_history(app, shop.id)
    request_id = make_request(app, shop, "access", JANE)
    response = owner_client.post(f"/privacy-requests/{request_id}/erase")
    assert "This tool answers erasure requests, and this one is not." in " ".join(
        flashes(owner_client.get(redirect_path(response)))
    )


def test_retention_leaves_a_customer_with_an_open_request_alone(app, shop, owner_engine):
    from sqlalchemy import text

    jane = customer_with_history(app, shop.id)
    with owner_engine.begin() as conn:
        conn.execute(text("SELECT set_config('workbay.cross_tenant', 'on', true)"))
        conn.execute(text("UPDATE documents SET created_at = '2020-01-01', sensitive = true"))
        conn.execute(text("UPDATE work_orders SET status = 'closed', updated_at = '2020-01-01'"))
    make_request(app, shop, "access", JANE)
    with app.test_request_context(), tenant_scope(shop.id):
        run = retention.run_retention(dry_run=True, trigger="owner", now=datetime(2031, 1, 1, tzinfo=UTC))
        assert run.spared == 1
        assert {r["category"]: r["count"] for r in run.results}["id_documents"] == 0
        db.session.rollback()
    assert jane.document_id
