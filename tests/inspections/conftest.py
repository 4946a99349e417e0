"""Fixtures for inspections: photos go to a temporary folder, never into instance/."""

from __future__ import annotations

import pytest

from tests.documents.helpers import ShopBuilder
from tests.factories import log_in


@pytest.fixture(autouse=True)
def storage_dir(app, tmp_path, monkeypatch):
    """The local storage backend writes under this test's temporary folder."""
    folder = tmp_path / "documents"
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "local")
    monkeypatch.setitem(app.config, "STORAGE_LOCAL_DIR", str(folder))
    return folder


@pytest.fixture
def build(app) -> ShopBuilder:
    return ShopBuilder(app)


@pytest.fixture
def login_as(shop_client):
    """`login_as(ref, subdomain)`: a client on the shop's host, logged in as the user `ref`."""

    def make(user, subdomain: str):
        client = shop_client(subdomain)
        log_in(client, user.email)
        return client

    return make
