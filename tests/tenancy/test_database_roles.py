"""The web role cannot lift row-level security, whatever it sets; only the platform role crosses shops.

Raw SQL as the roles themselves (the engines of the app under test), as an injected query would run:
the web role serves shops and the public site, the platform role the console, jobs and commands.
"""

from __future__ import annotations

import itertools
import re

import psycopg.errors
import pytest
from flask import jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from config import ConfigError, load_config
from saas.core.database_roles import PLATFORM_ROLE, WEB_ROLE, DatabaseRoleError, session_role, set_session_role
from saas.core.embedded_db import APP_ROLE, OWNER_ROLE
from saas.core.embedded_db import PLATFORM_ROLE as PLATFORM_LOGIN
from saas.core.extensions import db
from saas.core.rls import CROSS_TENANT_GROUP
from saas.core.tasks.queue import Job, enqueue, worker_conninfo
from saas.core.tasks.worker import _in_app_context
from saas.core.tenancy import CROSS_TENANT_SETTING, TENANT_SETTING, TenantContextError, cross_tenant_scope
from tests.fixtures.database import rows_by_tenant, shop_session

PLATFORM_ONLY_TABLES = ("platform_admins", "platform_recovery_codes", "platform_audit_entries")
JOBS = "procrastinate.procrastinate_jobs"
SWITCH_ON = ("on", "true", "1", "yes")


def workbay_settings(superuser_engine) -> list[str]:
    """Every `workbay.*` setting the database reads (its functions and policies), and the app's own."""
    with superuser_engine.connect() as conn:
        sources = conn.scalars(
            text(
                "SELECT prosrc FROM pg_proc WHERE pronamespace IN ('public'::regnamespace, 'procrastinate'::regnamespace) "
                "UNION ALL SELECT coalesce(qual, '') || ' ' || coalesce(with_check, '') FROM pg_policies"
            )
        ).all()
    found = set(itertools.chain.from_iterable(_names_in(source) for source in sources))
    return sorted(found | {TENANT_SETTING, CROSS_TENANT_SETTING})


def _names_in(source: str) -> list[str]:
    return re.findall(r"workbay\.[a-z_]+", source)


def settings_an_attacker_can_try(shops, names: list[str]) -> list[dict[str, str]]:
    """The tenant of alpha, of bravo, or none, with every other `workbay.*` setting off or switched on."""
    others = [name for name in names if name != TENANT_SETTING]
    combinations = []
    for tenant in (str(shops.alpha.id), str(shops.bravo.id), ""):
        combinations.append({TENANT_SETTING: tenant})
        for value in SWITCH_ON:
            combinations.append({TENANT_SETTING: tenant, **dict.fromkeys(others, value)})
    # Made-up names too: the policies must not read anything the web role may set but nobody checks.
    combinations.append(
        {TENANT_SETTING: "", "workbay.platform": "on", "workbay.role": "platform", "workbay.admin": "on"}
    )
    return combinations


def _set(conn, settings: dict[str, str]) -> None:
    for name, value in settings.items():
        conn.execute(text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})


def _shops_seen(conn, tenant_tables: list[str]) -> set[int]:
    return set().union(*(rows_by_tenant(conn, table) for table in tenant_tables))


# --- the roles themselves ------------------------------------------------------------------


def test_the_web_role_is_no_member_of_the_cross_tenant_group_nor_of_the_platform_or_owner_role(app_engine):
    with app_engine.connect() as conn:
        user = conn.scalar(text("SELECT current_user"))
        memberships = conn.execute(
            text("SELECT pg_has_role(current_user, :group, 'MEMBER'), pg_has_role(current_user, :platform, 'MEMBER'), "
                 "pg_has_role(current_user, :owner, 'MEMBER'), workbay_platform_role()"),
            {"group": CROSS_TENANT_GROUP, "platform": PLATFORM_LOGIN, "owner": OWNER_ROLE},
        ).one()  # fmt: skip

    assert user == APP_ROLE
    assert tuple(memberships) == (False, False, False, False)


