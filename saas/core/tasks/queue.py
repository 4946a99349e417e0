"""Putting jobs on the queue: rows in PostgreSQL, written in the caller's own transaction.

The web app never talks to procrastinate's connection pool. It inserts jobs by calling
procrastinate's SQL function `procrastinate_defer_jobs_v1` on the SQLAlchemy connection
it already uses, so a job is committed (or rolled back) together with the change that
caused it, and the worker is woken by the NOTIFY the insert trigger sends at commit.

The queue lives in the PostgreSQL schema `procrastinate` (see the migration
`task_queue_procrastinate_schema`); the worker connects as the platform role with that
schema on its search_path (`worker_conninfo`). Row-level security on the jobs lets a shop's
transaction insert and see that shop's jobs only, and the web role with no shop set the jobs
that name no shop; the worker sees them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from psycopg.conninfo import make_conninfo
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

QUEUE_SCHEMA = "procrastinate"
DEFAULT_QUEUE = "default"

# One statement for any number of jobs: a JSON array becomes procrastinate's composite type.
_DEFER_JOBS = text(
    f"""
    SELECT {QUEUE_SCHEMA}.procrastinate_defer_jobs_v1(ARRAY(
        SELECT jsonb_populate_record(NULL::{QUEUE_SCHEMA}.procrastinate_job_to_defer_v1, job)
        FROM jsonb_array_elements(CAST(:jobs AS jsonb)) WITH ORDINALITY AS rows(job, position)
        ORDER BY position
    ))
    """
)


@dataclass(frozen=True)
class Job:
    """A job to enqueue: which task, with which keyword arguments (JSON-serializable).

    `lock`: jobs sharing a lock never run at the same time, and run in queueing order.
    `queueing_lock`: at most one job with this value may wait in the queue.
    """

    task_name: str
    args: dict[str, Any] = field(default_factory=dict)
    lock: str | None = None
    queueing_lock: str | None = None
    queue: str = DEFAULT_QUEUE
    priority: int = 0

    def as_row(self) -> dict[str, Any]:
        """The job as procrastinate's `procrastinate_job_to_defer_v1` record, in JSON."""
        return {
            "queue_name": self.queue,
            "task_name": self.task_name,
            "priority": self.priority,
            "lock": self.lock,
            "queueing_lock": self.queueing_lock,
            "args": self.args,
        }


def enqueue(connection: Connection, jobs: list[Job]) -> list[int]:
    """Insert `jobs` in the transaction of `connection`; return their ids (in order).

    Nothing is visible to a worker until that transaction commits; a rollback drops them.
    """
    if not jobs:
        return []
    ids = connection.execute(_DEFER_JOBS, {"jobs": json.dumps([job.as_row() for job in jobs])}).scalar_one()
    return list(ids)


def worker_conninfo(sqlalchemy_url: str) -> str:
    """The libpq connection string of a SQLAlchemy URL (`postgresql+psycopg://...`), for the worker.

    Query parameters (`?host=/socket/dir`, `sslmode=...`) are kept; the queue's schema is
    put on the search_path, since procrastinate names its tables and functions unqualified.
    """
    url = make_url(sqlalchemy_url)
    params: dict[str, Any] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
    }
    for key, value in url.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    search_path = f"-c search_path={QUEUE_SCHEMA}"
    params["options"] = f"{params['options']} {search_path}" if params.get("options") else search_path
    return make_conninfo("", **{key: value for key, value in params.items() if value is not None})
