"""What PostgreSQL itself enforces, whatever the ORM forgets: raw SQL as the app's role."""

from __future__ import annotations

import psycopg.errors
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, ProgrammingError

from saas.core.tenancy import TenantContextError
from saas.models import Customer
from tests.fixtures.database import rows_by_tenant, shop_session, snapshot


@pytest.mark.parametrize("shop_name", ["alpha", "bravo"])
def test_raw_select_in_a_shops_transaction_returns_only_that_shops_rows(
    app, shops, tenant_tables, superuser_engine, shop_name
):
    shop = getattr(shops, shop_name)
    with superuser_engine.connect() as conn:
        expected = {table: {shop.id: rows_by_tenant(conn, table)[shop.id]} for table in tenant_tables}

    with shop_session(app, shop.id) as session:
        seen = {table: rows_by_tenant(session, table) for table in tenant_tables}

    assert seen == expected


def test_raw_select_with_a_tenant_set_by_hand_on_the_app_role_returns_only_that_shops_rows(
    shops, tenant_tables, app_engine
):
    with app_engine.begin() as conn:
        conn.execute(text("SELECT set_config('workbay.tenant_id', :t, true)"), {"t": str(shops.bravo.id)})
        seen = {table: set(rows_by_tenant(conn, table)) for table in tenant_tables}

    assert seen == {table: {shops.bravo.id} for table in tenant_tables}


def test_tenant_tables_show_no_rows_at_all_when_no_tenant_is_set(app, shops, tenant_tables, app_engine):
    with app_engine.connect() as conn:
        raw = {table: rows_by_tenant(conn, table) for table in tenant_tables}
    with shop_session(app, None) as session:
        through_app = {table: rows_by_tenant(session, table) for table in tenant_tables}

    assert raw == through_app == {table: {} for table in tenant_tables}


def test_tenants_table_inside_a_shops_transaction_shows_only_that_shop(app, shops):
    with shop_session(app, shops.alpha.id) as session:
        subdomains = session.scalars(text("SELECT subdomain FROM tenants")).all()

    assert subdomains == ["alpha"]


@pytest.mark.parametrize("table", ["platform_admins", "platform_audit_entries"])
def test_platform_tables_show_nothing_inside_a_shops_transaction(app, shops, superuser_engine, table):
    with superuser_engine.connect() as conn:
        assert conn.scalar(text(f"SELECT count(*) FROM {table}")) > 0
    with shop_session(app, shops.alpha.id) as session:
        assert session.scalar(text(f"SELECT count(*) FROM {table}")) == 0


# --- writes that cross shops ---------------------------------------------------------------

INSERT_INVITATION = (
    "INSERT INTO invitations (tenant_id, email, role, token_hash, invited_by_id, expires_at) "
    "VALUES (:tenant, 'x@alpha.test', 'technician', md5(random()::text), :user, now() + interval '1 day')"
)
INSERT_ACCEPTANCE = (
    "INSERT INTO policy_acceptances (tenant_id, user_id, document, version, accepted_at) "
    "VALUES (:tenant, :user, 'terms', 'v1', now())"
)


@pytest.mark.parametrize(
    ("insert", "constraint"),
    [
        (INSERT_INVITATION, "fk_invitations_tenant_id_invited_by_id_users"),
        (INSERT_ACCEPTANCE, "fk_policy_acceptances_tenant_id_user_id_users"),
    ],
)
def test_a_row_referencing_another_shops_user_is_refused_by_the_composite_foreign_key(app, shops, insert, constraint):
    with shop_session(app, shops.alpha.id) as session:
        session.execute(text(insert), {"tenant": shops.alpha.id, "user": shops.alpha.member.id})  # own user: fine
        with pytest.raises(IntegrityError) as refused, session.begin_nested():
            session.execute(text(insert), {"tenant": shops.alpha.id, "user": shops.bravo.member.id})

    assert isinstance(refused.value.orig, psycopg.errors.ForeignKeyViolation)
    assert refused.value.orig.diag.constraint_name == constraint


def _refused_by_row_level_security(error: pytest.ExceptionInfo) -> bool:
    return isinstance(error.value.orig, psycopg.errors.InsufficientPrivilege) and "row-level security" in str(
        error.value.orig
    )


