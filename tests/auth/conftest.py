"""Helpers for tests of accounts: a shop with its owner, reading rows back, reading pages and mailed links.

tests/onboarding and tests/platform use these too: their conftests import the fixtures they need.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from saas.auth.models import Invitation, User
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from tests.factories import Ref, log_in

# --- reading the database as the app does --------------------------------------------------


@contextmanager
def shop_session(app, tenant_id: int) -> Iterator:
    """The database session scoped to one shop, as in that shop's requests."""
    with app.test_request_context(), tenant_scope(tenant_id):
        yield db.session


def user_by_email(app, tenant_id: int, email: str) -> User | None:
    """The shop's staff account with this e-mail (None when there is none)."""
    with shop_session(app, tenant_id) as session:
        return session.scalar(select(User).where(User.email == email))


def user_of(app, ref: Ref) -> User:
    """The staff account behind a factory `Ref`, as stored now."""
    with shop_session(app, ref.tenant_id) as session:
        return session.scalar(select(User).where(User.id == ref.id))


def invitations_of(app, tenant_id: int) -> list[Invitation]:
    """Every invitation of the shop, oldest first."""
    with shop_session(app, tenant_id) as session:
        return list(session.scalars(select(Invitation).order_by(Invitation.id)))


# --- reading responses ---------------------------------------------------------------------


def redirect_path(response) -> str:
    """Where a redirect points on the same host: path and query, without scheme and host."""
    assert response.status_code in (301, 302, 303), response.status_code
    return urlsplit(response.headers["Location"])._replace(scheme="", netloc="").geturl()


def flashes(response) -> list[str]:
    """The flash messages a page shows."""
    return [
        html.unescape(text) for text in re.findall(r'class="flash flash-\w+">([^<]*)<', response.get_data(as_text=True))
    ]


def field_errors(response) -> list[str]:
    """The error messages shown under form fields."""
    return [
        html.unescape(text) for text in re.findall(r'<p class="error">([^<]*)</p>', response.get_data(as_text=True))
    ]


def invalid_fields(response) -> set[str]:
    """Names of the form fields a page marks invalid."""
    tags = re.findall(r"<(?:input|select|textarea)\b([^>]*)>", response.get_data(as_text=True))
    return {re.search(r'name="([^"]+)"', tag).group(1) for tag in tags if 'aria-invalid="true"' in tag}


# --- mailed links --------------------------------------------------------------------------


def link_path(link: str) -> str:
    """The path of a mailed link, to open it on another host."""
    return urlsplit(link).path


def tampered(link: str) -> str:
    """The link with the first character of its token changed (the signature no longer matches)."""
    head, _, token = link.rpartition("/")
    return f"{head}/{'B' if token[0] == 'A' else 'A'}{token[1:]}"


@pytest.fixture
def clock_ahead(monkeypatch):
    """`with clock_ahead(seconds): ...` checks signed links (and cookies) as if `seconds` had passed.

    Sessions made before still work inside the block when `seconds` is under their 12 hours; those
    made inside it do not work after it.
    """

    @contextmanager
    def ahead(seconds: int) -> Iterator[None]:
        now = time.time
        with monkeypatch.context() as patch:
            patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(now()) + seconds)
            yield

    return ahead


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def flask_cli(app):
    """`flask_cli("tenants", "list")` runs a `flask` command; returns click's result."""
    runner = app.test_cli_runner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(args=list(args), input=input)

    return run


# --- a shop with staff ---------------------------------------------------------------------


@pytest.fixture
def shop(factory) -> Ref:
    """Acme Repairs at acme.workbay.test, with its owner."""
    return factory.tenant("acme", name="Acme Repairs")


@pytest.fixture
def other_shop(factory) -> Ref:
    """A second shop, Globex Garage at globex.workbay.test."""
    return factory.tenant("globex", name="Globex Garage")


@pytest.fixture
def owner(factory, shop) -> Ref:
    """Acme's owner."""
    return factory.owner(shop)


@pytest.fixture
def login_as(shop_client):
    """`login_as(user)` is a client logged in as `user` on acme's host (or on `subdomain`)."""

    def make(user: Ref, subdomain: str = "acme"):
        client = shop_client(subdomain)
        log_in(client, user.email)
        return client

    return make


@pytest.fixture
def owner_client(login_as, owner):
    """Acme's owner, logged in."""
    return login_as(owner)
