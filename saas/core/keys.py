"""`flask keys ...`: rotation of the keys that encrypt columns at rest (`saas.core.crypto`).

The encrypted columns are found in the metadata (every column whose type is `EncryptedString`),
so a feature's new encrypted column is rotated without a change here. A shop's table is walked
shop by shop as that shop (`tenant_scope`: row-level security shows it that shop's rows only);
a platform table through the explicit cross-tenant path. Rows are read and rewritten in batches
of raw ciphertext (never decrypted into the ORM), one commit per batch, so a long rotation holds
no long transaction and can be stopped and run again: values already under the newest key are
left alone. Only counts are reported or logged, never a value or a key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import Column, Table, Text, bindparam, or_, select, tuple_, type_coerce, update

from saas.core.crypto import SETTING as KEYS_SETTING
from saas.core.crypto import DecryptionError, configured_keys, encrypted_columns, is_current, reencrypt
from saas.core.extensions import db
from saas.core.tenancy import cross_tenant_scope, tenant_scope
from saas.core.tenant import Tenant

keys_cli = AppGroup("keys", help="Keys of the columns encrypted at rest: check and rotate.")

DEFAULT_BATCH = 500


@dataclass
class Tally:
    """What a pass found in one column: values under the newest key, under an older one, unreadable."""

    table: str
    column: str
    current: int = 0
    older: int = 0
    unreadable: int = 0

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"


def _raw(column: Column):
    # The stored ciphertext itself: the column's type would decrypt it.
    return type_coerce(column, Text).label(column.name)


def _batches(table: Table, columns: list[Column], condition, batch_size: int) -> Iterator[list]:
    """Rows of `table` (primary key, then the raw values) with a value in `columns`, `batch_size` at a time."""
    key = list(table.primary_key.columns)
    query = (
        select(*key, *(_raw(column) for column in columns))
        .where(or_(*(type_coerce(column, Text) != "" for column in columns)))
        .order_by(*key)
        .limit(batch_size)
    )
    if condition is not None:
        query = query.where(condition)
    after = None
    while True:
        rows = db.session.execute(query if after is None else query.where(tuple_(*key) > tuple_(*after))).all()
        if not rows:
            return
        yield rows
        after = tuple(rows[-1][: len(key)])


def _pass(table: Table, columns: list[Column], tallies: dict[str, Tally], condition, batch_size: int, write: bool):
    """One pass over `table`'s rows that `condition` selects: count, and (when `write`) re-encrypt and commit."""
    key = list(table.primary_key.columns)
    statement = (
        update(table)
        .where(*(column == bindparam(f"key_{column.name}") for column in key))
        .values({column.name: bindparam(f"new_{column.name}", type_=Text) for column in columns})
    )
    for rows in _batches(table, columns, condition, batch_size):
        changes = []
        for row in rows:
            values = dict(row._mapping)
            changed = False
            for column in columns:
                tally, token = tallies[column.name], values[column.name]
                if not token:
                    continue
                if is_current(token):
                    tally.current += 1
                    continue
                try:
                    values[column.name] = reencrypt(token)
                except DecryptionError:
                    tally.unreadable += 1
                    continue
                tally.older += 1
                changed = True
            if changed:
                changes.append(
                    {f"key_{column.name}": values[column.name] for column in key}
                    | {f"new_{column.name}": values[column.name] for column in columns}
                )
        if write and changes:
            db.session.execute(statement, changes)
            db.session.commit()


def walk(*, write: bool, batch_size: int = DEFAULT_BATCH) -> list[Tally]:
    """Count every encrypted value by key (and re-encrypt those under an older key when `write`)."""
    found = encrypted_columns(db.metadata)
    shop_ids = None
    tallies: list[Tally] = []
    try:
        for table, columns in found.items():
            counts = {column.name: Tally(table.name, column.name) for column in columns}
            tallies.extend(counts.values())
            if "tenant_id" not in table.c:
                with cross_tenant_scope(f"keys: {'re-encrypt' if write else 'check'} {table.name}"):
                    _pass(table, columns, counts, None, batch_size, write)
                continue
            if shop_ids is None:
                with cross_tenant_scope("keys: list the shops whose encrypted values to go through"):
                    shop_ids = db.session.scalars(select(Tenant.id).order_by(Tenant.id)).all()
            for tenant_id in shop_ids:
                with tenant_scope(tenant_id):
                    _pass(table, columns, counts, table.c.tenant_id == tenant_id, batch_size, write)
    finally:
        db.session.rollback()  # a check writes nothing; a rotation committed each batch already
    return tallies


def _keys_in_use() -> str:
    count = len(configured_keys())
    if not current_app.config.get(KEYS_SETTING):
        return f"No {KEYS_SETTING}: values are encrypted with the key derived from SECRET_KEY."
    return f"{KEYS_SETTING} holds {count} key(s); the first encrypts, all of them decrypt."


def _report(tallies: list[Tally], older_label: str) -> None:
    click.echo(_keys_in_use())
    for tally in tallies:
        line = f"{tally.name}: {tally.current} under the newest key, {tally.older} {older_label}"
        click.echo(line + (f", {tally.unreadable} UNREADABLE" if tally.unreadable else ""))


def _unreadable_error(tallies: list[Tally]) -> click.ClickException:
    names = ", ".join(tally.name for tally in tallies if tally.unreadable)
    return click.ClickException(
        f"Some values cannot be decrypted with any key in {KEYS_SETTING} ({names}): the key that encrypted "
        "them is missing. Put it back (after the newest key) and run this again; remove no key until then."
    )


batch_option = click.option(
    "--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH, show_default=True, help="Rows per commit."
)


@keys_cli.command("rotate")
@batch_option
def rotate_command(batch_size: int) -> None:
    """Re-encrypt every encrypted value with the first key of FIELD_ENCRYPTION_KEYS (one commit per batch)."""
    tallies = walk(write=True, batch_size=batch_size)
    _report(tallies, "re-encrypted")
    if any(tally.unreadable for tally in tallies):
        raise _unreadable_error(tallies)
    click.echo(f"Every encrypted value is under the newest key: the older keys can be removed from {KEYS_SETTING}.")


@keys_cli.command("check")
@batch_option
def check_command(batch_size: int) -> None:
    """Count the encrypted values under the newest key and under older ones; changes nothing.

    Exits with an error while a value still needs an older key (run `flask keys rotate`) or none fits.
    """
    tallies = walk(write=False, batch_size=batch_size)
    _report(tallies, "under an older key")
    if any(tally.unreadable for tally in tallies):
        raise _unreadable_error(tallies)
    if any(tally.older for tally in tallies):
        raise click.ClickException("Some values still need an older key: run `flask keys rotate` before removing it.")
    click.echo(f"Every encrypted value is under the newest key: the older keys can be removed from {KEYS_SETTING}.")
