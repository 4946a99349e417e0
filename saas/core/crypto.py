"""Encryption at rest of the columns that hold secrets or private notes about people.

`EncryptedString` is a column type: the value is encrypted with Fernet (AES-128-CBC + HMAC-SHA256,
from `cryptography`) before it reaches the database and decrypted when it is read, so a dump of
the database or a backup holds only ciphertext. An empty string stays empty (it says only that
there is nothing), so `server_default=""` and "has notes" checks keep working; NULL stays NULL.

Keys come from `FIELD_ENCRYPTION_KEYS`: comma-separated Fernet keys, the first encrypts, all of
them decrypt (`MultiFernet`). Rotation puts a new key first, then `flask keys rotate`
(`saas.core.keys`) re-encrypts every value with it, after which the old keys can go. Without the
setting (development, tests; production refuses to start without it) one key is derived from
SECRET_KEY with HKDF, so changing SECRET_KEY there makes stored values unreadable.

Values and keys are never logged or put in an error message: the errors below name the setting
and what to do, and SQLAlchemy only ever sees (and may log) ciphertext.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import Column, MetaData, Table, Text
from sqlalchemy.sql import ClauseElement, operators
from sqlalchemy.types import TypeDecorator

_CACHE_KEY = "workbay_field_cipher"
SETTING = "FIELD_ENCRYPTION_KEYS"
GENERATE_HINT = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'


class KeyConfigError(RuntimeError):
    """FIELD_ENCRYPTION_KEYS holds something that is not a Fernet key (the message never shows it)."""


class DecryptionError(RuntimeError):
    """A stored value could not be decrypted with any configured key (the message never shows it)."""


@dataclass(frozen=True)
class _Cipher:
    keys: tuple[bytes, ...]
    all_keys: MultiFernet  # encrypts with the first, decrypts with any
    newest: Fernet  # the first key alone: tells a value already under it


def _derived_key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"workbay-field-encryption", info=b"fields v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


def configured_keys() -> list[bytes]:
    """The keys in order (newest first): FIELD_ENCRYPTION_KEYS, else the one derived from SECRET_KEY."""
    configured = current_app.config.get(SETTING) or ""
    keys = [key.strip().encode() for key in configured.split(",") if key.strip()]
    return keys or [_derived_key(current_app.config["SECRET_KEY"])]


def _fernet(key: bytes, position: int) -> Fernet:
    try:
        return Fernet(key)
    except (ValueError, binascii.Error):
        raise KeyConfigError(
            f"{SETTING}: key #{position} is not a Fernet key (32 url-safe base64-encoded bytes); "
            f"generate one with {GENERATE_HINT}"
        ) from None  # the cause would quote the key


def _cipher() -> _Cipher:
    keys = tuple(configured_keys())
    cached = current_app.extensions.get(_CACHE_KEY)
    if cached is None or cached.keys != keys:
        fernets = [_fernet(key, position) for position, key in enumerate(keys, start=1)]
        cached = _Cipher(keys, MultiFernet(fernets), fernets[0])
        current_app.extensions[_CACHE_KEY] = cached
    return cached


def cipher() -> MultiFernet:
    """The app's cipher (all configured keys), built once per set of keys."""
    return _cipher().all_keys


def _unreadable(count: int) -> DecryptionError:
    return DecryptionError(
        f"A stored encrypted value could not be decrypted with any of the {count} key(s) in {SETTING}: "
        "the key that encrypted it was removed or changed (put it back, after the newest key), "
        "or the value was altered in the database."
    )


def encrypt(value: str) -> str:
    """Ciphertext of `value` under the newest key (URL-safe text); an empty string stays empty."""
    if value == "":
        return ""
    return cipher().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text of a value `encrypt` made (DecryptionError when no key fits)."""
    if token == "":
        return ""
    current = _cipher()
    try:
        return current.all_keys.decrypt(token.encode()).decode()
    except InvalidToken:
        raise _unreadable(len(current.keys)) from None


def is_current(token: str) -> bool:
    """True when `token` is encrypted with the newest key (or empty): rotation can leave it."""
    if token == "":
        return True
    try:
        _cipher().newest.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reencrypt(token: str) -> str:
    """`token` encrypted again under the newest key (DecryptionError when no key fits)."""
    if token == "":
        return ""
    current = _cipher()
    try:
        return current.all_keys.rotate(token.encode()).decode()
    except InvalidToken:
        raise _unreadable(len(current.keys)) from None


# What SQL cannot answer on ciphertext: searching, sorting, ranges (a Python value other than "" or None
# compared to the column is refused too). Comparisons with other SQL expressions stay allowed: the ORM
# itself compares columns.
_SEARCH_OPERATORS = {
    getattr(operators, name)
    for name in (
        "like_op", "ilike_op", "not_like_op", "not_ilike_op", "contains_op", "not_contains_op", "startswith_op",
        "not_startswith_op", "endswith_op", "not_endswith_op", "match_op", "not_match_op", "regexp_match_op",
        "not_regexp_match_op", "regexp_replace_op", "in_op", "not_in_op", "between_op", "not_between_op",
        "asc_op", "desc_op", "lt", "le", "gt", "ge",
    )
    if hasattr(operators, name)
}  # fmt: skip


def _plain_value(other: tuple) -> bool:
    """True when a Python value other than "" or None (not an SQL expression) is compared with the column."""
    return any(
        value is not None
        and not (isinstance(value, str) and value == "")
        and not isinstance(value, ClauseElement)
        and not hasattr(value, "__clause_element__")
        for value in other
    )


class _NoPlainTextComparisons(TypeDecorator.Comparator, Text.Comparator):
    """Refuses what SQL cannot answer on ciphertext (LIKE, = 'text', ORDER BY ... DESC); emptiness and NULL work."""

    def operate(self, op, *other, **kwargs):
        if op in _SEARCH_OPERATORS or _plain_value(other):
            table = getattr(getattr(self.expr, "table", None), "name", None)
            name = ".".join(filter(None, (table, getattr(self.expr, "key", None)))) or "an encrypted column"
            raise TypeError(f"{name} is encrypted at rest: SQL cannot search, sort or compare it")
        return super().operate(op, *other, **kwargs)


class EncryptedString(TypeDecorator):
    """A text column stored encrypted (Fernet); reads and writes plain text in Python.

    `secret=True` (the default) marks a credential (a second factor's seed, an API secret): it never
    leaves the database, not even in the shop's export of its data. `secret=False` marks private
    personal data (notes), exported and erased like any other column.

    SQL cannot search, sort or compare the plain text (each encryption differs): such an expression
    raises TypeError instead of silently matching nothing; only `== ""`, `!= ""` and IS NULL work.
    """

    impl = Text
    cache_ok = True

    def __init__(self, secret: bool = True):
        super().__init__()
        self.secret = secret

    comparator_factory = _NoPlainTextComparisons

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"an encrypted column takes text, not {type(value).__name__}")
        return encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)

    def copy(self, **kw):
        return EncryptedString(secret=self.secret)


def encrypted_columns(metadata: MetaData) -> dict[Table, list[Column]]:
    """Every table of `metadata` with EncryptedString columns, and those columns (in a stable order)."""
    found: dict[Table, list[Column]] = {}
    for table in metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, EncryptedString)]
        if columns:
            found[table] = columns
    return found


__all__ = [
    "DecryptionError",
    "EncryptedString",
    "KeyConfigError",
    "configured_keys",
    "decrypt",
    "encrypt",
    "encrypted_columns",
    "is_current",
    "reencrypt",
]
