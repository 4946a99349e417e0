"""The console's health page: database, queue, failed jobs (with retry), mail backlog, storage, Stripe webhooks."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from saas.billing.models import StripeEvent
from saas.core.extensions import db
from saas.core.storage import StorageError
from saas.core.tasks.queue import Job, enqueue
from saas.core.tenancy import cross_tenant_scope
from tests.factories import log_in
from tests.fixtures.clients import host_client
from tests.fixtures.pages import flashes, redirect_path
from tests.platform.helpers import audit_entries

_ids = itertools.count(1)


def add_job(owner_engine, task: str = "mail.deliver", tenant_id: int | None = None, *, status: str = "todo",
            queued_ago: timedelta = timedelta(0), attempts: int = 0) -> int:  # fmt: skip
    """A job on the queue, queued `queued_ago`; a failed one went through running first, as with a worker."""
    with owner_engine.begin() as conn:
        [job_id] = enqueue(conn, [Job(task, {"tenant_id": tenant_id, "n": next(_ids)})])
        if status in ("doing", "failed", "succeeded"):
            conn.execute(
                text("UPDATE procrastinate.procrastinate_jobs SET status = 'doing' WHERE id = :id"), {"id": job_id}
            )
        if status != "todo":
            conn.execute(
                text("UPDATE procrastinate.procrastinate_jobs SET status = CAST(:status AS procrastinate.procrastinate_job_status), "
                     "attempts = :attempts WHERE id = :id"),
                {"status": status, "attempts": attempts, "id": job_id},
            )  # fmt: skip
        conn.execute(
            text("UPDATE procrastinate.procrastinate_events SET at = at - :ago WHERE job_id = :id"),
            {"ago": queued_ago, "id": job_id},
        )
    return job_id


def job_row(owner_engine, job_id: int) -> dict:
    with owner_engine.connect() as conn:
        return dict(
            conn.execute(
                text("SELECT status::text AS status, attempts, scheduled_at FROM procrastinate.procrastinate_jobs WHERE id = :id"),
                {"id": job_id},
            ).mappings().one()
        )  # fmt: skip


def check_state(page: str, key: str) -> str:
    """The state shown on a check's card."""
    card = page.split(f'id="check-{key}"')[1].split("</section>")[0]
    return re.search(r'data-state="(\w+)"', card)[1]


def card(page: str, key: str) -> str:
    return page.split(f'id="check-{key}"')[1].split("</section>")[0]


# --- the checks ------------------------------------------------------------------------------------


def test_a_healthy_platform_shows_every_check_with_its_thresholds(console):
    response = console.get("/health")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for key in ("database", "queue", "failed_jobs", "mail", "storage", "webhooks"):
        assert check_state(page, key) in ("ok", "warning")  # the database may answer slowly on a busy machine
        assert "ok: " in card(page, key).split('class="muted health-thresholds">')[1]
    assert "SELECT 1" in card(page, "database")
    assert "PostgreSQL" in card(page, "database")
    assert check_state(page, "queue") == "ok"
    assert "No job is waiting." in card(page, "queue")
    assert check_state(page, "storage") == "ok"
    assert "Billing is off" in card(page, "webhooks")
    assert "No failed job." in page


def test_queue_depth_counts_jobs_by_status_and_ages_the_oldest_waiting_one(console, owner_engine):
    add_job(owner_engine, "privacy.reminders", queued_ago=timedelta(minutes=12))
    add_job(owner_engine, "privacy.reminders")
    add_job(owner_engine, "privacy.reminders", status="succeeded")

    page = console.get("/health").get_data(as_text=True)

    queue = card(page, "queue")
    assert check_state(page, "queue") == "warning"
    assert "2 job(s) due, the oldest waiting 12 min." in queue
    assert "<dt>Due, waiting</dt><dd>2</dd>" in queue
    assert "<dt>Succeeded</dt><dd>1</dd>" in queue


