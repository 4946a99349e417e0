"""The S3 backend against moto's S3-compatible server on loopback, over real HTTP.

moto stands in for S3 for put/get/delete, encryption headers and presigned URLs. It is not
relied on to enforce expiry or size: those are checked on the parameters our code generates.
"""

from __future__ import annotations

import io
import re
import urllib.request
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.config import Config as BotoConfig

from saas.core.storage import (
    MAX_PRESIGN_SECONDS,
    S3Settings,
    S3Storage,
    StorageError,
    attachment_disposition,
    build_key,
    check_key,
    get_storage,
)
from tests.fixtures.browser import free_port
from tests.fixtures.storage import JPEG, PDF, document_rows

BUCKET = "workbay-test-documents"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's server on 127.0.0.1 with an empty bucket; its URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3_client(s3_endpoint):
    """A client of the stand-in; the bucket starts empty for every test (shop ids restart too)."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        config=BotoConfig(signature_version="s3v4"),
        **CREDENTIALS,
    )
    for key in _keys(client):
        client.delete_object(Bucket=BUCKET, Key=key)
    return client


@pytest.fixture
def storage(s3_endpoint, s3_client) -> S3Storage:
    return S3Storage(S3Settings(bucket=BUCKET, region="us-east-1", endpoint_url=s3_endpoint), client=s3_client)


def _keys(s3_client, prefix: str = "") -> list[str]:
    answer = s3_client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in answer.get("Contents", []))


def test_put_stores_the_object_encrypted_with_its_content_type(storage, s3_client):
    key = build_key(7, "registration")

    storage.put(key, PDF, "application/pdf")

    head = s3_client.head_object(Bucket=BUCKET, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert (head["ContentType"], head["ContentLength"]) == ("application/pdf", len(PDF))
    assert storage.read(key) == PDF and storage.exists(key)


def test_a_presigned_get_fetched_over_http_returns_the_bytes_as_an_attachment(storage):
    key = build_key(7, "photo")
    storage.put(key, JPEG, "image/jpeg")

    url = storage.presigned_url(key, "Brake disc (left).jpg", "image/jpeg")
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - our loopback server
        body, headers = answer.read(), answer.headers

    assert body == JPEG
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Content-Disposition"].startswith('attachment; filename="Brake disc (left).jpg"')


def test_delete_removes_the_object(storage, s3_client):
    key = build_key(7, "other")
    storage.put(key, PDF, "application/pdf")

    storage.delete(key)

    assert not storage.exists(key)
    assert key not in _keys(s3_client)


def test_keys_are_under_each_shops_own_prefix(storage, s3_client):
    first, second = build_key(101, "id_card"), build_key(202, "id_card")
    storage.put(first, JPEG, "image/jpeg")
    storage.put(second, JPEG, "image/jpeg")

    assert _keys(s3_client, "tenants/101/") == [first]
    assert _keys(s3_client, "tenants/202/") == [second]


def test_kms_encryption_names_the_key_on_every_put():
    storage = S3Storage(
        S3Settings(bucket=BUCKET, sse="aws:kms", kms_key_id="arn:aws:kms:eu-west-1:1:key/abc"), client=object()
    )

    params = storage.put_params(build_key(1, "photo"), b"x", "image/png")

    assert (params["ServerSideEncryption"], params["SSEKMSKeyId"]) == ("aws:kms", "arn:aws:kms:eu-west-1:1:key/abc")


# --- what we generate (not left to the stand-in to enforce) ------------------------------------------


def test_presign_parameters_are_short_lived_attachments_with_the_stored_type():
    storage = S3Storage(S3Settings(bucket=BUCKET, presign_seconds=60), client=object())
    key = build_key(3, "registration")

    params = storage.presign_params(key, "papers.pdf", "application/pdf")

    assert params["ClientMethod"] == "get_object" and params["HttpMethod"] == "GET"
    assert params["ExpiresIn"] == 60
    assert params["Params"] == {
        "Bucket": BUCKET,
        "Key": key,
        "ResponseContentDisposition": "attachment; filename=\"papers.pdf\"; filename*=UTF-8''papers.pdf",
        "ResponseContentType": "application/pdf",
        "ResponseCacheControl": "private, no-store",
    }


@pytest.mark.parametrize(("configured", "used"), [(0, 1), (30, 30), (86400, MAX_PRESIGN_SECONDS)])
def test_presign_expiry_is_capped_whatever_the_setting(configured, used):
    storage = S3Storage(S3Settings(bucket=BUCKET, presign_seconds=configured), client=object())

    assert storage.presign_params(build_key(3, "photo"), "a.jpg", "image/jpeg")["ExpiresIn"] == used


def test_the_signed_url_carries_our_expiry_and_response_headers(storage):
    url = storage.presigned_url(build_key(3, "photo"), "a.jpg", "image/jpeg")

    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-type"] == ["image/jpeg"]
    assert query["response-content-disposition"][0].startswith("attachment;")


@pytest.mark.parametrize(
    "key",
    ["../etc/passwd", "tenants/1/photo/../../x", "tenants/0/photo/" + "a" * 32, "tenants/1/Photo/" + "a" * 32, ""],
)
def test_keys_not_made_by_us_never_reach_a_backend(key):
    with pytest.raises(StorageError):
        check_key(key)


def test_a_user_supplied_filename_cannot_break_the_disposition_header():
    header = attachment_disposition('evil"\r\nSet-Cookie: x=1.pdf')

    assert "\r" not in header and "\n" not in header
    assert re.match(r'attachment; filename="[^"]*"; filename\*=UTF-8\'\'', header)


# --- the app on S3 ---------------------------------------------------------------------------------


@pytest.fixture
def on_s3(app, monkeypatch, s3_endpoint):
    for name, value in {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": BUCKET,
        "S3_REGION": "us-east-1",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setitem(app.config, name, value)
    return get_storage(app)


def test_an_upload_through_the_app_goes_to_s3_and_the_download_redirects_to_a_presigned_url(
    factory, login_as, on_s3, s3_client, owner_engine
):
    shop = factory.tenant("s3shop")
    customer = factory.customer(shop)
    client = login_as(factory.owner(shop), "s3shop")

    response = client.post(
        f"/documents/customers/{customer.id}",
        data={"kind": "authorization", "file": (io.BytesIO(PDF), "signed.pdf")},
        content_type="multipart/form-data",
    )
    [row] = document_rows(owner_engine, shop.id)
    download = client.get(f"/documents/{row['id']}/download")

    assert response.status_code == 302
    assert _keys(s3_client, f"tenants/{shop.id}/") == [row["storage_key"]]
    assert s3_client.head_object(Bucket=BUCKET, Key=row["storage_key"])["ServerSideEncryption"] == "AES256"
    assert download.status_code == 302 and download.headers["Cache-Control"] == "no-store"
    with urllib.request.urlopen(download.location, timeout=10) as answer:  # noqa: S310
        assert answer.read() == PDF
        assert answer.headers["Content-Disposition"].startswith('attachment; filename="signed.pdf"')


def test_deleting_through_the_app_removes_the_s3_object(factory, login_as, on_s3, s3_client, owner_engine):
    shop = factory.tenant("s3del")
    customer = factory.customer(shop)
    client = login_as(factory.owner(shop), "s3del")
    client.post(
        f"/documents/customers/{customer.id}",
        data={"kind": "photo", "file": (io.BytesIO(JPEG), "dent.jpg")},
        content_type="multipart/form-data",
    )
    [row] = document_rows(owner_engine, shop.id)

    client.post(f"/documents/{row['id']}/delete")

    assert _keys(s3_client, f"tenants/{shop.id}/") == []
