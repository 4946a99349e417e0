"""Migrations build the schema the models describe, and tear it down again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from saas import create_app
from saas.core.embedded_db import drop_database, ensure_database
from saas.core.extensions import db

EMPTY_DATABASE = "workbay_migrations_check"


def test_empty_database_upgrades_to_head_matching_models_and_downgrades_to_nothing(server_url):
    drop_database(server_url, EMPTY_DATABASE)
    urls = ensure_database(server_url, EMPTY_DATABASE)
    app = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": urls.owner, "MIGRATIONS_DATABASE_URL": urls.owner}
    )
    engine = create_engine(urls.owner)
    try:
        with app.app_context():
            upgrade()
            with engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            assert diff == [], f"models and migrations disagree: {diff}"
            assert set(inspect(engine).get_table_names()) >= {"tenants", "users", "customers"}

            downgrade(revision="base")
            inspector = inspect(engine)
            assert set(inspector.get_table_names()) == {"alembic_version"}
            db.engine.dispose()
    finally:
        engine.dispose()
        drop_database(server_url, EMPTY_DATABASE)
