"""Retrying a failed background job from the console: it goes back to waiting, through procrastinate's
own SQL function, and runs again when a worker picks it up."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.tasks.queue import QUEUE_SCHEMA
from saas.core.tenancy import cross_tenant_scope, is_valid_id
from saas.platform.health import shop_id_of


class JobRetryError(ServiceError):
    """A job that cannot be retried (the message is safe to show)."""


@dataclass(frozen=True)
class RetriedJob:
    """What was put back on the queue."""

    id: int
    task: str
    shop_id: int | None


_LOCK_JOB = text(
    f"SELECT id, task_name, status::text AS status, args->>'tenant_id' AS shop "
    f"FROM {QUEUE_SCHEMA}.procrastinate_jobs WHERE id = :id FOR UPDATE"
)
_RETRY = text(f"SELECT {QUEUE_SCHEMA}.procrastinate_retry_job_v2(:id, :at, NULL, NULL, NULL)")


def retry_failed_job(job_id: int) -> RetriedJob:
    """Put failed job `job_id` back to waiting, due now (404 unknown; 409 when it is not failed). Flushes only."""
    if not is_valid_id(job_id):
        raise JobRetryError(f"There is no job #{job_id}.", status=404)
    with cross_tenant_scope(f"platform: retry of job {job_id}"):
        job = db.session.execute(_LOCK_JOB, {"id": job_id}).first()
        if job is None:
            raise JobRetryError(f"There is no job #{job_id}.", status=404)
        if job.status != "failed":
            raise JobRetryError(
                f"Job #{job_id} ({job.task_name}) is {job.status}, not failed: only a failed job can be retried.",
                status=409,
            )
        db.session.execute(_RETRY, {"id": job_id, "at": utcnow()})
    return RetriedJob(job.id, job.task_name, shop_id_of(job.shop))
