"""Where uploaded files live: S3 in production, a local folder in the embedded default.

Both backends share one small interface (`put`, `exists`, `read`, `delete`, `keys`, `keys_of_shop`,
`download`).
Keys are built here, on the server, and only here: `tenants/<tenant_id>/<kind>/<uuid>`.
Nothing a user sends becomes part of a key; the original filename is kept by the caller as a
display name and only ever reaches the download's Content-Disposition.

Downloads are always attachments with the content type we stored: the S3 backend answers with
a redirect to a short-lived presigned GET that signs `ResponseContentDisposition` and
`ResponseContentType` into the URL, the local backend streams the file itself.

Objects follow the database transaction whose rows point at them (`put_with_transaction`,
`delete_after_commit`): an object put for a row that is rolled back is deleted again, and an
object whose row is deleted goes only once that deletion commits. Nothing is orphaned either way.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from flask import Flask, Response, current_app, redirect
from sqlalchemy import event
from sqlalchemy.orm import Session

from saas.core.extensions import db

log = logging.getLogger(__name__)

KEY_PATTERN = re.compile(r"^tenants/[1-9][0-9]{0,18}/[a-z_]{1,40}/[0-9a-f]{32}$")
KIND_PATTERN = re.compile(r"^[a-z_]{1,40}$")
# SigV4 allows up to 7 days; links are made per click, so minutes are plenty.
MAX_PRESIGN_SECONDS = 15 * 60


class StorageError(RuntimeError):
    """The storage backend failed (network, permissions, a key that is not ours)."""


class ObjectMissing(StorageError):
    """No object under that key."""


def build_key(tenant_id: int, kind: str) -> str:
    """A fresh key for a shop's file: `tenants/<tenant_id>/<kind>/<uuid>` (random, never user input)."""
    if not isinstance(tenant_id, int) or tenant_id <= 0:
        raise StorageError("a key needs a shop")
    if not KIND_PATTERN.match(kind):
        raise StorageError(f"not a document kind: {kind!r}")
    return f"tenants/{tenant_id}/{kind}/{uuid.uuid4().hex}"


def check_key(key: str) -> str:
    """`key` if it has the shape `build_key` makes; StorageError otherwise (no path tricks reach a backend)."""
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise StorageError("not a storage key of ours")
    return key


def attachment_disposition(filename: str) -> str:
    """`attachment; filename="..."; filename*=UTF-8''...` with a safe ASCII fallback (RFC 6266)."""
    cleaned = "".join(ch for ch in (filename or "") if ch.isprintable() and ch not in '"\\/\r\n') or "download"
    ascii_name = cleaned.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(cleaned, safe='')}"


class Storage(Protocol):
    """What every backend offers."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def read(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def keys(self, tenant_id: int, kind: str) -> list[str]: ...

    def keys_of_shop(self, tenant_id: int) -> list[str]: ...

    def download(self, key: str, filename: str, content_type: str) -> Response: ...


def key_prefix(tenant_id: int, kind: str) -> str:
    """`tenants/<tenant_id>/<kind>/`: where `build_key` puts a shop's objects of one kind."""
    build_key(tenant_id, kind)  # the same checks
    return f"tenants/{tenant_id}/{kind}/"


def shop_prefix(tenant_id: int) -> str:
    """`tenants/<tenant_id>/`: where every object of a shop lives, whatever its kind."""
    build_key(tenant_id, "any")  # the same checks on the shop
    return f"tenants/{tenant_id}/"


# --- local folder (the embedded default) --------------------------------------------------


