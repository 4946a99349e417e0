"""The platform's health: database, task queue, failed jobs, mail backlog, storage, Stripe webhooks.

Each check answers ok, warning or down against the thresholds it states, and never raises: a part
that cannot be reached (storage misconfigured, a query refused) is reported down with the reason,
so the page and `/health.json` always answer. Database checks run in savepoints, so one failing
query does not spoil the others. The queue's tables (procrastinate's, schema `procrastinate`) hold
every shop's jobs behind row-level security: they are read inside `cross_tenant_scope`.

Failed jobs listed here can be retried (saas.platform.jobs).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import extract, func, select, text

from saas.billing import stripe_gateway
from saas.billing.models import StripeEvent
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.mail import MAIL_TASK, mail_queue_enabled
from saas.core.storage import get_storage
from saas.core.tasks.queue import QUEUE_SCHEMA
from saas.core.tenancy import cross_tenant_scope, is_valid_id

log = logging.getLogger(__name__)

OK, WARNING, DOWN = "ok", "warning", "down"
_SEVERITY = {OK: 0, WARNING: 1, DOWN: 2}

DATABASE_SLOW_MS = 100
QUEUE_WAIT_WARNING, QUEUE_WAIT_DOWN = timedelta(minutes=5), timedelta(minutes=30)
MAIL_WAIT_WARNING, MAIL_WAIT_DOWN = timedelta(minutes=5), timedelta(minutes=30)
STORAGE_SLOW_MS = 1000
WEBHOOK_LAG_WARNING, WEBHOOK_LAG_DOWN = timedelta(minutes=5), timedelta(hours=1)
WEBHOOK_WINDOW = timedelta(hours=24)
WORKER_ALIVE = timedelta(minutes=1)
FAILED_SHOWN = 50
# build_key makes uuid4 hex keys, whose 13th digit is always 4: this key is never an object of ours.
PROBE_KEY = "tenants/1/health_probe/" + "0" * 32


def _age(delta: timedelta | None) -> str:
    """A duration for people: 40 s, 12 min, 3 h 5 min, 2 days."""
    if delta is None:
        return "—"
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        hours, minutes = seconds // 3600, seconds % 3600 // 60
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{seconds // 86400} days"


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment else None


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%d %b %Y, %H:%M} UTC" if moment else "—"


def _by_threshold(value, warning, down) -> str:
    if value is None:
        return OK
    return DOWN if value >= down else WARNING if value >= warning else OK


@dataclass(frozen=True)
class Check:
    """One part of the platform: its state, a sentence, the figures behind it and the thresholds used."""

    key: str
    name: str
    state: str
    summary: str
    thresholds: str
    facts: tuple[tuple[str, str], ...] = ()  # (label, value) as the page shows them
    data: dict[str, Any] = field(default_factory=dict)  # the same figures for monitoring (JSON)

    def as_json(self) -> dict[str, Any]:
        """The check for `/health.json`."""
        return {"state": self.state, "summary": self.summary, "thresholds": self.thresholds, **self.data}


@dataclass(frozen=True)
class FailedJob:
    """A job that failed for good (its retries used up), as the page lists it."""

    id: int
    task: str
    shop_id: int | None
    failed_at: datetime | None
    attempts: int
    queue: str
    error: str | None = None  # procrastinate keeps no error text: the worker's log has it

    def as_json(self) -> dict[str, Any]:
        """The job for `/health.json`."""
        failed_at = self.failed_at.astimezone(UTC).isoformat() if self.failed_at else None
        return {"id": self.id, "task": self.task, "shop_id": self.shop_id, "failed_at": failed_at,
                "attempts": self.attempts, "queue": self.queue, "error": self.error}  # fmt: skip


@dataclass(frozen=True)
class Health:
    """Every check, and the latest failed jobs."""

    checked_at: datetime
    checks: list[Check]
    failed_jobs: list[FailedJob]

    @property
    def state(self) -> str:
        """The worst state of any check."""
        return max((check.state for check in self.checks), key=_SEVERITY.__getitem__, default=OK)

    def as_json(self) -> dict[str, Any]:
        """Everything, for monitoring."""
        return {
            "status": self.state,
            "checked_at": self.checked_at.isoformat(),
            "checks": {check.key: check.as_json() for check in self.checks},
            "failed_jobs": [job.as_json() for job in self.failed_jobs],
        }


def platform_health() -> Health:
    """Run every check (a fixed number of queries); parts that fail are reported down, never raised."""
    now = utcnow()
    with cross_tenant_scope("platform health checks"):
        database = _guarded("database", "Database", DATABASE_THRESHOLDS, _database)
        queue, mail = _queue_checks(now)
        failed, failed_jobs = _failed_jobs()
        webhooks = _guarded("webhooks", "Stripe webhooks", WEBHOOK_THRESHOLDS, lambda: _webhooks(now))
    storage = _storage()
    return Health(now, [database, queue, failed, mail, storage, webhooks], failed_jobs)


def _down(key: str, name: str, thresholds: str, error: Exception) -> Check:
    log.warning("health check %s failed: %s: %s", key, type(error).__name__, error)
    reason = str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__
    return Check(key, name, DOWN, f"Down: {reason}", thresholds, data={"error": reason})


def _guarded(key: str, name: str, thresholds: str, probe: Callable[[], Check]) -> Check:
    """Run a database check in a savepoint; any failure is that part being down (never the page's 500)."""
    try:
        with db.session.begin_nested():
            return probe()
    except Exception as error:  # a health check reports what broke instead of breaking the page
        return _down(key, name, thresholds, error)


# --- database -------------------------------------------------------------------------------------

DATABASE_THRESHOLDS = f"ok: SELECT 1 answers within {DATABASE_SLOW_MS} ms; warning: slower; down: no answer."


def _database() -> Check:
    started = time.perf_counter()
    db.session.execute(text("SELECT 1"))
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    version, size = db.session.execute(
        text("SELECT current_setting('server_version'), pg_database_size(current_database())")
    ).one()
    state = WARNING if elapsed_ms >= DATABASE_SLOW_MS else OK
    return Check(
        "database",
        "Database",
        state,
        f"Reachable, SELECT 1 in {elapsed_ms} ms." if state == OK else f"Slow: SELECT 1 took {elapsed_ms} ms.",
        DATABASE_THRESHOLDS,
        (("Round trip", f"{elapsed_ms} ms"), ("PostgreSQL", version), ("Database size", f"{size / 1024**2:.1f} MB")),
        {"round_trip_ms": elapsed_ms, "server_version": version, "size_bytes": int(size)},
    )


# --- the task queue and the mail waiting in it ------------------------------------------------------

QUEUE_THRESHOLDS = (
    f"ok: the oldest job due waits less than {_age(QUEUE_WAIT_WARNING)}; warning: from {_age(QUEUE_WAIT_WARNING)}; "
    f"down: from {_age(QUEUE_WAIT_DOWN)} (no worker is taking jobs)."
)
MAIL_THRESHOLDS = (
    f"ok: the oldest message waits less than {_age(MAIL_WAIT_WARNING)}; warning: from {_age(MAIL_WAIT_WARNING)}; "
    f"down: from {_age(MAIL_WAIT_DOWN)}."
)
FAILED_THRESHOLDS = "ok: no failed job; warning: one or more (each waits for a retry or a look at the worker's log)."

# One row per (status, mail or not, due or scheduled later): how many, and since when they wait.
# A job's age counts from its scheduled time, else from when it was queued (its 'deferred' event).
_QUEUE_STATS = text(
    f"""
    SELECT job.status::text AS status, job.task_name = :mail AS is_mail,
           job.status = 'todo' AND (job.scheduled_at IS NULL OR job.scheduled_at <= :now) AS due,
           count(*) AS jobs,
           min(coalesce(job.scheduled_at, queued.at)) AS waiting_since,
           min(queued.at) AS queued_since
    FROM {QUEUE_SCHEMA}.procrastinate_jobs AS job
    LEFT JOIN {QUEUE_SCHEMA}.procrastinate_events AS queued ON queued.job_id = job.id AND queued.type = 'deferred'
    GROUP BY 1, 2, 3
    """
)
_WORKERS = text(f"SELECT count(*) FROM {QUEUE_SCHEMA}.procrastinate_workers WHERE last_heartbeat > :since")


def _queue_checks(now: datetime) -> tuple[Check, Check]:
    try:
        with db.session.begin_nested():
            rows = db.session.execute(_QUEUE_STATS, {"mail": MAIL_TASK, "now": now}).all()
            workers = db.session.execute(_WORKERS, {"since": now - WORKER_ALIVE}).scalar_one()
    except Exception as error:  # reported as both parts down, the page still answers
        return (
            _down("queue", "Task queue", QUEUE_THRESHOLDS, error),
            _down("mail", "Mail backlog", MAIL_THRESHOLDS, error),
        )
    return _queue(now, rows, workers), _mail(now, rows)


def _oldest(moments) -> datetime | None:
    moments = [moment for moment in moments if moment is not None]
    return min(moments) if moments else None


def _queue(now: datetime, rows, workers: int) -> Check:
    counts = {"waiting": 0, "scheduled": 0, "doing": 0, "failed": 0, "succeeded": 0, "cancelled": 0, "aborted": 0}
    for row in rows:
        key = ("waiting" if row.due else "scheduled") if row.status == "todo" else row.status
        counts[key] = counts.get(key, 0) + row.jobs
    oldest = _oldest(row.waiting_since for row in rows if row.due)
    wait = now - oldest if oldest else None
    state = _by_threshold(wait, QUEUE_WAIT_WARNING, QUEUE_WAIT_DOWN)
    summary = (
        f"{counts['waiting']} job(s) due, the oldest waiting {_age(wait)}."
        if counts["waiting"]
        else "No job is waiting."
    )
    labels = {"waiting": "Due, waiting", "scheduled": "Scheduled for later", "doing": "Running"}
    facts = [(labels.get(key, key.capitalize()), str(count)) for key, count in counts.items()]
    facts += [("Oldest due job waits", _age(wait)), ("Workers seen in the last minute", str(workers))]
    data = {"jobs": counts, "oldest_waiting_seconds": int(wait.total_seconds()) if wait else None, "workers": workers}
    return Check("queue", "Task queue", state, summary, QUEUE_THRESHOLDS, tuple(facts), data)


def _mail(now: datetime, rows) -> Check:
    if not mail_queue_enabled():
        return Check(
            "mail", "Mail backlog", OK, "Mail is sent directly, not through the queue (MAIL_QUEUE is off).",
            MAIL_THRESHOLDS, data={"queued": False},
        )  # fmt: skip
    backlog = [row for row in rows if row.is_mail and row.status in ("todo", "doing")]
    count = sum(row.jobs for row in backlog)
    oldest = _oldest(row.queued_since for row in backlog)
    wait = now - oldest if oldest else None
    state = _by_threshold(wait, MAIL_WAIT_WARNING, MAIL_WAIT_DOWN)
    summary = f"{count} message(s) waiting, the oldest for {_age(wait)}." if count else "No mail is waiting."
    facts = (("Messages waiting or being sent", str(count)), ("Oldest queued", _age(wait)))
    data = {"queued": True, "messages": count, "oldest_seconds": int(wait.total_seconds()) if wait else None}
    return Check("mail", "Mail backlog", state, summary, MAIL_THRESHOLDS, facts, data)


_FAILED_JOBS = text(
    f"""
    SELECT job.id, job.task_name, job.args->>'tenant_id' AS shop, job.attempts, job.queue_name,
           (SELECT max(event.at) FROM {QUEUE_SCHEMA}.procrastinate_events AS event
            WHERE event.job_id = job.id AND event.type = 'failed') AS failed_at,
           count(*) OVER () AS total
    FROM {QUEUE_SCHEMA}.procrastinate_jobs AS job
    WHERE job.status = 'failed'
    ORDER BY failed_at DESC NULLS LAST, job.id DESC
    LIMIT :limit
    """
)


def shop_id_of(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and is_valid_id(int(value)) else None


def _failed_jobs() -> tuple[Check, list[FailedJob]]:
    try:
        with db.session.begin_nested():
            rows = db.session.execute(_FAILED_JOBS, {"limit": FAILED_SHOWN}).all()
    except Exception as error:  # reported down, the page still answers
        return _down("failed_jobs", "Failed jobs", FAILED_THRESHOLDS, error), []
    jobs = [
        FailedJob(row.id, row.task_name, shop_id_of(row.shop), _utc(row.failed_at), row.attempts, row.queue_name)
        for row in rows
    ]
    total = rows[0].total if rows else 0
    summary = f"{total} failed job(s)." if total else "No failed job."
    if total > len(jobs):
        summary += f" The latest {len(jobs)} are listed."
    return Check("failed_jobs", "Failed jobs", WARNING if total else OK, summary, FAILED_THRESHOLDS,
                 (("Failed", str(total)),), {"failed": total}), jobs  # fmt: skip


# --- storage ----------------------------------------------------------------------------------------

STORAGE_THRESHOLDS = (
    f"ok: looking up a key answers within {STORAGE_SLOW_MS} ms; warning: slower; down: an error or no backend."
)


def _storage() -> Check:
    backend = str(current_app.config.get("STORAGE_BACKEND") or "local")
    try:
        storage = get_storage()
        started = time.perf_counter()
        storage.exists(PROBE_KEY)
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    except Exception as error:  # StorageError, and the S3 client's own (no network, bad endpoint): down, not a 500
        return _down("storage", "Storage", STORAGE_THRESHOLDS, error)
    state = WARNING if elapsed_ms >= STORAGE_SLOW_MS else OK
    summary = f"Reachable, a lookup in {elapsed_ms} ms." if state == OK else f"Slow: a lookup took {elapsed_ms} ms."
    facts = (("Backend", backend), ("Lookup", f"{elapsed_ms} ms"))
    return Check("storage", "Storage", state, summary, STORAGE_THRESHOLDS, facts,
                 {"backend": backend, "lookup_ms": elapsed_ms})  # fmt: skip


# --- Stripe webhooks ----------------------------------------------------------------------------------

WEBHOOK_THRESHOLDS = (
    f"Lag: from Stripe creating an event to our receiving it, the largest over the last {_age(WEBHOOK_WINDOW)}. "
    f"ok: under {_age(WEBHOOK_LAG_WARNING)}; warning: from {_age(WEBHOOK_LAG_WARNING)}; "
    f"down: from {_age(WEBHOOK_LAG_DOWN)} (Stripe retries deliveries that fail)."
)


def _webhooks(now: datetime) -> Check:
    if not stripe_gateway.enabled():
        return Check("webhooks", "Stripe webhooks", OK, "Billing is off (no STRIPE_SECRET_KEY): no webhooks expected.",
                     WEBHOOK_THRESHOLDS, data={"billing": False})  # fmt: skip
    last = db.session.execute(
        select(StripeEvent.received_at, StripeEvent.type).order_by(StripeEvent.received_at.desc()).limit(1)
    ).first()
    lag = StripeEvent.received_at - func.to_timestamp(StripeEvent.stripe_created)
    events, largest = db.session.execute(
        select(func.count(), func.max(extract("epoch", lag))).where(
            StripeEvent.received_at > now - WEBHOOK_WINDOW, StripeEvent.stripe_created > 0
        )
    ).one()
    largest_lag = timedelta(seconds=float(largest)) if largest is not None else None
    state = _by_threshold(largest_lag, WEBHOOK_LAG_WARNING, WEBHOOK_LAG_DOWN)
    if last is None:
        summary = "No event received yet."
    else:
        summary = f"Last event {_age(now - last.received_at)} ago; largest lag today {_age(largest_lag)}."
    facts = (
        ("Last event", f"{last.type}, {_when(last.received_at)}" if last else "—"),
        ("Last event's age", _age(now - last.received_at) if last else "—"),
        (f"Events, last {_age(WEBHOOK_WINDOW)}", str(events)),
        ("Largest lag", _age(largest_lag)),
    )
    data = {
        "billing": True,
        "last_event_at": last.received_at.astimezone(UTC).isoformat() if last else None,
        "last_event_type": last.type if last else None,
        "events_24h": events,
        "largest_lag_seconds": round(largest_lag.total_seconds(), 1) if largest_lag is not None else None,
    }
    return Check("webhooks", "Stripe webhooks", state, summary, WEBHOOK_THRESHOLDS, facts, data)
