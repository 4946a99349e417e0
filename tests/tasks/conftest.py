"""The task queue under test: an app whose mail goes through the queue, and a look at the jobs."""

from __future__ import annotations

import pytest
from sqlalchemy import text


@pytest.fixture
def queue_app(make_app):
    """The app as production runs it: mail is enqueued in the committing transaction."""
    return make_app(MAIL_QUEUE=True)


@pytest.fixture
def jobs(owner_engine):
    """`jobs()`: every job row, oldest first, as dicts."""

    def read(task_name: str | None = None) -> list[dict]:
        with owner_engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, task_name, status, args, lock, attempts, scheduled_at "
                    "FROM procrastinate.procrastinate_jobs "
                    "WHERE CAST(:task AS text) IS NULL OR task_name = :task ORDER BY id"
                ),
                {"task": task_name},
            ).mappings()
            return [dict(row) for row in rows]

    return read