class LocalStorage:
    """Files in a folder on this machine (`instance/documents` by default), one file per key."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write the object (atomically: a temporary file renamed into place)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".part")
        temporary.write_bytes(data)
        temporary.replace(path)

    def exists(self, key: str) -> bool:
        """True if the object is there."""
        return self._path(key).is_file()

    def read(self, key: str) -> bytes:
        """The object's bytes."""
        path = self._path(key)
        if not path.is_file():
            raise ObjectMissing(key)
        return path.read_bytes()

    def delete(self, key: str) -> None:
        """Remove the object (no error if it is already gone)."""
        self._path(key).unlink(missing_ok=True)

    def keys(self, tenant_id: int, kind: str) -> list[str]:
        """The keys of a shop's objects of one kind, sorted."""
        prefix = key_prefix(tenant_id, kind)
        folder = self.root / prefix
        if not folder.is_dir():
            return []
        return sorted(prefix + path.name for path in folder.iterdir() if KEY_PATTERN.match(prefix + path.name))

    def keys_of_shop(self, tenant_id: int) -> list[str]:
        """The keys of all of a shop's objects, every kind, sorted (the folder walked; stray files skipped)."""
        folder = self.root / shop_prefix(tenant_id)
        if not folder.is_dir():
            return []
        keys = (path.relative_to(self.root).as_posix() for path in folder.rglob("*") if path.is_file())
        return sorted(key for key in keys if KEY_PATTERN.match(key))

    def download(self, key: str, filename: str, content_type: str) -> Response:
        """Send the file as an attachment with the stored content type.

        Read whole (uploads are capped at DOCUMENT_MAX_BYTES), so no file handle outlives the request.
        """
        response = Response(self.read(key), mimetype=content_type)
        response.headers["Content-Disposition"] = attachment_disposition(filename)
        response.headers["Cache-Control"] = "private, no-store"
        return response


# --- S3 ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class S3Settings:
    """Where the bucket is and how objects are encrypted."""

    bucket: str
    region: str | None = None
    endpoint_url: str | None = None
    sse: str = "AES256"  # or "aws:kms" with `kms_key_id` (the full key ARN)
    kms_key_id: str | None = None
    presign_seconds: int = 60
    access_key_id: str | None = None  # None: boto3's usual chain (environment, instance role)
    secret_access_key: str | None = None


