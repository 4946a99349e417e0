"""Helpers for the second-factor tests: the two login steps, reading the enrolment and recovery-code pages."""

from __future__ import annotations

import html
import re
import time

import pyotp
from sqlalchemy import func, select

from saas.core.extensions import db
from saas.platform.models import PlatformAdmin, RecoveryCode
from tests.factories import ADMIN_TOTP_SECRET, PASSWORD, fresh_totp_code

CODE_PAGE = "/login/second-factor"
ENROL_PAGE = "/login/enrol"
ENROL_DONE = "/login/enrol/done"


def password_step(client, email: str, password: str = PASSWORD, next_page: str | None = None):
    """The first step of a console login."""
    query = {"next": next_page} if next_page else None
    return client.post("/login", data={"email": email, "password": password}, query_string=query)


def code_step(client, code: str):
    """The second step: a TOTP code or a recovery code."""
    return client.post(CODE_PAGE, data={"code": code})


def code_at(step: int, secret: str = ADMIN_TOTP_SECRET) -> str:
    """The TOTP code of `secret` for the RFC 6238 time step `step`."""
    return pyotp.TOTP(secret).at(step * 30)


def step_now() -> int:
    """The time step of now."""
    return int(time.time() // 30)


def secret_on(page) -> str:
    """The key the enrolment page shows for typing by hand (without its spaces)."""
    match = re.search(r'<code class="totp-secret" id="totp-secret">([A-Z2-7 ]+)</code>', page.get_data(as_text=True))
    assert match, page.get_data(as_text=True)[:2000]
    return match[1].replace(" ", "")


def recovery_codes_on(page) -> list[str]:
    """The recovery codes a page shows."""
    block = re.search(r'<ol class="recovery-codes">(.*?)</ol>', page.get_data(as_text=True), re.S)
    return [html.unescape(code) for code in re.findall(r"<code>([^<]+)</code>", block[1])] if block else []


def enrol(client, email: str, password: str = PASSWORD) -> tuple[str, list[str]]:
    """Log in for the first time and enrol through the pages; returns the secret and the recovery codes."""
    assert password_step(client, email, password).headers["Location"].endswith(ENROL_PAGE)
    secret = secret_on(client.get(ENROL_PAGE))
    shown = client.post(ENROL_PAGE, data={"code": pyotp.TOTP(secret).now()})
    assert shown.status_code == 200, shown.get_data(as_text=True)[:2000]
    codes = recovery_codes_on(shown)
    assert client.post(ENROL_DONE).status_code == 302
    return secret, codes


def log_in_with(client, email: str, secret: str = ADMIN_TOTP_SECRET):
    """Both steps, with a code of `secret` the console has not seen yet."""
    assert password_step(client, email).headers["Location"].endswith(CODE_PAGE)
    return code_step(client, fresh_totp_code(client, email, secret))


def stored_admin(app, email: str) -> PlatformAdmin:
    """The admin's row as stored now."""
    with app.app_context():
        admin = db.session.scalars(select(PlatformAdmin).where(PlatformAdmin.email == email)).one()
        db.session.expunge(admin)
        return admin


def unused_recovery_codes(app, admin_id: int) -> int:
    """How many of the admin's recovery codes are unused."""
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.admin_id == admin_id, RecoveryCode.used_at.is_(None))
        )


def logged_in(client) -> bool:
    """Whether the console's shops list opens (rather than sending to the login)."""
    return client.get("/").status_code == 200
