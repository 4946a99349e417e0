"""Outgoing mail: one module for all of it.

`send_mail` renders a message now and hands it over only if the current transaction
commits (nothing is sent for work that was rolled back). How it leaves, by `MAIL_QUEUE`:

* on (production, `make run`): the message becomes a job of the task queue, inserted in
  that same transaction (a `before_commit` hook), so a committed change cannot lose its
  mail and a rolled-back one sends nothing. The worker (`flask worker`, or the one `make
  run` starts in-process) delivers it, retries while the mail server is down, and skips
  a Message-ID that was already delivered (`deliver_queued`);
* off (the tests' default): delivered in this process right after the commit.

Backends:

* `smtp`   — production, settings SMTP_*;
* `outbox` — the embedded default: the message is logged and kept as an .eml file under
  MAIL_OUTBOX_DIR, which the outbox page lists.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from email import message_from_string
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app, render_template
from procrastinate import RetryStrategy
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tasks.queue import QUEUE_SCHEMA, Job, enqueue
from saas.core.tasks.registry import task
from saas.core.tenancy import active_tenant_id, tenant_scope

log = logging.getLogger(__name__)
PENDING_KEY = "pending_mail"  # delivered in this process after commit (MAIL_QUEUE off)
QUEUED_KEY = "queued_mail"  # enqueued as jobs in the committing transaction (MAIL_QUEUE on)
MAIL_TASK = "mail.deliver"
# An SMTP outage is retried for about a day: waits of 4 s, 16 s, 64 s, ... 4^8 s.
MAIL_RETRY = RetryStrategy(max_attempts=8, exponential_wait=4)


def build_message(to: str, subject: str, template: str, **context) -> EmailMessage:
    """Render `templates/<template>.txt` (and `.html` when present) into a message."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain="workbay")
    message.set_content(render_template(f"{template}.txt", **context))
    return message


@dataclass(frozen=True)
class Attachment:
    """A file sent along with a message (e.g. an invoice PDF)."""

    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


def send_mail(to: str, subject: str, template: str, attachments: Iterable[Attachment] = (), **context) -> EmailMessage:
    """Queue a message (with optional attachments); it is delivered when the current transaction commits."""
    message = build_message(to, subject, template, **context)
    for attachment in attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    _hand_over(message)
    return message


def mail_queue_enabled() -> bool:
    """True when mail goes through the task queue (MAIL_QUEUE; off by default only in tests)."""
    return bool(current_app.config.get("MAIL_QUEUE", not current_app.testing))


def _hand_over(message: EmailMessage) -> None:
    """Keep `message` on the session until its transaction ends (see the session hooks below)."""
    session = db.session()
    # The message belongs to a real transaction, so that a rollback (even one before any
    # query) drops it: `after_rollback` only fires for a transaction that has begun.
    session.connection()
    if mail_queue_enabled():
        # The tenant is taken now, while the request or job that sends the mail is scoped to it.
        session.info.setdefault(QUEUED_KEY, []).append((message, active_tenant_id(session)))
    else:
        session.info.setdefault(PENDING_KEY, []).append(message)


def mail_job(message: EmailMessage, tenant_id: int | None) -> Job:
    """The queue job that delivers `message`. Jobs of one Message-ID share a lock: never two at once."""
    message_id = str(message["Message-ID"])
    return Job(
        MAIL_TASK,
        {"message": message.as_string(), "message_id": message_id, "tenant_id": tenant_id},
        lock=f"mail:{message_id}",
    )


def message_text(message: EmailMessage) -> str:
    """The plain-text body, also of a message with attachments (multipart)."""
    body = message.get_body(preferencelist=("plain",))
    return (body if body is not None else message).get_content()


def deliver(message: EmailMessage) -> None:
    """Hand one message to the configured backend now."""
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "outbox":
        _deliver_to_outbox(message)
    elif backend == "smtp":
        _deliver_by_smtp(message)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


def _deliver_to_outbox(message: EmailMessage) -> None:
    folder = Path(current_app.config["MAIL_OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    (folder / name).write_bytes(message.as_bytes())
    log.info("mail (outbox) to %s: %s\n%s", message["To"], message["Subject"], message_text(message).strip())


def _deliver_by_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)


@event.listens_for(Session, "before_commit")
def _enqueue_queued(session) -> None:
    # Same transaction as the change: both are committed, or neither is. Each job is inserted
    # as the shop it belongs to (row-level security on the queue checks it), whatever shop
    # the transaction is on by the time it commits.
    queued = session.info.pop(QUEUED_KEY, [])
    by_tenant: dict[int | None, list[Job]] = {}
    for message, tenant_id in queued:
        by_tenant.setdefault(tenant_id, []).append(mail_job(message, tenant_id))
    for tenant_id, jobs in by_tenant.items():
        with tenant_scope(tenant_id, session):
            enqueue(session.connection(), jobs)


@event.listens_for(Session, "after_commit")
def _deliver_pending(session) -> None:
    for message in session.info.pop(PENDING_KEY, []):
        try:
            deliver(message)
        except Exception:  # a mail server outage must not turn a saved change into an error page
            log.exception("could not deliver mail to %s", message["To"])


@event.listens_for(Session, "after_rollback")
def _drop_pending(session) -> None:
    session.info.pop(PENDING_KEY, None)
    session.info.pop(QUEUED_KEY, None)


_DELIVERED = text(
    f"SELECT EXISTS (SELECT 1 FROM {QUEUE_SCHEMA}.procrastinate_jobs "
    "WHERE task_name = :task AND lock = :lock AND status = 'succeeded')"
)


def already_delivered(message_id: str) -> bool:
    """True if a mail job for this Message-ID has succeeded (finished jobs are kept for 30 days)."""
    lock = f"mail:{message_id}"
    return bool(db.session.connection().execute(_DELIVERED, {"task": MAIL_TASK, "lock": lock}).scalar())


@task(MAIL_TASK, retry=MAIL_RETRY, secret_args=("message",))  # reset and invitation links
def deliver_queued(message: str, message_id: str, tenant_id: int | None = None) -> str:
    """The worker's side of a queued message: deliver it, unless its Message-ID already went out.

    Jobs of one Message-ID share a lock, so they run one after the other, and a job finds
    out whether an earlier one already succeeded. An exception leaves the job to be retried.
    (A worker killed between handing the message over and recording the job's success can
    still send it twice: mail servers give no transaction to share.)
    """
    with tenant_scope(tenant_id) if tenant_id is not None else nullcontext():
        if already_delivered(message_id):
            log.info("mail %s was already delivered; not sending it again", message_id)
            return "already delivered"
        deliver(message_from_string(message, policy=default_policy))
    return "delivered"


@dataclass(frozen=True)
class OutboxMessage:
    """A message kept by the outbox backend, as the outbox page shows it."""

    id: str
    to: str
    subject: str
    date: str
    body: str


def outbox_messages(limit: int = 100) -> list[OutboxMessage]:
    """The newest messages in the outbox folder, newest first."""
    folder = Path(current_app.config["MAIL_OUTBOX_DIR"])
    if not folder.is_dir():
        return []
    messages = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        parsed = BytesParser(policy=default_policy).parsebytes(path.read_bytes())
        messages.append(
            OutboxMessage(
                id=path.stem,
                to=str(parsed["To"]),
                subject=str(parsed["Subject"]),
                date=str(parsed["Date"]),
                body=message_text(parsed),
            )
        )
    return messages
