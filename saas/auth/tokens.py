"""Signed, expiring tokens for links we e-mail (password reset, e-mail verification, signup handoff)."""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer


class InvalidToken(ValueError):
    """The link is broken, tampered with, expired or already used."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"workbay.{purpose}")


def make_token(purpose: str, payload: dict) -> str:
    """Sign `payload` for `purpose` (a token for one purpose never works for another)."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict:
    """Verify signature and age; return the payload or raise InvalidToken."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature as error:  # SignatureExpired is a BadSignature too
        raise InvalidToken(str(error)) from None
    if not isinstance(payload, dict):
        raise InvalidToken("unexpected token payload")
    return payload


def fingerprint(value: str | None) -> str:
    """A short digest of a secret, so a token dies when the secret changes (single use)."""
    return hashlib.sha256((value or "").encode()).hexdigest()[:16]


def new_random_token() -> tuple[str, str]:
    """A random URL-safe token and the hash we store instead of it."""
    token = secrets.token_urlsafe(32)
    return token, hash_random_token(token)


def hash_random_token(token: str) -> str:
    """SHA-256 of a random token (we never store the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()
