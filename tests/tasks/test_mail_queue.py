"""Mail through the task queue: enqueued with the change that causes it, delivered by the worker, once."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, ProgrammingError

from saas.core.extensions import db
from saas.core.mail import MAIL_TASK, deliver_queued, mail_job, send_mail
from saas.core.tasks.queue import Job, enqueue, worker_conninfo
from saas.core.tenancy import tenant_scope
from saas.core.tenant import Tenant
from tests.fixtures.mail import Outbox
from tests.tasks.helpers import run_pending_jobs


def send_reset_mail(to: str = "ada@example.com", subject: str = "Reset your password"):
    """Any message will do; this one renders a real template."""
    return send_mail(
        to,
        subject,
        "auth/email/password_reset",
        user=SimpleNamespace(name="Ada Lövelace"),
        shop=SimpleNamespace(name="Acme Repairs"),
        link="https://acme.workbay.test/reset-password/token",
        minutes=60,
    )


def outbox_of(app) -> Outbox:
    return Outbox(app.config["MAIL_OUTBOX_DIR"])


def test_committed_mail_waits_in_the_queue_and_not_in_the_outbox(queue_app, jobs):
    with queue_app.test_request_context():
        message = send_reset_mail()
        db.session.commit()

    [job] = jobs()
    assert (job["task_name"], job["status"]) == (MAIL_TASK, "todo")
    assert job["args"]["message_id"] == message["Message-ID"]
    assert job["lock"] == f"mail:{message['Message-ID']}"
    assert "Reset your password" in job["args"]["message"]
    assert outbox_of(queue_app).messages == []


def test_mail_of_a_rolled_back_transaction_is_never_enqueued(queue_app, jobs):
    with queue_app.test_request_context():
        send_reset_mail()
        db.session.rollback()
        db.session.commit()

    assert jobs() == []


def test_mail_and_the_change_that_sent_it_are_committed_together_or_not_at_all(queue_app, factory, jobs):
    factory.tenant("acme")
    with queue_app.test_request_context():
        send_reset_mail()
        db.session.add(Tenant(name="Duplicate", subdomain="acme", country="US"))
        with pytest.raises(IntegrityError, match="unique"):
            db.session.commit()
        db.session.rollback()

        send_reset_mail(subject="Welcome to Bravo")
        db.session.add(Tenant(name="Bravo", subdomain="bravo", country="US"))
        db.session.commit()
        assert db.session.scalar(select(Tenant.name).where(Tenant.subdomain == "bravo")) == "Bravo"

    assert [job["args"]["message"].count("Welcome to Bravo") for job in jobs()] == [1]


def test_nothing_is_enqueued_before_the_commit(queue_app, jobs):
    with queue_app.test_request_context():
        send_reset_mail()
        db.session.flush()
        assert jobs() == []
        db.session.commit()

    assert len(jobs()) == 1


def test_the_worker_delivers_queued_mail_to_the_outbox(queue_app, jobs):
    with queue_app.test_request_context():
        message = send_reset_mail()
        db.session.commit()

    run_pending_jobs(queue_app)

    [delivered] = outbox_of(queue_app).messages
    assert delivered["Message-ID"] == message["Message-ID"]
    assert delivered["Subject"] == "Reset your password"
    assert "Hello Ada Lövelace" in delivered.get_content()
    assert [job["status"] for job in jobs()] == ["succeeded"]


def test_mail_enqueued_while_no_worker_runs_is_delivered_when_a_worker_starts_later(queue_app, make_app, jobs):
    with queue_app.test_request_context():
        send_reset_mail(to="first@example.com")
        send_reset_mail(to="second@example.com")
        db.session.commit()
    assert [job["status"] for job in jobs()] == ["todo", "todo"]
    assert outbox_of(queue_app).messages == []

    # A worker started later, in another process with the same settings.
    later = make_app(MAIL_QUEUE=True)
    run_pending_jobs(later)

    assert sorted(m["To"] for m in outbox_of(later).messages) == ["first@example.com", "second@example.com"]
    assert [job["status"] for job in jobs()] == ["succeeded", "succeeded"]


def test_a_message_queued_twice_is_delivered_once(queue_app, jobs):
    with queue_app.test_request_context():
        message = send_reset_mail()
        db.session.commit()
        # The same message again, e.g. enqueued by a retrying producer.
        enqueue(db.session.connection(), [mail_job(message, None)])
        db.session.commit()

    run_pending_jobs(queue_app)

    assert len(outbox_of(queue_app).messages) == 1
    assert [job["status"] for job in jobs()] == ["succeeded", "succeeded"]


def test_running_a_delivered_job_again_does_not_send_it_again(queue_app, jobs):
    with queue_app.test_request_context():
        message = send_reset_mail()
        db.session.commit()
    run_pending_jobs(queue_app)
    [job] = jobs()

    with queue_app.app_context():
        assert deliver_queued(**job["args"]) == "already delivered"

    assert len(outbox_of(queue_app).messages) == 1
    assert outbox_of(queue_app).messages[0]["Message-ID"] == message["Message-ID"]


def test_a_failed_delivery_stays_in_the_queue_to_be_retried(make_app, jobs, owner_engine):
    broken = make_app(MAIL_QUEUE=True, MAIL_BACKEND="carrier-pigeon")
    with broken.test_request_context():
        send_reset_mail()
        db.session.commit()

    run_pending_jobs(broken)

    [job] = jobs()
    assert (job["status"], job["attempts"]) == ("todo", 1)
    assert job["scheduled_at"] is not None  # retried later, with a growing wait
    assert outbox_of(broken).messages == []

    # The mail server is back: the retry delivers.
    fixed = make_app(MAIL_QUEUE=True, MAIL_OUTBOX_DIR=broken.config["MAIL_OUTBOX_DIR"])
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE procrastinate.procrastinate_jobs SET scheduled_at = now()"))
    run_pending_jobs(fixed)
    assert len(outbox_of(fixed).messages) == 1


def test_the_job_carries_the_tenant_the_mail_was_sent_for(queue_app, factory, jobs):
    shop = factory.tenant("acme")
    with queue_app.test_request_context():
        with tenant_scope(shop.id):
            send_reset_mail(to="shop-mail@example.com")
        send_reset_mail(to="platform-mail@example.com")
        db.session.commit()

    assert {job["args"]["tenant_id"] for job in jobs()} == {shop.id, None}
    assert [job["args"]["tenant_id"] for job in jobs() if "shop-mail" in job["args"]["message"]] == [shop.id]
    run_pending_jobs(queue_app)
    assert len(outbox_of(queue_app).messages) == 2


def test_mail_from_a_request_is_delivered_by_the_worker(queue_app, factory, jobs):
    shop = factory.tenant("acme")
    owner = factory.owner(shop)
    client = queue_app.test_client()
    response = client.post(
        "/forgot-password", data={"email": owner.email}, base_url=f"http://acme.{queue_app.config['SERVER_NAME']}"
    )
    assert response.status_code == 302
    assert outbox_of(queue_app).messages == []
    assert [job["args"]["tenant_id"] for job in jobs()] == [shop.id]

    run_pending_jobs(queue_app)

    assert "password" in outbox_of(queue_app).last_to(owner.email)["Subject"]


def test_without_the_queue_mail_is_delivered_right_after_commit(app, outbox, jobs):
    with app.test_request_context():
        send_reset_mail()
        db.session.commit()

    assert len(outbox.messages) == 1
    assert jobs() == []


def test_the_worker_connects_with_the_apps_database_url_on_the_queues_schema():
    conninfo = worker_conninfo("postgresql+psycopg://workbay_app:secret@/workbay?host=%2Ftmp%2Fpg%20data")
    assert conninfo == (
        "host='/tmp/pg data' user=workbay_app password=secret dbname=workbay options='-c search_path=procrastinate'"
    )
    merged = worker_conninfo("postgresql+psycopg://app@db:5433/workbay?options=-c%20statement_timeout%3D5s")
    assert "port=5433" in merged and "options='-c statement_timeout=5s -c search_path=procrastinate'" in merged


def queued_messages(app, tenant_id: int | None) -> list[str]:
    """The queued mail the app role can read with raw SQL, as `tenant_id` (None: no shop, like the worker)."""
    with app.app_context(), tenant_scope(tenant_id):
        return list(db.session.scalars(text("SELECT args->>'message' FROM procrastinate.procrastinate_jobs")))


def test_a_shops_queued_mail_is_invisible_inside_another_shops_transaction(queue_app, factory):
    alpha, bravo = factory.tenant("alpha"), factory.tenant("bravo")
    with queue_app.test_request_context(), tenant_scope(alpha.id):
        send_reset_mail(to="alpha-owner@example.com")
        db.session.commit()

    assert queued_messages(queue_app, bravo.id) == []
    assert ["alpha-owner@example.com" in message for message in queued_messages(queue_app, alpha.id)] == [True]
    assert len(queued_messages(queue_app, None)) == 1  # the worker sees every shop's jobs


def test_a_shop_cannot_enqueue_a_job_in_another_shops_name(queue_app, factory, jobs):
    alpha, bravo = factory.tenant("alpha"), factory.tenant("bravo")
    with queue_app.app_context(), tenant_scope(alpha.id):
        with pytest.raises(ProgrammingError, match="row-level security"):
            enqueue(db.session.connection(), [Job(MAIL_TASK, {"tenant_id": bravo.id})])
        db.session.rollback()

    assert jobs() == []


def test_mail_is_enqueued_as_the_shop_it_was_sent_for_whatever_shop_is_active_at_commit(queue_app, factory, jobs):
    shop = factory.tenant("acme")
    with queue_app.test_request_context():
        send_reset_mail(to="platform@example.com")  # e.g. signup: sent before the shop exists
        with tenant_scope(shop.id):
            send_reset_mail(to="owner@example.com")
            db.session.commit()

    assert sorted(job["args"]["tenant_id"] or 0 for job in jobs()) == [0, shop.id]


def test_the_worker_logs_mail_jobs_without_their_links(queue_app, caplog):
    with queue_app.test_request_context():
        send_reset_mail()
        db.session.commit()

    with caplog.at_level(logging.DEBUG, logger="procrastinate"):
        run_pending_jobs(queue_app)

    job_lines = [record for record in caplog.records if record.name.startswith("procrastinate.worker")]
    assert any("mail.deliver[" in record.getMessage() for record in job_lines)
    assert any("message=<not logged>" in record.getMessage() for record in job_lines)
    assert not any("reset-password" in record.getMessage() for record in job_lines)
    assert not any("reset-password" in str(getattr(record, "job", "")) for record in job_lines)