def test_the_platform_role_is_a_member_of_the_group_but_no_superuser_cannot_bypass_rls_and_owns_no_table(
    platform_engine,
):
    with platform_engine.connect() as conn:
        role = conn.execute(
            text("SELECT rolname, rolsuper, rolbypassrls, pg_has_role(current_user, :group, 'MEMBER') AS member "
                 "FROM pg_roles WHERE rolname = current_user"),
            {"group": CROSS_TENANT_GROUP},
        ).one()  # fmt: skip
        owned = conn.scalars(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname IN ('public', 'procrastinate') AND pg_has_role(current_user, c.relowner, 'MEMBER')"
            )
        ).all()

    assert tuple(role) == (PLATFORM_LOGIN, False, False, True)
    assert owned == []


@pytest.mark.parametrize(
    "statement",
    [
        f"SET ROLE {PLATFORM_LOGIN}",
        f"SET ROLE {CROSS_TENANT_GROUP}",
        f"SET ROLE {OWNER_ROLE}",
        f"SET SESSION AUTHORIZATION {PLATFORM_LOGIN}",
        f"GRANT {CROSS_TENANT_GROUP} TO {APP_ROLE}",
        f"ALTER ROLE {APP_ROLE} BYPASSRLS",
        "ALTER TABLE customers DISABLE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON customers",
        "CREATE OR REPLACE FUNCTION public.workbay_cross_tenant() RETURNS boolean LANGUAGE sql AS $$ SELECT true $$",
    ],
)
def test_the_web_role_cannot_become_another_role_or_switch_row_level_security_off(app_engine, statement):
    with pytest.raises(DBAPIError) as refused, app_engine.connect() as conn:
        conn.execute(text(statement))

    assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege)


# --- whatever the web role sets, one shop at most ------------------------------------------


def test_whatever_the_web_role_sets_raw_sql_on_every_tenant_table_sees_one_shop_at_most(
    shops, tenant_tables, app_engine, superuser_engine
):
    seen = {}
    for settings in settings_an_attacker_can_try(shops, workbay_settings(superuser_engine)):
        with app_engine.begin() as conn:
            _set(conn, settings)
            seen[tuple(settings.items())] = _shops_seen(conn, tenant_tables)

    expected = {
        combination: ({int(dict(combination)[TENANT_SETTING])} if dict(combination)[TENANT_SETTING] else set())
        for combination in seen
    }
    assert seen == expected  # the shop it named, or none: never both, never the other


def test_a_session_level_set_of_cross_tenant_does_not_open_anything_either(shops, tenant_tables, app_engine):
    with app_engine.connect() as conn:
        conn.execute(text(f"SET {CROSS_TENANT_SETTING} = 'on'"))
        conn.execute(text(f"SET {TENANT_SETTING} = '{shops.alpha.id}'"))
        seen = _shops_seen(conn, tenant_tables)
        conn.rollback()
        conn.execute(text("RESET ALL"))

    assert seen == {shops.alpha.id}


def test_the_web_role_never_sees_the_platforms_own_tables_whatever_it_sets(shops, app_engine, superuser_engine):
    with superuser_engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM platform_admins")) > 0
        assert conn.scalar(text("SELECT count(*) FROM platform_audit_entries")) > 0
    counts = []
    for tenant, cross in itertools.product((str(shops.alpha.id), ""), ("", "on")):
        with app_engine.begin() as conn:
            _set(conn, {TENANT_SETTING: tenant, CROSS_TENANT_SETTING: cross})
            counts.append({table: conn.scalar(text(f"SELECT count(*) FROM {table}")) for table in PLATFORM_ONLY_TABLES})

    assert counts == [dict.fromkeys(PLATFORM_ONLY_TABLES, 0)] * 4


