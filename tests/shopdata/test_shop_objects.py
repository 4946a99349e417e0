"""Listing all of one shop's stored objects (`keys_of_shop`), which its export and its deletion rely on:
every kind, every page of an S3 listing, and nothing of a shop whose id merely starts the same way."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config as BotoConfig

from saas.core.storage import LocalStorage, S3Settings, S3Storage, StorageError, build_key
from tests.fixtures.browser import free_port
from tests.fixtures.storage import JPEG, PDF

BUCKET = "workbay-test-shop-objects"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3-compatible server on 127.0.0.1 with an empty bucket; its URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3(s3_endpoint) -> S3Storage:
    """The S3 backend against moto, over real HTTP; the bucket starts empty for every test."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        config=BotoConfig(signature_version="s3v4"),
        **CREDENTIALS,
    )
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    return S3Storage(S3Settings(bucket=BUCKET, region="us-east-1", endpoint_url=s3_endpoint), client=client)


@pytest.fixture
def local(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "objects")


@pytest.fixture(params=["local", "s3"])
def storage(request):
    """Each backend in turn."""
    return request.getfixturevalue(request.param)


def test_every_kind_of_a_shops_objects_is_listed_and_no_other_shops(storage):
    mine = sorted([build_key(1, "registration"), build_key(1, "photo"), build_key(1, "shop_exports")])
    for key in mine:
        storage.put(key, PDF, "application/pdf")
    for other in (build_key(10, "photo"), build_key(11, "registration"), build_key(2, "photo")):
        storage.put(other, JPEG, "image/jpeg")  # shop 10's prefix starts like shop 1's: not shop 1's

    assert storage.keys_of_shop(1) == mine
    assert storage.keys_of_shop(3) == []


def test_a_long_s3_listing_is_read_to_its_last_page(s3):
    pages = []
    s3.client.meta.events.register(
        "before-parameter-build.s3.ListObjectsV2", lambda params, **kwargs: params.setdefault("MaxKeys", 2)
    )
    s3.client.meta.events.register("after-call.s3.ListObjectsV2", lambda **kwargs: pages.append(1))
    keys = sorted(build_key(5, "photo") for _ in range(7))
    for key in keys:
        s3.put(key, JPEG, "image/jpeg")

    assert s3.keys_of_shop(5) == keys
    assert len(pages) == 4  # two keys a page


def test_files_of_the_local_folder_that_are_not_objects_are_skipped(local, tmp_path):
    key = build_key(4, "photo")
    local.put(key, JPEG, "image/jpeg")
    (tmp_path / "objects" / "tenants" / "4" / "photo" / "notes.txt").write_text("left by hand")
    (tmp_path / "objects" / f"{key}.part").write_bytes(b"half")

    assert local.keys_of_shop(4) == [key]


def test_a_shop_id_that_is_not_one_is_refused(storage):
    with pytest.raises(StorageError):
        storage.keys_of_shop(0)