def test_a_job_waiting_more_than_30_minutes_means_the_queue_is_down(console, owner_engine):
    add_job(owner_engine, "privacy.reminders", queued_ago=timedelta(hours=2))

    page = console.get("/health").get_data(as_text=True)

    assert check_state(page, "queue") == "down"
    assert 'id="health-overall">down<' in page


def test_mail_backlog_counts_waiting_mail_and_its_age(console, owner_engine, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_QUEUE", True)
    add_job(owner_engine, "mail.deliver", queued_ago=timedelta(minutes=7))
    add_job(owner_engine, "mail.deliver", status="doing")
    add_job(owner_engine, "mail.deliver", status="succeeded", queued_ago=timedelta(hours=5))
    add_job(owner_engine, "privacy.reminders", queued_ago=timedelta(hours=5))

    page = console.get("/health").get_data(as_text=True)

    assert check_state(page, "mail") == "warning"
    assert "2 message(s) waiting, the oldest for 7 min." in card(page, "mail")


def test_mail_sent_without_the_queue_has_no_backlog_and_says_so(console):
    page = console.get("/health").get_data(as_text=True)

    assert check_state(page, "mail") == "ok"
    assert "not through the queue" in card(page, "mail")


def test_failed_jobs_are_listed_with_task_shop_attempts_and_a_retry_button(console, owner_engine, factory):
    shop = factory.tenant("acme")
    job_id = add_job(owner_engine, "mail.deliver", shop.id, status="failed", attempts=5)
    add_job(owner_engine, "mail.deliver", shop.id, status="succeeded")

    page = console.get("/health").get_data(as_text=True)

    assert check_state(page, "failed_jobs") == "warning"
    row = page.split(f'id="job-{job_id}"')[1].split("</tr>")[0]
    assert "mail.deliver" in row
    assert f'<a href="/shops/{shop.id}">#{shop.id}</a>' in row
    assert '<td class="num">5</td>' in row
    assert f'action="/health/jobs/{job_id}/retry"' in row
    assert 'name="csrf_token"' in row
    assert page.count('id="job-') == 1


# --- retrying ---------------------------------------------------------------------------------------


def test_retry_puts_a_failed_job_back_to_waiting_and_is_audited(console, owner_engine, factory, admin, app):
    shop = factory.tenant("acme")
    job_id = add_job(owner_engine, "mail.deliver", shop.id, status="failed", attempts=5)

    response = console.post(f"/health/jobs/{job_id}/retry")

    assert response.status_code == 303
    assert redirect_path(response) == "/health#failed-jobs"
    assert job_row(owner_engine, job_id)["status"] == "todo"
    assert job_row(owner_engine, job_id)["attempts"] == 6
    [entry] = audit_entries(app, "jobs.retry")
    assert (entry.admin_id, entry.shop_id, entry.detail) == (admin.id, shop.id, f"job={job_id} task=mail.deliver")
    page = console.get("/health")
    assert f"Job #{job_id} (mail.deliver) is waiting to run again." in flashes(page)
    assert f'id="job-{job_id}"' not in page.get_data(as_text=True)


@pytest.mark.parametrize("status", ["todo", "doing", "succeeded"])
def test_a_job_that_has_not_failed_cannot_be_retried(console, owner_engine, app, status):
    job_id = add_job(owner_engine, "privacy.reminders", status=status)
    before = job_row(owner_engine, job_id)

    response = console.post(f"/health/jobs/{job_id}/retry")

    assert response.status_code == 409
    assert f"Job #{job_id} (privacy.reminders) is {status}, not failed" in response.get_data(as_text=True)
    assert job_row(owner_engine, job_id) == before
    assert audit_entries(app, "jobs.retry") == []


def test_retrying_a_job_that_does_not_exist_is_a_404(console, app):
    assert console.post("/health/jobs/999999/retry").status_code == 404
    assert console.post(f"/health/jobs/{2**70}/retry").status_code == 404
    assert audit_entries(app, "jobs.retry") == []


def test_a_retry_needs_the_form_token_of_the_page(make_app, factory, owner_engine):
    application = make_app()
    admin = factory.platform_admin()
    client = host_client(application, "admin.workbay.test")
    log_in(client, admin.email)
    job_id = add_job(owner_engine, status="failed")
    application.config["WTF_CSRF_ENABLED"] = True  # checked on each request: on from here

    forged = client.post(f"/health/jobs/{job_id}/retry")
    assert forged.status_code == 400
    assert job_row(owner_engine, job_id)["status"] == "failed"

    page = client.get("/health").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.split(f'id="job-{job_id}"')[1])[1]
    assert client.post(f"/health/jobs/{job_id}/retry", data={"csrf_token": token}).status_code == 303
    assert job_row(owner_engine, job_id)["status"] == "todo"