def test_with_no_shop_the_web_role_still_finds_shops_by_subdomain_and_reads_the_stripe_tables(shops, app_engine):
    with app_engine.connect() as conn:
        subdomains = conn.scalars(text("SELECT subdomain FROM tenants ORDER BY subdomain")).all()
        conn.execute(text("SELECT count(*) FROM stripe_customers"))  # the webhook's lookups are allowed
        conn.execute(text("SELECT count(*) FROM stripe_events"))

    assert subdomains == ["alpha", "bravo"]


def _jobs_seen(conn) -> set[int | None]:
    return {row[0] for row in conn.execute(text(f"SELECT (args->>'tenant_id')::bigint FROM {JOBS}"))}


def test_queued_jobs_naming_a_shop_are_seen_by_that_shop_only_and_by_the_worker(
    shops, app_engine, platform_engine, owner_engine
):
    with owner_engine.begin() as conn:
        enqueue(conn, [Job("probe.task", {"tenant_id": shop.id}) for shop in (shops.alpha, shops.bravo)])
        enqueue(conn, [Job("probe.task", {"tenant_id": None})])
    seen = {}
    for name, tenant, cross in (
        ("no shop", "", ""),
        ("no shop, cross", "", "on"),
        ("alpha", str(shops.alpha.id), "on"),
    ):
        with app_engine.begin() as conn:
            _set(conn, {TENANT_SETTING: tenant, CROSS_TENANT_SETTING: cross})
            seen[name] = _jobs_seen(conn)
    with platform_engine.connect() as conn:
        seen["worker"] = _jobs_seen(conn)

    assert seen == {
        "no shop": {None},
        "no shop, cross": {None},
        "alpha": {shops.alpha.id},
        "worker": {None, shops.alpha.id, shops.bravo.id},
    }


def test_the_web_role_with_no_shop_cannot_queue_a_job_in_a_shops_name(shops, app_engine):
    with pytest.raises(ProgrammingError) as refused, app_engine.begin() as conn:
        enqueue(conn, [Job("probe.task", {"tenant_id": shops.bravo.id})])

    assert "row-level security" in str(refused.value.orig)


# --- the platform role: across shops only inside the explicit scope ------------------------


def test_the_platform_role_sees_no_shop_without_a_tenant_one_with_it_and_all_only_when_it_says_so(
    shops, tenant_tables, platform_engine
):
    seen = {}
    for name, settings in {
        "nothing set": {},
        "alpha": {TENANT_SETTING: str(shops.alpha.id)},
        "cross-tenant": {CROSS_TENANT_SETTING: "on"},
    }.items():
        with platform_engine.begin() as conn:
            _set(conn, settings)
            seen[name] = _shops_seen(conn, tenant_tables)

    assert seen == {"nothing set": set(), "alpha": {shops.alpha.id}, "cross-tenant": {shops.alpha.id, shops.bravo.id}}


def test_cross_tenant_scope_outside_a_request_works_as_the_platform_role_and_sees_every_shop(app, shops):
    with app.app_context(), cross_tenant_scope("test: both shops"):
        user = db.session.scalar(text("SELECT current_user"))
        tenants = set(db.session.scalars(text("SELECT DISTINCT tenant_id FROM customers")))

    assert user == PLATFORM_LOGIN
    assert tenants == {shops.alpha.id, shops.bravo.id}


# --- which requests, jobs and commands work as which role ----------------------------------


@pytest.fixture
def probed_app(make_app):
    """An app with a probe on a shop's host and on the public site: its database user, or a cross-tenant try."""
    application = make_app()

    def whoami():
        return jsonify(user=db.session.scalar(text("SELECT current_user")), role=session_role(db.session()))

    def cross():
        with cross_tenant_scope("probe: a shop's page trying to cross shops"):
            return jsonify(customers=db.session.scalar(text("SELECT count(*) FROM customers")))

    application.add_url_rule("/probe/whoami", "probe_shop_whoami", whoami, subdomain="<shop>")
    application.add_url_rule("/probe/cross", "probe_shop_cross", cross, subdomain="<shop>")
    application.add_url_rule("/probe/whoami", "probe_public_whoami", whoami)
    application.add_url_rule("/probe/cross", "probe_public_cross", cross)
    application.roles_seen = []

    @application.after_request
    def note_the_role(response):  # every request, the console's too (its routes cannot be added to)
        user = db.session.scalar(text("SELECT current_user"))
        application.roles_seen.append((request.host, session_role(db.session()), user))
        return response

    @application.cli.command("probe-whoami")
    def whoami_command():
        print(db.session.scalar(text("SELECT current_user")))

    return application


