"""Login limits: per address and per account, with a back-off an attacker cannot turn against the owner.

* **Per address.** Each login form takes 10 tries a minute from one IP address (flask-limiter's
  decorator on the views).
* **Per account.** Failed logins of one account (an e-mail at one shop, or on the console) are
  counted. After THRESHOLD failures in a row each further try waits, 1 minute, then 2, 4, 8, and
  never more than MAX_WAIT (15 minutes); while it waits the account refuses every login with 429,
  before the password is even checked, so waiting is the only way on. A successful login clears the
  count; a count that stops growing is forgotten after FORGET_AFTER.
* **Known devices.** Locking an account out is what an attacker who knows an e-mail can do with such a
  limit. So a successful login leaves a signed device cookie in that browser (DEVICE_COOKIE, for
  DEVICE_DAYS), naming the accounts that logged in there. A try from a browser that shows the
  account's device cookie counts against that device's own back-off, never the account's: the
  attacker's failures (without the cookie) lock out other browsers only, the owner's usual browser
  logs in as always, and even a stolen device cookie buys only its own THRESHOLD tries. A new browser
  waits at most MAX_WAIT at a time, and the password reset link (which logs in) is never limited.
  (OWASP's "Slow Down Online Guessing Attacks with Device Cookies".)

The counts live in the limiter's storage (RATELIMIT_STORAGE_URI): memory by default, in each process
(every gunicorn worker counts on its own), Redis when it is `redis://…`, shared by every worker and
machine. Keys hold keyed hashes of the e-mail, never the address itself. Waits are measured with
`clock()`, which the tests move; the storage's own expiry only clears old keys. With
RATELIMIT_ENABLED off (the tests' default) nothing is counted.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import dataclass

from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from saas.core.extensions import limiter

PER_ADDRESS = "10 per minute"
THRESHOLD = 5  # failures in a row before the first wait
FIRST_WAIT = 60  # seconds; doubles with each further failure
MAX_WAIT = 15 * 60
FORGET_AFTER = 24 * 3600
DEVICE_COOKIE = "workbay_device"
DEVICE_DAYS = 180
DEVICE_ACCOUNTS = 20  # accounts one browser remembers (a shop's shared computer)
_PREFIX = "workbay-login"
_SALT = "login-device"


def clock() -> float:
    """Seconds since the epoch: what waits are measured with (tests move it)."""
    return time.time()


def _storage():
    return limiter.storage if limiter.enabled else None


def account_key(scope: str, email: str) -> str:
    """A keyed hash of an account (`scope`: "shop:<id>" or "console"; the e-mail as typed, normalized)."""
    secret = current_app.config["SECRET_KEY"].encode()
    message = f"{scope}\n{(email or '').strip().lower()}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def wait_for(failures: int) -> int:
    """Seconds the next try waits after `failures` failures in a row (0 below THRESHOLD, at most MAX_WAIT)."""
    if failures < THRESHOLD:
        return 0
    return min(MAX_WAIT, FIRST_WAIT * 2 ** min(failures - THRESHOLD, 16))


def wait_message(seconds: int) -> str:
    """The refusal, in minutes, rounded up."""
    minutes = max(1, math.ceil(seconds / 60))
    return f"Too many failed logins for this account. Try again in {minutes} minute{'' if minutes == 1 else 's'}."


# --- the back-off -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One login try of one account: the counter it counts against, and how long it must still wait."""

    key: str | None  # None: limits are off
    wait_seconds: int = 0

    @property
    def refused(self) -> bool:
        """True while the back-off holds: refuse without checking the password."""
        return self.wait_seconds > 0

    def failed(self) -> int:
        """Count a failure; the seconds the next try must wait (0: none yet)."""
        storage = _storage()
        if storage is None or self.key is None:
            return 0
        failures = storage.incr(self.key, FORGET_AFTER)
        wait = wait_for(failures)
        if wait:
            # One key per count, so two failures at once never write the same key.
            storage.incr(f"{self.key}:until:{failures}", wait + 60, amount=math.ceil(clock() + wait))
        return wait

    def succeeded(self) -> None:
        """The password was right: this counter starts again from nothing."""
        storage = _storage()
        if storage is None or self.key is None:
            return
        failures = storage.get(self.key)
        storage.clear(self.key)
        # While a wait holds no failure is counted, so only the last few waits can still be stored.
        for count in range(max(THRESHOLD, failures - 3), failures + 1):
            storage.clear(f"{self.key}:until:{count}")


def _wait_left(storage, key: str) -> int:
    failures = storage.get(key)
    if failures < THRESHOLD:
        return 0
    until = storage.get(f"{key}:until:{failures}")
    return max(0, min(MAX_WAIT, math.ceil(until - clock())))


def attempt(scope: str, email: str) -> Attempt:
    """The try of this request to log in as `email` (in `scope`): against the account's counter, or,
    from a browser the account logged in with before, that device's own."""
    storage = _storage()
    if storage is None:
        return Attempt(None)
    account = account_key(scope, email)
    device = _device_cookie()
    key = f"{_PREFIX}:{account}:device:{device.nonce}" if account in device.accounts else f"{_PREFIX}:{account}"
    return Attempt(key, _wait_left(storage, key))


# --- known devices ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceCookie:
    """What a browser's device cookie says: its random name and the accounts that logged in with it."""

    nonce: str
    accounts: tuple[str, ...]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _device_cookie() -> DeviceCookie:
    raw = request.cookies.get(DEVICE_COOKIE)
    if raw:
        try:
            data = _serializer().loads(raw, max_age=DEVICE_DAYS * 24 * 3600)
            nonce, accounts = data["n"], data["a"]
            if isinstance(nonce, str) and isinstance(accounts, list):
                return DeviceCookie(nonce, tuple(str(account) for account in accounts[:DEVICE_ACCOUNTS]))
        except (BadSignature, KeyError, TypeError):
            pass
    return DeviceCookie(secrets.token_urlsafe(16), ())


def remember_device(scope: str, email: str) -> None:
    """After a successful login: this browser becomes a known device of the account (the cookie is set
    on the response)."""
    device = _device_cookie()
    account = account_key(scope, email)
    accounts = [account, *(known for known in device.accounts if known != account)][:DEVICE_ACCOUNTS]
    value = _serializer().dumps({"n": device.nonce, "a": accounts})
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            DEVICE_COOKIE,
            value,
            max_age=DEVICE_DAYS * 24 * 3600,
            httponly=True,
            secure=secure,
            samesite="Lax",
        )
        return response