# --- parts that are down ------------------------------------------------------------------------------


def test_storage_misconfigured_shows_storage_down_and_the_page_still_answers(console, app, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "s3")
    monkeypatch.setitem(app.config, "S3_BUCKET", "")

    response = console.get("/health")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert check_state(page, "storage") == "down"
    assert "Down: S3_BUCKET is not set" in card(page, "storage")
    assert check_state(page, "queue") == "ok"


def test_an_unreachable_s3_endpoint_shows_storage_down(console, app, monkeypatch):
    for key, value in {"STORAGE_BACKEND": "s3", "S3_BUCKET": "workbay", "S3_REGION": "us-east-1",
                       "S3_ENDPOINT_URL": "http://127.0.0.1:9", "S3_ACCESS_KEY_ID": "test",
                       "S3_SECRET_ACCESS_KEY": "test"}.items():  # fmt: skip
        monkeypatch.setitem(app.config, key, value)

    response = console.get("/health.json")

    assert response.status_code == 503
    storage = response.get_json()["checks"]["storage"]
    assert storage["state"] == "down"
    assert "127.0.0.1:9" in storage["error"]


def test_a_storage_backend_that_fails_shows_down_with_its_reason(console, monkeypatch):
    class Broken:
        def exists(self, key):
            raise StorageError("AccessDenied: the bucket refused the lookup")

    monkeypatch.setattr("saas.platform.health.get_storage", lambda: Broken())

    page = console.get("/health").get_data(as_text=True)

    assert check_state(page, "storage") == "down"
    assert "AccessDenied: the bucket refused the lookup" in card(page, "storage")


def test_a_failing_queue_query_shows_the_queue_down_and_the_other_checks_still_run(console, monkeypatch):
    monkeypatch.setattr("saas.platform.health._QUEUE_STATS", text("SELECT * FROM procrastinate.no_such_table"))

    response = console.get("/health")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert check_state(page, "queue") == "down"
    assert check_state(page, "mail") == "down"
    assert check_state(page, "failed_jobs") == "ok"
    assert check_state(page, "storage") == "ok"


# --- Stripe webhooks -----------------------------------------------------------------------------------


def stripe_event(app, kind: str, received: datetime, lag: timedelta) -> None:
    with app.test_request_context(), cross_tenant_scope("test"):
        db.session.add(StripeEvent(id=f"evt_{next(_ids)}", type=kind, stripe_created=int((received - lag).timestamp()),
                                   received_at=received, outcome=""))  # fmt: skip
        db.session.commit()