def test_shop_and_public_site_requests_work_as_the_web_role(probed_app, shops):
    at_shop = probed_app.test_client().get("/probe/whoami", base_url="http://alpha.workbay.test")
    at_public_site = probed_app.test_client().get("/probe/whoami", base_url="http://workbay.test")

    assert at_shop.json == at_public_site.json == {"user": APP_ROLE, "role": WEB_ROLE}


@pytest.mark.parametrize("host", ["alpha.workbay.test", "workbay.test"])
def test_cross_tenant_scope_in_a_shop_or_public_site_request_raises(probed_app, shops, host, caplog):
    response = probed_app.test_client().get("/probe/cross", base_url=f"http://{host}")

    assert response.status_code == 500  # a programming error: the error page, nothing of any shop
    [error] = [record.exc_info[1] for record in caplog.records if record.exc_info]
    assert isinstance(error, TenantContextError)
    assert "web database role" in str(error)


def test_console_requests_work_as_the_platform_role_and_shop_requests_as_the_web_role(probed_app, shops):
    for host in ("admin.workbay.test", "alpha.workbay.test", "workbay.test"):
        assert probed_app.test_client().get("/login", base_url=f"http://{host}").status_code in (200, 404)

    assert probed_app.roles_seen == [
        ("admin.workbay.test", PLATFORM_ROLE, PLATFORM_LOGIN),
        ("alpha.workbay.test", WEB_ROLE, APP_ROLE),
        ("workbay.test", WEB_ROLE, APP_ROLE),
    ]


def test_cli_commands_work_as_the_platform_role(probed_app):
    result = probed_app.test_cli_runner().invoke(args=["probe-whoami"])

    assert result.output.strip() == PLATFORM_LOGIN


def test_jobs_work_as_the_platform_role_and_the_worker_connects_as_it(app):
    job_user = _in_app_context(app)(lambda: db.session.scalar(text("SELECT current_user")), None, None)

    assert job_user == PLATFORM_LOGIN
    assert f"user={PLATFORM_LOGIN}" in worker_conninfo(app.config["PLATFORM_DATABASE_URL"])


def test_the_role_cannot_change_in_the_middle_of_a_transaction(app):
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # a transaction as the platform role
        with pytest.raises(DatabaseRoleError):
            set_session_role(db.session(), WEB_ROLE)
        db.session.rollback()
        set_session_role(db.session(), WEB_ROLE)  # between transactions it may
        assert db.session.scalar(text("SELECT current_user")) == APP_ROLE


def test_a_shop_session_as_the_web_role_sees_its_own_shop_through_the_app(app, shops, tenant_tables):
    with shop_session(app, shops.bravo.id, WEB_ROLE) as session:
        user = session.scalar(text("SELECT current_user"))
        seen = _shops_seen(session, tenant_tables)
    with shop_session(app, shops.bravo.id, PLATFORM_ROLE) as session:
        seen_by_platform = _shops_seen(session, tenant_tables)

    assert user == APP_ROLE
    assert seen == seen_by_platform == {shops.bravo.id}


def test_production_refuses_to_start_without_the_platform_database_url(monkeypatch):
    for name, value in {
        "SECRET_KEY": "s",
        "DATABASE_URL": "postgresql://app@db/workbay",
        "SERVER_NAME": "w.example",
        "FIELD_ENCRYPTION_KEYS": "k",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PLATFORM_DATABASE_URL", raising=False)

    with pytest.raises(ConfigError, match="PLATFORM_DATABASE_URL"):
        load_config("production")
