"""The worker: runs queued jobs and the schedule (procrastinate on PostgreSQL).

* production: `flask --app wsgi worker`, one or more processes next to the web workers;
* `make run`: `start_in_background(app)` runs one in a thread of the dev server;
* `make worker`: one more worker process against the embedded database;
* tests: `run_worker(app, wait=False)` processes what is waiting, then returns.

Jobs are rows in PostgreSQL: whatever is enqueued while no worker runs is done when one
starts. Each job runs in the Flask app's context with a fresh database session (no tenant
until the job names one), and commits its own work. The worker and its jobs connect as the
platform database role (PLATFORM_DATABASE_URL): scheduled fan-outs list every shop, each
shop's job then runs inside `tenant_scope` as that shop only.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import re
import threading
from collections.abc import Callable
from typing import Any

import click
import procrastinate
from flask import Flask, current_app
from flask.cli import with_appcontext

from saas.core.database_roles import PLATFORM_ROLE, platform_database_url, set_session_role
from saas.core.extensions import db
from saas.core.tasks.queue import worker_conninfo
from saas.core.tasks.registry import TASKS

log = logging.getLogger(__name__)

WORKER_NAME = "workbay"
# procrastinate's loggers that print jobs with their arguments.
JOB_LOGGERS = ("procrastinate.worker", f"procrastinate.worker.{WORKER_NAME}")
_QUOTED = r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""


class RedactSecretArgs(logging.Filter):
    """Keeps the tasks' `secret_args` out of procrastinate's log lines, which show every argument.

    A queued e-mail carries password-reset and invitation links: logs must not.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        names = {name for spec in TASKS.values() for name in spec.secret_args}
        if not names:
            return True
        pattern = re.compile(rf"\b({'|'.join(map(re.escape, sorted(names)))})={_QUOTED}")
        if isinstance(record.msg, str):
            record.msg = pattern.sub(lambda match: f"{match.group(1)}=<not logged>", record.msg)
        job = getattr(record, "job", None)
        if isinstance(job, dict) and isinstance(job.get("task_kwargs"), dict):
            kwargs = {key: "<not logged>" if key in names else value for key, value in job["task_kwargs"].items()}
            call = job.get("call_string")
            record.job = {
                **job,
                "task_kwargs": kwargs,
                "call_string": pattern.sub(lambda match: f"{match.group(1)}=<not logged>", call)
                if isinstance(call, str)
                else call,
            }
        return True


_REDACT = RedactSecretArgs()


def _redact_job_logs() -> None:
    for name in JOB_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)


def _in_app_context(flask_app: Flask):
    """A task middleware: each job runs inside `flask_app`'s context (in the job's thread).

    Leaving the context removes the job's database session (Flask-SQLAlchemy's teardown), so
    no tenant, transaction or object leaks from one job into the next. The session works as the
    platform database role, chosen before the job's first query.
    """

    def middleware(call_next, context, worker):
        with flask_app.app_context():
            set_session_role(db.session(), PLATFORM_ROLE)
            return call_next()

    return middleware


def build_queue(flask_app: Flask, *, periodic: bool = True) -> procrastinate.App:
    """A procrastinate app for `flask_app`: its database (as the platform role), every registered task.

    `periodic=False` leaves the schedule out (tests run exactly the jobs they enqueue).
    """
    _redact_job_logs()
    connector = procrastinate.PsycopgConnector(
        conninfo=worker_conninfo(platform_database_url(flask_app.config)), min_size=1, max_size=4
    )
    queue = procrastinate.App(
        connector=connector,
        worker_defaults={"name": WORKER_NAME, "task_middleware": [_in_app_context(flask_app)]},
    )
    for spec in TASKS.values():
        registered = queue.task(name=spec.name, retry=spec.retry or False)(spec.func)
        if periodic and spec.cron:
            queue.periodic(cron=spec.cron)(registered)
    return queue


def run_worker(flask_app: Flask, *, periodic: bool = True, **options: Any) -> None:
    """Run a worker until stopped; with `wait=False`, until no job is waiting. Blocks the caller.

    `options` are procrastinate's worker options (concurrency, queues, wait, listen_notify...).
    """
    options.setdefault("install_signal_handlers", False)
    queue = build_queue(flask_app, periodic=periodic)
    run_blocking(lambda: queue.run_worker(**options))


def run_blocking(func: Callable[[], Any]) -> Any:
    """Call `func` (which runs its own event loop) and return its result, from any thread.

    A thread that already runs an event loop (a test harness, an embedding server) cannot
    start another one; then `func` runs in a thread of its own while this one waits.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["result"] = func()
        except BaseException as error:  # handed to the waiting caller below
            outcome["error"] = error

    thread = threading.Thread(target=target, name="workbay-worker-run")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


class BackgroundWorker:
    """A worker in a daemon thread of this process, with its own event loop (the dev server's)."""

    def __init__(self, flask_app: Flask, **options: Any):
        self.flask_app = flask_app
        self.options = options
        self._thread = threading.Thread(target=self._run, name="workbay-worker", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._worker_task: asyncio.Task | None = None
        self._started = threading.Event()

    def start(self) -> BackgroundWorker:
        """Start the thread; return once the worker is running (or has failed to start)."""
        self._thread.start()
        self._started.wait(timeout=30)
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 30) -> None:
        """Let running jobs finish (up to `timeout` seconds), then stop the thread."""
        loop, worker_task = self._loop, self._worker_task
        if loop is not None and worker_task is not None and not loop.is_closed():
            loop.call_soon_threadsafe(worker_task.cancel)
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception:
            log.exception("the background worker stopped with an error")
        finally:
            self._started.set()

    async def _main(self) -> None:
        queue = build_queue(self.flask_app)
        async with queue.open_async():
            self._loop = asyncio.get_running_loop()
            self._worker_task = asyncio.create_task(
                queue.run_worker_async(install_signal_handlers=False, **self.options)
            )
            self._started.set()
            try:
                await self._worker_task
            except asyncio.CancelledError:
                log.info("background worker stopped")


def start_in_background(flask_app: Flask, **options: Any) -> BackgroundWorker:
    """Run a worker inside this process (the embedded default, `make run`); stopped at exit."""
    worker = BackgroundWorker(flask_app, **options).start()
    atexit.register(worker.stop)
    log.info("background worker started in-process")
    return worker


def queue_is_ready(flask_app: Flask) -> bool:
    """True when the database has the queue's tables (the migrations have run)."""

    with build_queue(flask_app, periodic=False).open() as queue:
        return queue.check_connection()


@click.command("worker")
@click.option("--concurrency", default=1, show_default=True, help="Jobs run at the same time.")
@click.option("--once", is_flag=True, help="Do the jobs waiting now, then exit (no schedule).")
@with_appcontext
def worker_command(concurrency: int, once: bool) -> None:
    """Run the background worker: queued mail, scheduled reminders. Ctrl-C or SIGTERM stops it."""
    flask_app = current_app._get_current_object()
    try:
        ready = queue_is_ready(flask_app)
    except procrastinate.exceptions.ConnectorException as error:
        raise click.ClickException(f"Cannot reach the database: {error.__cause__ or error}") from None
    if not ready:
        raise click.ClickException("The task queue's tables are missing: run `flask db upgrade` first.")
    click.echo("Worker started; Ctrl-C stops it after the running jobs." if not once else "Doing the waiting jobs...")
    run_worker(
        flask_app,
        periodic=not once,
        concurrency=concurrency,
        wait=not once,
        install_signal_handlers=not once,
    )