def test_inserting_a_row_for_another_shop_is_refused_by_row_level_security(app, shops):
    insert = text("INSERT INTO customers (tenant_id, name, notes) VALUES (:tenant, 'Planted', '')")
    with shop_session(app, shops.alpha.id) as session:
        session.execute(insert, {"tenant": shops.alpha.id})  # own shop: fine
        with pytest.raises(ProgrammingError) as refused, session.begin_nested():
            session.execute(insert, {"tenant": shops.bravo.id})

    assert _refused_by_row_level_security(refused)


def test_moving_a_row_to_another_shop_is_refused_on_every_tenant_table(app, shops, tenant_tables):
    refused = {}
    with shop_session(app, shops.alpha.id) as session:
        for table in tenant_tables:
            with pytest.raises(ProgrammingError) as error, session.begin_nested():
                session.execute(text(f'UPDATE "{table}" SET tenant_id = :b'), {"b": shops.bravo.id})
            refused[table] = _refused_by_row_level_security(error)

    assert refused == dict.fromkeys(tenant_tables, True)


def test_updates_and_deletes_cannot_reach_another_shops_rows_on_any_tenant_table(
    app, shops, tenant_tables, superuser_engine
):
    before = snapshot(superuser_engine, tenant_tables, shops.bravo.id)
    touched = {}
    with shop_session(app, shops.alpha.id) as session:
        for table in tenant_tables:
            own = session.execute(
                text(f'UPDATE "{table}" SET tenant_id = tenant_id WHERE tenant_id = :a'), {"a": shops.alpha.id}
            ).rowcount
            updated = session.execute(
                text(f'UPDATE "{table}" SET tenant_id = tenant_id WHERE tenant_id = :b'), {"b": shops.bravo.id}
            ).rowcount
            deleted = session.execute(
                text(f'DELETE FROM "{table}" WHERE tenant_id = :b'), {"b": shops.bravo.id}
            ).rowcount
            touched[table] = (own > 0, updated, deleted)
        session.commit()

    assert touched == dict.fromkeys(tenant_tables, (True, 0, 0))
    assert snapshot(superuser_engine, tenant_tables, shops.bravo.id) == before


def test_orm_refuses_to_add_a_customer_of_another_shop(app, shops):
    with shop_session(app, shops.alpha.id) as session:
        own = Customer(name="Stamped")
        session.add(own)
        session.flush()
        assert own.tenant_id == shops.alpha.id

        planted = Customer(tenant_id=shops.bravo.id, name="Planted")
        session.add(planted)
        with pytest.raises(TenantContextError):
            session.flush()
        session.expunge(planted)  # leaving the shop's scope flushes what is pending


def test_orm_refuses_to_add_a_customer_without_an_active_tenant(app, shops):
    with shop_session(app, None) as session:
        session.add(Customer(name="Orphan"))
        with pytest.raises(TenantContextError):
            session.flush()


def test_queued_mail_of_one_shop_is_invisible_inside_another_shops_transaction(
    app, shops, shop_client, superuser_engine, monkeypatch
):
    jobs = text("SELECT id, args->>'message' FROM procrastinate.procrastinate_jobs WHERE id > :after")
    with superuser_engine.connect() as conn:
        after = conn.scalar(text("SELECT coalesce(max(id), 0) FROM procrastinate.procrastinate_jobs"))
    monkeypatch.setitem(app.config, "MAIL_QUEUE", True)
    try:
        shop_client("alpha").post("/forgot-password", data={"email": shops.alpha.owner.email})
        with superuser_engine.connect() as conn:
            queued = [message for _, message in conn.execute(jobs, {"after": after})]
        with shop_session(app, shops.bravo.id) as session:
            seen_at_bravo = [message for _, message in session.execute(jobs, {"after": after})]
    finally:
        with superuser_engine.begin() as conn:
            conn.execute(text("DELETE FROM procrastinate.procrastinate_jobs WHERE id > :after"), {"after": after})
    if not any("/reset-password/" in message for message in queued):
        raise RuntimeError(f"expected alpha's reset mail in the queue, found {queued}")  # not the xfail

    assert [message for message in seen_at_bravo if "/reset-password/" in message] == []
