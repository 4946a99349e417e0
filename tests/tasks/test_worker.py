"""Ways to run the worker (`flask worker`, in-process for `make run`) and the queue's upkeep."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text

from saas.core.embedded_db import drop_database, ensure_database
from saas.core.extensions import db
from saas.core.mail import send_mail
from saas.core.tasks.housekeeping import prune_finished_jobs
from saas.core.tasks.worker import BackgroundWorker, run_blocking
from tests.fixtures.mail import Outbox
from tests.tasks.helpers import run_pending_jobs


def send_one(app, to: str = "someone@example.com") -> None:
    with app.test_request_context():
        send_mail(to, "Hello", "auth/email/password_reset", user={"name": "X"}, shop={"name": "Y"}, link="L", minutes=1)
        db.session.commit()


def test_flask_worker_once_delivers_what_is_waiting_and_exits(queue_app):
    send_one(queue_app)

    result = queue_app.test_cli_runner().invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert [m["To"] for m in Outbox(queue_app.config["MAIL_OUTBOX_DIR"]).messages] == ["someone@example.com"]


def test_the_in_process_worker_delivers_mail_soon_after_commit_and_stops_cleanly(queue_app):
    worker = BackgroundWorker(queue_app, fetch_job_polling_interval=0.5).start()
    try:
        send_one(queue_app)
        outbox = Outbox(queue_app.config["MAIL_OUTBOX_DIR"])
        deadline = time.monotonic() + 15
        while not outbox.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [m["To"] for m in outbox.messages] == ["someone@example.com"]
    finally:
        worker.stop()
    assert not worker.running


def test_jobs_finished_more_than_30_days_ago_are_pruned_and_failed_ones_kept(queue_app, jobs, owner_engine):
    for address in ("old@example.com", "recent@example.com", "failed@example.com"):
        send_one(queue_app, address)
    run_pending_jobs(queue_app)
    old, recent, failed = jobs()
    with owner_engine.begin() as conn:
        conn.execute(
            text("UPDATE procrastinate.procrastinate_jobs SET status = 'failed' WHERE id = :id"), {"id": failed["id"]}
        )
        conn.execute(
            text("UPDATE procrastinate.procrastinate_events SET at = now() - interval '31 days' WHERE job_id <> :id"),
            {"id": recent["id"]},
        )

    with queue_app.app_context():
        assert prune_finished_jobs() == 1

    assert [job["id"] for job in jobs()] == [recent["id"], failed["id"]]
    assert old["id"] not in [job["id"] for job in jobs()]


def test_flask_worker_says_so_when_the_migrations_have_not_run(make_app, server_url):
    drop_database(server_url, "workbay_tasks_unmigrated")
    urls = ensure_database(server_url, "workbay_tasks_unmigrated")
    try:
        result = make_app(SQLALCHEMY_DATABASE_URI=urls.app).test_cli_runner().invoke(args=["worker", "--once"])
        assert result.exit_code != 0
        assert "run `flask db upgrade` first" in result.output
    finally:
        drop_database(server_url, "workbay_tasks_unmigrated")


def test_the_worker_also_runs_from_a_thread_that_already_runs_an_event_loop(queue_app):
    send_one(queue_app)

    async def inside_a_running_loop():  # e.g. a test harness or an async server embedding us
        run_pending_jobs(queue_app)

    run_blocking(lambda: asyncio.run(inside_a_running_loop()))

    assert len(Outbox(queue_app.config["MAIL_OUTBOX_DIR"]).messages) == 1
