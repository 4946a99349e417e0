"""A live server on loopback and a real headless Chromium (Debian's package) driving it."""

from __future__ import annotations

import os
import shutil
import socket
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM_CANDIDATES = (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser")


def chromium_path() -> str | None:
    """Where Chromium is, if anywhere."""
    for candidate in CHROMIUM_CANDIDATES:
        if candidate and shutil.which(candidate):
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(database_urls, tmp_path_factory):
    """The app served over real HTTP on 127.0.0.1; shops at http://<sub>.localhost:<port>/."""
    from saas import create_app
    from saas.extensions import db

    port = free_port()
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SERVER_NAME": f"localhost:{port}",
            "TRUSTED_HOSTS": ["localhost", ".localhost"],
            "SQLALCHEMY_DATABASE_URI": database_urls.app,
            "MAIL_OUTBOX_DIR": str(tmp_path_factory.mktemp("browser-outbox")),
            "WTF_CSRF_ENABLED": True,
        }
    )
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"localhost:{port}"
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium through Playwright (never `playwright install`: Debian's build is used)."""
    path = chromium_path()
    if path is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (REQUIRE_BROWSER=1) but missing: apt-get install chromium")
        pytest.skip("Chromium is not installed: apt-get install chromium (make test does it when it can)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab with its own cookies."""
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    context.close()
