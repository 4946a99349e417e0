"""Encryption at rest of the few columns that are secrets (e.g. a platform admin's TOTP seed).

`EncryptedString` is a column type: the value is encrypted with Fernet (AES-128-CBC + HMAC-SHA256,
from `cryptography`) before it reaches the database and decrypted when it is read, so a dump of
the database or a backup holds only ciphertext.

Keys come from `FIELD_ENCRYPTION_KEYS`: comma-separated Fernet keys, the first encrypts, all of
them decrypt (rotate by putting a new key first). Without it, one key is derived from SECRET_KEY
with HKDF, which keeps the embedded default and the tests free of settings.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

_CACHE_KEY = "workbay_field_cipher"


class DecryptionError(RuntimeError):
    """A stored value could not be decrypted with any configured key."""


def _derived_key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"workbay-field-encryption", info=b"fields v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


def cipher() -> MultiFernet:
    """The app's cipher, built once per set of keys."""
    configured = current_app.config.get("FIELD_ENCRYPTION_KEYS") or ""
    keys = [key.strip().encode() for key in configured.split(",") if key.strip()]
    if not keys:
        keys = [_derived_key(current_app.config["SECRET_KEY"])]
    signature = tuple(keys)
    cached = current_app.extensions.get(_CACHE_KEY)
    if cached is None or cached[0] != signature:
        cached = (signature, MultiFernet([Fernet(key) for key in keys]))
        current_app.extensions[_CACHE_KEY] = cached
    return cached[1]


def encrypt(value: str) -> str:
    """Ciphertext of `value` (URL-safe text)."""
    return cipher().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text of a value `encrypt` made (DecryptionError when no key fits)."""
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise DecryptionError("a stored secret could not be decrypted: is FIELD_ENCRYPTION_KEYS complete?") from error


class EncryptedString(TypeDecorator):
    """A text column stored encrypted (Fernet); reads and writes plain text in Python."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)

    def copy(self, **kw):
        return EncryptedString()


__all__ = ["DecryptionError", "EncryptedString", "decrypt", "encrypt"]
