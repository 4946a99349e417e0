"""Outgoing mail: one module for all of it.

`send_mail` renders a message and delivers it after the current transaction commits
(nothing is sent for work that was rolled back). Backends:

* `smtp`   — production, settings SMTP_*;
* `outbox` — the embedded default: the message is logged and kept as an .eml file under
  MAIL_OUTBOX_DIR, which the outbox page lists.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import event
from sqlalchemy.orm import Session

from saas.db import utcnow
from saas.extensions import db

log = logging.getLogger(__name__)
PENDING_KEY = "pending_mail"


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


def send_mail(to: str, subject: str, template: str, **context) -> EmailMessage:
    """Queue a message; it is delivered when the current transaction commits."""
    message = build_message(to, subject, template, **context)
    session = db.session()
    session.info.setdefault(PENDING_KEY, []).append(message)
    return message


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
    log.info(
        "mail (outbox) to %s: %s\n%s", message["To"], message["Subject"], message.get_content().strip()
    )


def _deliver_by_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)


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
                body=parsed.get_content(),
            )
        )
    return messages
