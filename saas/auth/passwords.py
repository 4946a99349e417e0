"""Password hashing and the few rules a password must meet."""

from __future__ import annotations

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 128
_DUMMY_HASH_CACHE: dict[str, str] = {}


def hash_password(password: str) -> str:
    """Hash with the configured method (scrypt in production)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; spends the same effort when there is no account, to hide which e-mails exist."""
    if not password_hash:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        dummy = _DUMMY_HASH_CACHE.setdefault(method, generate_password_hash("x" * MIN_LENGTH, method=method))
        check_password_hash(dummy, password)
        return False
    return check_password_hash(password_hash, password)


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why `password` is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if email and password.strip().lower() == email.strip().lower():
        return "Your password cannot be your e-mail address."
    return None
