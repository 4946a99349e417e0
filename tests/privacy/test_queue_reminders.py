"""The queue's daily job (one per shop, through the real task queue) and what restriction and objection
stop elsewhere: appointment reminders."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from saas.appointments.models import Appointment, AppointmentStatus
from saas.appointments.reminders import send_due_reminders
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tasks.queue import Job, enqueue
from saas.core.tasks.worker import build_queue, run_worker
from saas.core.tenancy import tenant_scope
from saas.privacy.request_models import PrivacyRequest
from saas.privacy.tasks import DAILY, FAN_OUT_TASK, SHOP_TASK, privacy_upkeep_for_shop
from tests.fixtures.mail import Outbox
from tests.fixtures.shops import update_shop
from tests.privacy.center_helpers import ago, load, make_request


@pytest.fixture
def queue_app(make_app):
    """The app as production runs it: mail goes through the task queue."""
    return make_app(MAIL_QUEUE=True)


def job_statuses(owner_engine) -> list[tuple[str, str]]:
    with owner_engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(text("SELECT task_name, status FROM procrastinate.procrastinate_jobs ORDER BY id"))
        ]


def test_each_shops_owners_get_one_daily_mail_about_their_urgent_and_overdue_requests(
    app, queue_app, factory, shop, other_shop, owner_engine
):
    urgent = make_request(app, shop, "access", "urgent@example.com", when=ago(27))
    overdue = make_request(app, shop, "erasure", "overdue@example.com", when=ago(40))
    make_request(app, shop, "access", "fresh@example.com", when=ago(2))
    answered = make_request(app, shop, "access", "answered@example.com", when=ago(40))
    make_request(app, other_shop, "access", "fresh@example.com", when=ago(2))
    make_request(app, other_shop, "access", "bravo-urgent@example.com", when=ago(28))
    suspended = factory.tenant("shut")
    make_request(app, suspended, "access", "late@example.com", when=ago(40))
    update_shop(app, suspended.id, suspended_at=utcnow())
    with app.test_request_context(), tenant_scope(shop.id):  # answered requests are no one's worry
        db.session.get(PrivacyRequest, (shop.id, answered)).status = "completed"
        db.session.commit()
    with queue_app.app_context():
        enqueue(db.session.connection(), [Job(FAN_OUT_TASK, {"timestamp": 0})])
        db.session.commit()

    run_worker(queue_app, wait=False, periodic=False, listen_notify=False)

    mails = {mail["To"]: mail for mail in Outbox(queue_app.config["MAIL_OUTBOX_DIR"]).messages}
    assert {to: mail["Subject"] for to, mail in mails.items()} == {
        "owner@acme.example.com": "1 privacy request overdue – Shop acme",
        "owner@bravo.example.com": "1 privacy request due soon – Shop bravo",
    }
    body = mails["owner@acme.example.com"].get_content()
    assert "bravo-urgent@example.com" not in body  # each shop's owners hear about their own requests only
    assert "bravo-urgent@example.com" in mails["owner@bravo.example.com"].get_content()
    assert "urgent@example.com" not in mails["owner@bravo.example.com"].get_content().replace("bravo-urgent", "")
    for request_id, address in ((urgent, "urgent@example.com"), (overdue, "overdue@example.com")):
        assert f"#{load(app, shop.id, request_id).number} " in body and address in body
    assert "OVERDUE" in body and "fresh@example.com" not in body and "answered@example.com" not in body
    assert "http://acme.workbay.test/privacy-requests?urgent=1" in body
    statuses = job_statuses(owner_engine)
    assert statuses.count((SHOP_TASK, "succeeded")) == 2  # acme and bravo; the suspended shop is not listed
    assert all(status == "succeeded" for _, status in statuses)


def test_requests_never_confirmed_are_dropped_after_30_days_with_their_history(app, shop):
    stale = make_request(app, shop, "access", "stale@example.com", when=ago(31), verify=False)
    recent = make_request(app, shop, "access", "recent@example.com", when=ago(1), verify=False)
    confirmed = make_request(app, shop, "access", "confirmed@example.com", when=ago(31))

    with app.app_context():
        result = privacy_upkeep_for_shop(shop.id)

    with app.test_request_context(), tenant_scope(shop.id):
        kept = set(db.session.scalars(select(PrivacyRequest.id)))
    assert result["dropped"] == 1
    assert kept == {recent, confirmed} and stale not in kept


def test_the_upkeep_is_scheduled_daily(queue_app):
    queue = build_queue(queue_app)

    schedule = {name: task.cron for (name, _id), task in queue.periodic_registry.periodic_tasks.items()}

    assert schedule[FAN_OUT_TASK] == DAILY == "0 7 * * *"


@pytest.mark.parametrize("kind", ["restriction", "objection"])
def test_a_customer_who_restricted_or_objected_gets_no_appointment_reminder(app, factory, shop, outbox, kind):
    limited = factory.customer(shop, name="Ada Lovelace", email="ada@example.com")
    other = factory.customer(shop, name="Grace Hopper", email="grace@example.com")
    make_request(app, shop, kind, "ada@example.com")
    tomorrow_ten = datetime.combine(utcnow().date() + timedelta(days=1), time(10), tzinfo=ZoneInfo("UTC"))
    with app.test_request_context(), tenant_scope(shop.id):
        for hours, customer in enumerate((limited, other)):
            db.session.add(
                Appointment(
                    customer_id=customer.id,
                    starts_at=tomorrow_ten + timedelta(hours=2 * hours),
                    ends_at=tomorrow_ten + timedelta(hours=2 * hours + 1),
                    status=AppointmentStatus.CONFIRMED,
                )
            )
        db.session.commit()

    with app.test_request_context(), tenant_scope(shop.id):
        sent = send_due_reminders()
        db.session.commit()
        reminded = dict(db.session.execute(select(Appointment.customer_id, Appointment.reminder_sent_at)).all())

    assert sent == 1
    assert reminded[limited.id] is None and reminded[other.id] is not None
    assert [m["To"] for m in outbox.messages if "Reminder" in m["Subject"]] == ["grace@example.com"]
