"""The queue's own upkeep: finished jobs are deleted after a while, so the tables stay small."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import text

from saas.core.extensions import db
from saas.core.tasks.queue import QUEUE_SCHEMA
from saas.core.tasks.registry import task

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 30  # also how long a delivered Message-ID is remembered (saas.core.mail.already_delivered)

# A job's last event is when it finished; its events go with it (ON DELETE CASCADE).
_PRUNE = text(
    f"""
    DELETE FROM {QUEUE_SCHEMA}.procrastinate_jobs AS job
    WHERE job.status IN ('succeeded', 'cancelled')
      AND NOT EXISTS (
        SELECT 1 FROM {QUEUE_SCHEMA}.procrastinate_events AS event
        WHERE event.job_id = job.id AND event.at > now() - make_interval(days => :days)
      )
    """
)


@task("queue.prune_finished_jobs", cron="17 3 * * *")
def prune_finished_jobs(timestamp: int | None = None) -> int:
    """Delete jobs that succeeded or were cancelled more than JOB_RETENTION_DAYS ago (failed ones stay)."""
    days = int(current_app.config.get("JOB_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    deleted = db.session.connection().execute(_PRUNE, {"days": days}).rowcount
    db.session.commit()
    log.info("task queue: %d finished job(s) older than %d days deleted", deleted, days)
    return deleted
