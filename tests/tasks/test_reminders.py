"""Scheduled appointment reminders: an hourly fan-out, one job per shop, each run as that shop only."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from procrastinate.periodic import PeriodicDeferrer
from sqlalchemy import select, text, update

import saas.appointments.reminders as appointment_reminders
from saas.appointments.models import Appointment, AppointmentStatus
from saas.appointments.tasks import FAN_OUT_TASK, SHOP_TASK, send_shop_reminders
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tasks.queue import Job, enqueue
from saas.core.tasks.worker import build_queue, run_blocking
from saas.core.tenancy import active_tenant_id, tenant_scope
from saas.core.tenant import Tenant, TenantStatus
from tests.fixtures.mail import Outbox
from tests.tasks.helpers import run_pending_jobs


@pytest.fixture
def shops(factory, app):
    """Two live shops and a cancelled one."""
    alpha, bravo, closed = factory.tenant("alpha"), factory.tenant("bravo"), factory.tenant("closed")
    with app.app_context():
        db.session.execute(update(Tenant).where(Tenant.id == closed.id).values(status=TenantStatus.CANCELED))
        db.session.commit()
    return alpha, bravo, closed


@pytest.fixture
def seen(monkeypatch):
    """Replaces send_due_reminders; records what each call could see: its tenant, in the ORM and in SQL."""
    calls: list[dict] = []
    failing: set[int] = set()

    def fake_send_due_reminders():
        tenant_id = active_tenant_id()
        calls.append(
            {
                "tenant_id": tenant_id,
                "sql_setting": db.session.scalar(text("SELECT current_setting('workbay.tenant_id', true)")),
                "visible_shops": db.session.scalars(select(Tenant.subdomain)).all(),
            }
        )
        if tenant_id in failing:
            raise RuntimeError("mail server on fire")
        return 1

    monkeypatch.setattr(appointment_reminders, "send_due_reminders", fake_send_due_reminders)
    return SimpleRecorder(calls, failing)


class SimpleRecorder:
    def __init__(self, calls, failing):
        self.calls = calls
        self.failing = failing


def enqueue_fan_out(app) -> None:
    with app.app_context():
        enqueue(db.session.connection(), [Job(FAN_OUT_TASK, {"timestamp": 0})])
        db.session.commit()


def test_the_hourly_job_enqueues_one_job_per_live_shop_listing_shops_on_the_logged_path(
    queue_app, shops, seen, jobs, caplog
):
    alpha, bravo, _closed = shops
    enqueue_fan_out(queue_app)

    with caplog.at_level(logging.INFO, logger="saas.core.tenancy"):
        run_pending_jobs(queue_app)

    assert [(job["task_name"], job["status"]) for job in jobs()] == [
        (FAN_OUT_TASK, "succeeded"),
        (SHOP_TASK, "succeeded"),
        (SHOP_TASK, "succeeded"),
    ]
    assert [job["args"]["tenant_id"] for job in jobs(SHOP_TASK)] == [alpha.id, bravo.id]
    assert "cross-tenant access: appointment reminders: list the shops to remind" in caplog.text


def test_each_shop_job_runs_with_its_own_shop_active_in_the_orm_and_the_database(queue_app, shops, seen):
    alpha, bravo, _closed = shops
    enqueue_fan_out(queue_app)

    run_pending_jobs(queue_app)

    assert sorted(seen.calls, key=lambda call: call["tenant_id"]) == [
        {"tenant_id": alpha.id, "sql_setting": str(alpha.id), "visible_shops": ["alpha"]},
        {"tenant_id": bravo.id, "sql_setting": str(bravo.id), "visible_shops": ["bravo"]},
    ]


def test_a_failing_shop_does_not_stop_the_others(queue_app, shops, seen, jobs):
    alpha, bravo, _closed = shops
    seen.failing.add(alpha.id)
    enqueue_fan_out(queue_app)

    run_pending_jobs(queue_app)

    assert {job["args"]["tenant_id"]: job["status"] for job in jobs(SHOP_TASK)} == {
        alpha.id: "failed",
        bravo.id: "succeeded",
    }


@pytest.mark.parametrize("fails", [False, True])
def test_the_tenant_is_reset_after_a_shop_job_whether_it_succeeds_or_fails(app, shops, seen, fails):
    alpha = shops[0]
    if fails:
        seen.failing.add(alpha.id)
    with app.app_context():
        if fails:
            with pytest.raises(RuntimeError):
                send_shop_reminders(alpha.id)
        else:
            assert send_shop_reminders(alpha.id) == 1

        assert active_tenant_id() is None
        assert db.session.scalar(text("SELECT coalesce(current_setting('workbay.tenant_id', true), '')")) == ""
    assert [call["tenant_id"] for call in seen.calls] == [alpha.id]


def test_due_reminders_reach_customers_through_the_queue(queue_app, factory, shops):
    alpha = shops[0]
    customer = factory.customer(alpha, name="Grace Hopper", email="grace@example.com")
    tomorrow_ten = datetime.combine(utcnow().date() + timedelta(days=1), time(10), tzinfo=ZoneInfo("UTC"))
    with queue_app.app_context(), tenant_scope(alpha.id):
        db.session.add(
            Appointment(
                customer_id=customer.id,
                starts_at=tomorrow_ten,
                ends_at=tomorrow_ten + timedelta(hours=1),
                status=AppointmentStatus.CONFIRMED,
            )
        )
        db.session.commit()
    enqueue_fan_out(queue_app)

    run_pending_jobs(queue_app)  # the fan-out, the shops' jobs, then the mail they enqueued

    reminder = Outbox(queue_app.config["MAIL_OUTBOX_DIR"]).last_to("grace@example.com")
    assert "Reminder" in reminder["Subject"]
    with queue_app.app_context(), tenant_scope(alpha.id):
        assert db.session.scalar(select(Appointment.reminder_sent_at)) is not None


def test_the_schedule_defers_the_fan_out_hourly_once_however_many_workers_run(queue_app, jobs):
    queue = build_queue(queue_app)
    schedule = {name: task.cron for (name, _id), task in queue.periodic_registry.periodic_tasks.items()}
    assert schedule[FAN_OUT_TASK] == "0 * * * *"
    assert build_queue(queue_app, periodic=False).periodic_registry.periodic_tasks == {}

    periodic_task = queue.periodic_registry.periodic_tasks[(FAN_OUT_TASK, "")]
    top_of_the_hour = 1_800_000_000 - 1_800_000_000 % 3600

    async def two_workers_defer_the_same_hour():
        async with queue.open_async():
            for _worker in range(2):
                await PeriodicDeferrer(registry=queue.periodic_registry).defer_jobs([(periodic_task, top_of_the_hour)])

    run_blocking(lambda: asyncio.run(two_workers_defer_the_same_hour()))

    assert [job["args"] for job in jobs(FAN_OUT_TASK)] == [{"timestamp": top_of_the_hour}]