def test_webhook_lag_is_the_largest_delay_of_the_last_24_hours(console, app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_health")
    now = datetime.now(UTC).replace(microsecond=0)  # Stripe's `created` is in whole seconds
    stripe_event(app, "invoice.paid", now - timedelta(hours=30), timedelta(hours=3))  # too old to count
    stripe_event(app, "customer.subscription.updated", now - timedelta(hours=2), timedelta(minutes=10))
    stripe_event(app, "invoice.paid", now - timedelta(minutes=20), timedelta(seconds=4))

    page = console.get("/health").get_data(as_text=True)

    webhooks = card(page, "webhooks")
    assert check_state(page, "webhooks") == "warning"
    assert "<dt>Largest lag</dt><dd>10 min</dd>" in webhooks
    assert "<dt>Events, last 24 h</dt><dd>2</dd>" in webhooks
    assert "invoice.paid" in webhooks
    data = console.get("/health.json").get_json()["checks"]["webhooks"]
    assert (data["billing"], data["events_24h"], data["largest_lag_seconds"]) == (True, 2, 600.0)


def test_webhooks_an_hour_late_are_down(console, app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_health")
    stripe_event(app, "invoice.paid", datetime.now(UTC) - timedelta(minutes=1), timedelta(hours=2))

    assert check_state(console.get("/health").get_data(as_text=True), "webhooks") == "down"


# --- JSON, query counts, who may see it ----------------------------------------------------------------


def test_health_json_has_the_same_checks_for_monitoring(console, owner_engine, factory):
    shop = factory.tenant("acme")
    job_id = add_job(owner_engine, "mail.deliver", shop.id, status="failed", attempts=2)

    response = console.get("/health.json")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "warning"
    assert set(body["checks"]) == {"database", "queue", "failed_jobs", "mail", "storage", "webhooks"}
    assert body["checks"]["failed_jobs"] == {
        "state": "warning",
        "summary": "1 failed job(s).",
        "thresholds": body["checks"]["failed_jobs"]["thresholds"],
        "failed": 1,
    }
    [job] = body["failed_jobs"]
    assert (job["id"], job["task"], job["shop_id"], job["attempts"]) == (job_id, "mail.deliver", shop.id, 2)
    assert "message" not in job  # a job's arguments (a queued e-mail with its links) are not shown


def health_queries(console, count_queries) -> int:
    with count_queries() as counter:
        assert console.get("/health").status_code == 200
    return counter.count


def test_the_page_takes_the_same_number_of_queries_for_3_and_30_failed_jobs(console, owner_engine, count_queries):
    for _ in range(3):
        add_job(owner_engine, status="failed")
    few = health_queries(console, count_queries)
    for _ in range(27):
        add_job(owner_engine, status="failed")
    many = health_queries(console, count_queries)

    assert few == many


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/health"), ("GET", "/health.json"), ("POST", "/health/jobs/1/retry")]
)
def test_visitors_who_are_not_logged_in_are_sent_to_the_console_login(admin_client, method, path):
    assert redirect_path(admin_client.open(path, method=method)).startswith("/login")


@pytest.mark.parametrize(("method", "path"), [("GET", "/health"), ("GET", "/health.json")])
def test_a_shop_session_does_not_open_the_health_page(admin_client, factory, login_as, method, path):
    shop = factory.tenant("acme")
    staff = login_as(factory.owner(shop), "acme")
    cookie = staff.get_cookie("workbay_session", domain="acme.workbay.test")

    admin_client.set_cookie("workbay_session", cookie.value, domain="admin.workbay.test")

    assert redirect_path(admin_client.open(path, method=method)).startswith("/login")


def test_a_shop_session_cannot_retry_a_job(admin_client, factory, login_as, owner_engine):
    shop = factory.tenant("acme")
    job_id = add_job(owner_engine, "mail.deliver", shop.id, status="failed")
    staff = login_as(factory.owner(shop), "acme")
    cookie = staff.get_cookie("workbay_session", domain="acme.workbay.test")
    admin_client.set_cookie("workbay_session", cookie.value, domain="admin.workbay.test")

    assert redirect_path(admin_client.post(f"/health/jobs/{job_id}/retry")).startswith("/login")
    assert staff.post(f"/health/jobs/{job_id}/retry").status_code == 404  # not a shop page either
    assert job_row(owner_engine, job_id)["status"] == "failed"


def test_support_admins_see_the_health_page_and_retry_jobs(factory, admin_client, owner_engine, app):
    support = factory.platform_admin("help@workbay.example.com", role="support")
    log_in(admin_client, support.email)
    job_id = add_job(owner_engine, status="failed")

    assert admin_client.get("/health").status_code == 200
    assert admin_client.get("/health.json").status_code == 200
    assert admin_client.post(f"/health/jobs/{job_id}/retry").status_code == 303
    assert job_row(owner_engine, job_id)["status"] == "todo"
    assert [entry.admin_id for entry in audit_entries(app, "jobs.retry")] == [support.id]
