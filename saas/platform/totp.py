"""Platform admins' second factor: TOTP (RFC 6238, pyotp) and one-time recovery codes.

* Enrolment: `begin_enrolment` gives the admin a new secret (encrypted at rest), shown as a QR code
  (`qr_svg`, inline SVG: no data: URI, no style attribute, so it works under the strict CSP) and as
  text; `complete_enrolment` confirms it with a first code and makes the recovery codes.
* A code: `accept_code` takes a 6-digit TOTP code (this 30-second step or the one before or after,
  for clock drift) or a recovery code. A TOTP code is accepted only for a step later than the last
  accepted one (`totp_last_step`), so no code works twice, not even in another login; a recovery
  code works once.
* `regenerate_recovery_codes` replaces them; `reset_second_factor` removes the factor altogether
  (the next login enrols again) and ends the admin's sessions.

Services flush and never commit, and leave the audit trail to the views (which know the request).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from saas.core.db import utcnow
from saas.core.extensions import db
from saas.platform.models import PlatformAdmin, RecoveryCode

ISSUER = "Workbay console"
STEP_SECONDS = 30
VALID_WINDOW = 1  # one step either side: a phone's clock may be a little off
RECOVERY_CODE_COUNT = 10
# 16 characters of 31 that cannot be mistaken for each other (no i, l, o, 0, 1): 79 random bits a code,
# far too many to guess online or to recover from its (unsalted) hash.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 16
_TOTP_CODE = re.compile(r"[0-9]{6}")  # ASCII digits only: \d would also take other scripts' digits


def clock() -> float:
    """Seconds since the epoch: the time codes are checked against (tests move it)."""
    return time.time()


def current_step() -> int:
    """The RFC 6238 time step of now."""
    return int(clock() // STEP_SECONDS)


# --- enrolment ----------------------------------------------------------------------------


def new_secret() -> str:
    """A new random TOTP secret (base32, 160 bits), as authenticator apps store it."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The QR code of `uri` as inline SVG markup (a white quiet zone, black modules, no styles)."""
    qr = segno.make(uri, error="m")
    return Markup(
        qr.svg_inline(scale=5, omitsize=True, light="#fff", dark="#000", svgclass="totp-qr", title="QR code to scan")
    )


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def begin_enrolment(admin: PlatformAdmin) -> str:
    """Give an admin without a second factor a new secret to enrol, replacing any unconfirmed one.

    A new one at every password step: a secret seen by someone else before enrolment is useless.
    """
    if admin.has_second_factor:
        raise ValueError("this admin has a second factor already")
    admin.totp_secret = new_secret()
    admin.totp_enrolled_at = None
    admin.totp_last_step = None
    db.session.flush()
    return admin.totp_secret


def complete_enrolment(admin: PlatformAdmin, code: str) -> list[str] | None:
    """Confirm the pending secret with a first code: the admin is enrolled and gets their recovery codes
    (returned in clear, to be shown once). None when the code is wrong."""
    if admin.totp_secret is None or admin.has_second_factor or not _accept_totp(admin, code):
        return None
    admin.totp_enrolled_at = utcnow()
    return _replace_recovery_codes(admin)


# --- checking a code ----------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    """What a code turned out to be: accepted or not, and whether it was a recovery code."""

    accepted: bool
    recovery: bool = False
    recovery_codes_left: int | None = None


def looks_like_totp(code: str) -> bool:
    """Six digits (spaces ignored): a TOTP code; anything else is tried as a recovery code."""
    return bool(_TOTP_CODE.fullmatch(re.sub(r"\s", "", code or "")))


def accept_code(admin: PlatformAdmin, code: str, *, recovery_allowed: bool = True) -> CodeCheck:
    """Check a TOTP code, or (when allowed) a recovery code, of an enrolled admin; accepting uses it up."""
    if not admin.has_second_factor:
        return CodeCheck(False)
    if looks_like_totp(code):
        return CodeCheck(_accept_totp(admin, code))
    if not recovery_allowed:
        return CodeCheck(False)
    if not _use_recovery_code(admin, code):
        return CodeCheck(False, recovery=True)
    return CodeCheck(True, recovery=True, recovery_codes_left=recovery_codes_left(admin))


def _accept_totp(admin: PlatformAdmin, code: str) -> bool:
    """A code of a step within the window and later than the last accepted one; that step is then stored.

    The step is claimed with one conditional UPDATE, so two requests racing with the same code cannot
    both win.
    """
    code = re.sub(r"\s", "", code or "")
    if not _TOTP_CODE.fullmatch(code):
        return False
    totp = pyotp.TOTP(admin.totp_secret)
    now = current_step()
    last = admin.totp_last_step if admin.totp_last_step is not None else -1
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if step > last and hmac.compare_digest(totp.generate_otp(step), code):
            claimed = db.session.execute(
                update(PlatformAdmin)
                .where(
                    PlatformAdmin.id == admin.id,
                    or_(PlatformAdmin.totp_last_step.is_(None), PlatformAdmin.totp_last_step < step),
                )
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                return False
            # The row has it; tell the loaded object without marking it changed.
            db.session.expire(admin, ["totp_last_step"])
            return True
    return False


# --- recovery codes -----------------------------------------------------------------------


def _normalized(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "").lower())


def _hash(code: str) -> str:
    return hashlib.sha256(_normalized(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return "-".join(raw[index : index + 4] for index in range(0, _RECOVERY_LENGTH, 4))


def _replace_recovery_codes(admin: PlatformAdmin) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.admin_id == admin.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(admin_id=admin.id, code_hash=_hash(code)) for code in codes)
    db.session.flush()
    return codes


def _use_recovery_code(admin: PlatformAdmin, code: str) -> bool:
    """Mark an unused code of this admin used (one conditional UPDATE: a code cannot be spent twice)."""
    normalized = _normalized(code)
    if len(normalized) != _RECOVERY_LENGTH:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.admin_id == admin.id,
            RecoveryCode.code_hash == _hash(normalized),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1


def recovery_codes_left(admin: PlatformAdmin) -> int:
    """How many of the admin's recovery codes are still unused."""
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.admin_id == admin.id, RecoveryCode.used_at.is_(None))
    )


def regenerate_recovery_codes(admin: PlatformAdmin, code: str) -> list[str] | None:
    """New recovery codes for an enrolled admin who proves it with a current TOTP code (the old ones stop
    working); the new ones in clear, to be shown once. None when the code is not accepted."""
    if not accept_code(admin, code, recovery_allowed=False).accepted:
        return None
    return _replace_recovery_codes(admin)


# --- resetting ----------------------------------------------------------------------------


def reset_second_factor(admin: PlatformAdmin) -> None:
    """Remove an admin's second factor (lost phone and codes): secret, enrolment and recovery codes go,
    every session of theirs ends, and their next login enrols a new one. The caller records it in the
    audit trail, with its reason."""
    admin.totp_secret = None
    admin.totp_enrolled_at = None
    admin.totp_last_step = None
    admin.session_version += 1
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.admin_id == admin.id))
    db.session.flush()
