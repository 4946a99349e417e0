"""Columns encrypted at rest: ciphertext in the database, plain text in the app; a new key reads old rows,
`flask keys rotate` moves every value to it so the old key can go; a wrong key is a clear error; no logs."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from config import ConfigError, ProductionConfig, load_config
from saas.core import crypto
from saas.core.crypto import DecryptionError, KeyConfigError
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.customers.models import Customer
from saas.platform.models import PlatformAdmin
from saas.workorders.models import WorkOrder
from tests.core.sensitive_rows import (
    PLAIN,
    PLATFORM_COLUMNS,
    every_encrypted_column,
    sensitive_rows,
    stored_values,
)
from tests.factories import ADMIN_TOTP_SECRET

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def keys(app, monkeypatch):
    """`keys(NEW_KEY, OLD_KEY)` sets FIELD_ENCRYPTION_KEYS of the app under test (restored afterwards)."""

    def use(*fernet_keys: str) -> None:
        monkeypatch.setitem(app.config, "FIELD_ENCRYPTION_KEYS", ",".join(fernet_keys))

    return use


def customer_notes(app, tenant_id: int, customer_id: int) -> str:
    with app.test_request_context(), tenant_scope(tenant_id):
        return db.session.get(Customer, (tenant_id, customer_id)).notes


def only_under(key: str, token: str) -> bool:
    """True when `token` decrypts with `key` alone."""
    try:
        Fernet(key.encode()).decrypt(token.encode())
    except Exception:
        return False
    return True


# --- ciphertext in the database, plain text in the app ----------------------------------------


def test_a_customers_notes_are_ciphertext_in_the_database_and_plain_on_their_page(
    app, shop, owner_client, superuser_engine
):
    jane = sensitive_rows(app, shop.id)

    page = owner_client.get(f"/customers/{jane.customer_id}").get_data(as_text=True)

    assert PLAIN["customers.notes"] in page
    [stored] = stored_values(superuser_engine, {"customers.notes"})["customers.notes"]
    assert stored.startswith("gAAAAA") and PLAIN["customers.notes"] not in stored


def test_an_empty_value_stays_empty_and_null_stays_null(app, shop, superuser_engine):
    with app.test_request_context(), tenant_scope(shop.id):
        db.session.add(Customer(name="No Notes", notes=""))
        db.session.commit()
    with app.app_context():
        assert crypto.encrypt("") == "" and crypto.decrypt("") == ""
        assert crypto.EncryptedString().process_bind_param(None, None) is None
    with superuser_engine.connect() as conn:
        assert conn.scalar(text("SELECT notes FROM customers")) == ""


def test_sql_cannot_search_sort_or_compare_an_encrypted_column():
    with pytest.raises(TypeError, match=r"customers\.notes is encrypted at rest"):
        select(Customer).where(Customer.notes.ilike("%cash%"))
    with pytest.raises(TypeError, match="encrypted at rest"):
        select(WorkOrder).where(WorkOrder.internal_notes == "Regular")
    with pytest.raises(TypeError, match="encrypted at rest"):
        select(Customer).order_by(Customer.notes.desc())
    # What SQL can still answer on ciphertext: emptiness and NULL.
    select(Customer).where(Customer.notes != "", Customer.notes.is_not(None))


# --- keys and rotation ---------------------------------------------------------------------------


def test_a_row_written_under_the_old_key_stays_readable_after_a_new_key_is_put_first(app, shop, keys, superuser_engine):
    keys(OLD_KEY)
    jane = sensitive_rows(app, shop.id)
    keys(NEW_KEY, OLD_KEY)

    assert customer_notes(app, shop.id, jane.customer_id) == PLAIN["customers.notes"]

    with app.test_request_context(), tenant_scope(shop.id):
        db.session.add(Customer(name="New Row", notes="Written after the new key"))
        db.session.commit()
    stored = stored_values(superuser_engine, {"customers.notes"})["customers.notes"]
    assert sorted(only_under(NEW_KEY, token) for token in stored) == [False, True]  # old row as it was, new row new


def test_flask_keys_rotate_moves_every_value_to_the_new_key_so_the_old_key_can_be_dropped(
    app, factory, shop, other_shop, keys, flask_cli, superuser_engine
):
    keys(OLD_KEY)
    jane = sensitive_rows(app, shop.id)
    oscar = sensitive_rows(app, other_shop.id, email="oscar@example.com", prefix="Oscar: ")
    admin = factory.platform_admin()
    columns = every_encrypted_column()
    assert set(PLAIN) | PLATFORM_COLUMNS == columns, "every encrypted column has a row in this test"
    before = stored_values(superuser_engine, columns)
    keys(NEW_KEY, OLD_KEY)

    check = flask_cli("keys", "check")
    assert check.exit_code == 1 and "run `flask keys rotate`" in check.output
    result = flask_cli("keys", "rotate", "--batch-size", "1")  # one row per batch: the batches chain

    assert result.exit_code == 0, result.output
    for column in columns:
        count = len(before[column])
        assert f"{column}: 0 under the newest key, {count} re-encrypted" in result.output
    assert "the older keys can be removed" in result.output
    after = stored_values(superuser_engine, columns)
    assert all(only_under(NEW_KEY, token) for tokens in after.values() for token in tokens)
    assert {column: len(tokens) for column, tokens in after.items()} == {c: len(t) for c, t in before.items()}

    keys(NEW_KEY)  # the old key is gone: every row still reads
    assert customer_notes(app, shop.id, jane.customer_id) == PLAIN["customers.notes"]
    assert customer_notes(app, other_shop.id, oscar.customer_id) == "Oscar: " + PLAIN["customers.notes"]
    with app.app_context():
        assert db.session.get(PlatformAdmin, admin.id).totp_secret == ADMIN_TOTP_SECRET
    assert flask_cli("keys", "check").exit_code == 0
    again = flask_cli("keys", "rotate")
    assert f"customers.notes: {len(before['customers.notes'])} under the newest key, 0 re-encrypted" in again.output


def test_a_missing_key_gives_a_clear_error_not_garbage(app, shop, keys, flask_cli):
    keys(OLD_KEY)
    jane = sensitive_rows(app, shop.id)
    keys(NEW_KEY)  # the old key was dropped before rotating

    with pytest.raises(DecryptionError) as error:
        customer_notes(app, shop.id, jane.customer_id)

    message = str(error.value)
    assert "FIELD_ENCRYPTION_KEYS" in message and "put it back" in message
    assert OLD_KEY not in message and NEW_KEY not in message and "gAAAA" not in message
    checked = flask_cli("keys", "check")
    assert checked.exit_code == 1
    assert "customers.notes: 0 under the newest key, 0 under an older key, 1 UNREADABLE" in checked.output
    assert "Put it back" in checked.output
    rotated = flask_cli("keys", "rotate")
    assert rotated.exit_code == 1 and "remove no key until then" in rotated.output
    keys(NEW_KEY, OLD_KEY)  # putting the key back makes the row readable again
    assert customer_notes(app, shop.id, jane.customer_id) == PLAIN["customers.notes"]


def test_a_malformed_key_is_refused_by_its_position_without_showing_it(app, keys):
    keys(NEW_KEY, "not-a-fernet-key")
    with app.app_context(), pytest.raises(KeyConfigError) as error:
        crypto.encrypt("anything")
    assert "key #2" in str(error.value) and "Fernet.generate_key()" in str(error.value)
    assert "not-a-fernet-key" not in str(error.value) and NEW_KEY not in str(error.value)
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_production_refuses_to_start_without_field_encryption_keys(monkeypatch):
    for name in ProductionConfig.REQUIRED:
        monkeypatch.setenv(name, "postgresql://x" if name.endswith("_URL") else "s" * 64)
    monkeypatch.delenv("FIELD_ENCRYPTION_KEYS")
    with pytest.raises(ConfigError, match="FIELD_ENCRYPTION_KEYS"):
        load_config("production")


# --- nothing secret in the logs -------------------------------------------------------------------


def test_neither_values_nor_keys_appear_in_the_logs_even_with_sql_logging_on(
    app, shop, owner_client, keys, flask_cli, caplog
):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # every statement and its parameters
    keys(OLD_KEY)
    jane = sensitive_rows(app, shop.id)
    owner_client.get(f"/customers/{jane.customer_id}")
    owner_client.get(f"/work-orders/{jane.work_order_id}")
    owner_client.get(f"/privacy-requests/{jane.request_id}")
    keys(NEW_KEY, OLD_KEY)
    assert flask_cli("keys", "rotate").exit_code == 0

    logged = caplog.text
    assert "INSERT INTO customers" in logged  # the SQL log was on
    assert "gAAAAA" in logged  # ...and showed only ciphertext
    assert not [column for column, plain in PLAIN.items() if plain in logged]
    assert OLD_KEY not in logged and NEW_KEY not in logged