class S3Storage:
    """Objects in one S3 bucket, under per-shop prefixes, encrypted at rest."""

    def __init__(self, settings: S3Settings, client=None):
        if not settings.bucket:
            raise StorageError("S3_BUCKET is not set")
        self.settings = settings
        self.client = client or self._make_client(settings)

    @staticmethod
    def _make_client(settings: S3Settings):
        import boto3
        from botocore.config import Config as BotoConfig

        return boto3.client(
            "s3",
            region_name=settings.region,
            endpoint_url=settings.endpoint_url,
            aws_access_key_id=settings.access_key_id,
            aws_secret_access_key=settings.secret_access_key,
            config=BotoConfig(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"}),
        )

    def put_params(self, key: str, data: bytes, content_type: str) -> dict:
        """The PutObject parameters: always with server-side encryption."""
        params = {
            "Bucket": self.settings.bucket,
            "Key": check_key(key),
            "Body": data,
            "ContentType": content_type,
            "ServerSideEncryption": self.settings.sse,
        }
        if self.settings.sse == "aws:kms" and self.settings.kms_key_id:
            params["SSEKMSKeyId"] = self.settings.kms_key_id
        return params

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Upload the object, encrypted at rest."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(**self.put_params(key, data, content_type))
        except (BotoCoreError, ClientError) as error:
            raise StorageError(f"upload failed: {error}") from error

    def exists(self, key: str) -> bool:
        """True if the object is there."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.settings.bucket, Key=check_key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise StorageError(str(error)) from error
        return True

    def read(self, key: str) -> bytes:
        """The object's bytes."""
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.settings.bucket, Key=check_key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise ObjectMissing(key) from error
            raise StorageError(str(error)) from error
        return answer["Body"].read()

    def keys(self, tenant_id: int, kind: str) -> list[str]:
        """The keys of a shop's objects of one kind, sorted (all pages of the listing)."""
        from botocore.exceptions import BotoCoreError, ClientError

        prefix = key_prefix(tenant_id, kind)
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.settings.bucket, Prefix=prefix)
            return sorted(item["Key"] for page in pages for item in page.get("Contents", []))
        except (BotoCoreError, ClientError) as error:
            raise StorageError(f"listing failed: {error}") from error

    def keys_of_shop(self, tenant_id: int) -> list[str]:
        """The keys of all of a shop's objects, every kind, sorted (all pages of the listing; only keys of ours)."""
        from botocore.exceptions import BotoCoreError, ClientError

        prefix = shop_prefix(tenant_id)
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.settings.bucket, Prefix=prefix)
            keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
        except (BotoCoreError, ClientError) as error:
            raise StorageError(f"listing failed: {error}") from error
        return sorted(key for key in keys if KEY_PATTERN.match(key))

    def delete(self, key: str) -> None:
        """Remove the object (S3 answers the same whether or not it existed)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.settings.bucket, Key=check_key(key))
        except (BotoCoreError, ClientError) as error:
            raise StorageError(f"delete failed: {error}") from error

    def presign_params(self, key: str, filename: str, content_type: str) -> dict:
        """Arguments of `generate_presigned_url` for a download: short expiry, attachment, our type."""
        return {
            "ClientMethod": "get_object",
            "Params": {
                "Bucket": self.settings.bucket,
                "Key": check_key(key),
                "ResponseContentDisposition": attachment_disposition(filename),
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
            "ExpiresIn": max(1, min(int(self.settings.presign_seconds), MAX_PRESIGN_SECONDS)),
            "HttpMethod": "GET",
        }

    def presigned_url(self, key: str, filename: str, content_type: str) -> str:
        """A short-lived URL that downloads the object as an attachment."""
        return self.client.generate_presigned_url(**self.presign_params(key, filename, content_type))

    def download(self, key: str, filename: str, content_type: str) -> Response:
        """A redirect to a fresh presigned URL (never cached)."""
        response = redirect(self.presigned_url(key, filename, content_type), code=302)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response


# --- choosing the backend -----------------------------------------------------------------------

_SETTINGS = (
    "STORAGE_BACKEND",
    "STORAGE_LOCAL_DIR",
    "S3_BUCKET",
    "S3_REGION",
    "S3_ENDPOINT_URL",
    "S3_SSE",
    "S3_KMS_KEY_ID",
    "S3_PRESIGN_SECONDS",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
)


def make_storage(config) -> Storage:
    """A backend built from settings (STORAGE_BACKEND: `local` or `s3`)."""
    backend = (config.get("STORAGE_BACKEND") or "local").lower()
    if backend == "s3":
        return S3Storage(
            S3Settings(
                bucket=config.get("S3_BUCKET") or "",
                region=config.get("S3_REGION"),
                endpoint_url=config.get("S3_ENDPOINT_URL"),
                sse=config.get("S3_SSE") or "AES256",
                kms_key_id=config.get("S3_KMS_KEY_ID"),
                presign_seconds=int(config.get("S3_PRESIGN_SECONDS") or 60),
                access_key_id=config.get("S3_ACCESS_KEY_ID"),
                secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            )
        )
    if backend == "local":
        return LocalStorage(config.get("STORAGE_LOCAL_DIR") or Path(current_app.instance_path) / "documents")
    raise StorageError(f"unknown STORAGE_BACKEND {backend!r}: use local or s3")


def get_storage(app: Flask | None = None) -> Storage:
    """The app's storage backend (built once per set of settings and kept on the app)."""
    app = app or current_app._get_current_object()
    signature = tuple(app.config.get(name) for name in _SETTINGS)
    cached = app.extensions.get("workbay_storage")
    if cached is None or cached[0] != signature:
        with app.app_context():
            cached = (signature, make_storage(app.config))
        app.extensions["workbay_storage"] = cached
    return cached[1]


# --- objects in step with the transaction ---------------------------------------------------

_PUT = "workbay.storage.put"  # objects put in this transaction: deleted unless it commits
_DOOMED = "workbay.storage.doomed"  # objects of deleted rows: deleted once the transaction commits


def put_with_transaction(key: str, data: bytes, content_type: str) -> None:
    """Put an object now (StorageError if the backend fails); it is deleted again unless the
    current database transaction commits."""
    storage = get_storage()
    storage.put(key, data, content_type)
    db.session.info.setdefault(_PUT, []).append((storage, key))


def delete_after_commit(key: str) -> None:
    """Delete an object once the current transaction commits (its row's deletion is then final)."""
    db.session.info.setdefault(_DOOMED, []).append((get_storage(), key))


def _delete_all(pairs) -> None:
    for storage, key in pairs:
        try:
            storage.delete(key)
        except StorageError:
            log.exception("could not delete stored object %s", key)


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    session.info.pop(_PUT, None)
    _delete_all(session.info.pop(_DOOMED, []))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction) -> None:
    if transaction.parent is not None:
        return
    # Reached without a commit: the rows are gone, so the objects put for them go too.
    _delete_all(session.info.pop(_PUT, []))
    session.info.pop(_DOOMED, None)
