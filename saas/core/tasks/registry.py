"""The tasks a worker knows, declared where the work belongs (`@task("mail.deliver")`).

Tasks stay plain functions: a feature declares them without importing procrastinate's
app, tests can call them directly, and each Flask app builds its own procrastinate app
from this registry (`saas.core.tasks.worker.build_queue`) with its own database and config.
A task runs inside the Flask app's context; it commits its own work (one commit per task).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from procrastinate import RetryStrategy


@dataclass(frozen=True)
class TaskSpec:
    """A registered task: its stable name (stored in job rows), function, retries, schedule."""

    name: str
    func: Callable[..., Any]
    retry: RetryStrategy | None = None
    cron: str | None = None  # periodic: deferred by the worker on this schedule (UTC)
    secret_args: tuple[str, ...] = ()  # never written to the logs (e.g. an e-mail with its links)


TASKS: dict[str, TaskSpec] = {}


def task(name: str, *, retry: RetryStrategy | None = None, cron: str | None = None, secret_args: tuple[str, ...] = ()):
    """Register the decorated function as the task `name` (a periodic one when `cron` is set).

    A periodic task receives `timestamp` (the scheduled time, epoch seconds) as its argument.
    `secret_args` are left out of the worker's logs, which otherwise show every argument.
    """

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        known = TASKS.get(name)
        if known is not None and known.func.__qualname__ != func.__qualname__:
            raise ValueError(f"two tasks are named {name!r}: {known.func.__qualname__} and {func.__qualname__}")
        TASKS[name] = TaskSpec(name, func, retry, cron, tuple(secret_args))
        return func

    return register
