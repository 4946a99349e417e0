"""Running the task queue's waiting jobs the way a worker does."""

from __future__ import annotations

from saas.core.tasks.worker import run_worker


def run_pending_jobs(app) -> None:
    """What a worker does when it starts: every waiting job, then return (no schedule)."""
    run_worker(app, wait=False, periodic=False, listen_notify=False)
