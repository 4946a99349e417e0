"""Central ORM scoping: every query on a shop's model is filtered to the active tenant."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound

from saas import models
from saas.core.database_roles import PLATFORM_ROLE
from saas.core.db import is_tenant_scoped
from saas.core.extensions import db
from saas.core.tenancy import TenantContextError, get_or_404, tenant_scope
from saas.models import Customer
from tests.fixtures.database import shop_session

TENANT_MODELS = [model for model in map(models.__dict__.get, sorted(models.__all__)) if is_tenant_scoped(model)]


def _allow_every_tenant_in_the_database(session) -> None:
    """Open row-level security for this transaction, so only the ORM's own filter is left (the platform
    role's session only: the web role cannot open it)."""
    session.execute(text("SELECT set_config('workbay.cross_tenant', 'on', true)"))


def test_select_in_a_shops_scope_returns_only_its_rows_even_when_rls_lets_everything_through(app, shops):
    with shop_session(app, shops.alpha.id, PLATFORM_ROLE) as session:
        _allow_every_tenant_in_the_database(session)
        raw = session.scalars(text("SELECT DISTINCT tenant_id FROM customers ORDER BY 1")).all()
        customers = session.scalars(select(Customer)).all()

    assert raw == [shops.alpha.id, shops.bravo.id]  # the database would show both shops...
    assert [c.id for c in customers] == [shops.alpha.customer.id]  # ...the ORM shows alpha's only


def test_bulk_update_in_a_shops_scope_touches_only_its_rows(app, shops, superuser_engine):
    with shop_session(app, shops.alpha.id, PLATFORM_ROLE) as session:
        _allow_every_tenant_in_the_database(session)
        updated = session.execute(update(Customer).values(address="bulk")).rowcount
        session.commit()
    with superuser_engine.connect() as conn:
        addresses = dict(conn.execute(text("SELECT tenant_id, address FROM customers")).all())

    assert updated == 1
    assert addresses == {shops.alpha.id: "bulk", shops.bravo.id: ""}


def _outcome(call) -> str:
    try:
        row = call()
    except (NotFound, TenantContextError) as error:
        return type(error).__name__
    return "found" if row is not None else "nothing"


def test_get_or_404_finds_the_shops_own_row_and_aborts_with_404_for_another_shops_id_of_every_model(app, shops):
    with shop_session(app, shops.alpha.id):
        outcomes = {
            model.__name__: (
                _outcome(lambda m=model: get_or_404(m, shops.alpha.ids[m.__tablename__])),
                _outcome(lambda m=model: get_or_404(m, shops.bravo.ids[m.__tablename__])),
            )
            for model in TENANT_MODELS
        }

    assert outcomes == {model.__name__: ("found", "NotFound") for model in TENANT_MODELS}


def test_session_get_of_another_shops_primary_key_finds_nothing(app, shops):
    with shop_session(app, shops.alpha.id, PLATFORM_ROLE) as session:
        _allow_every_tenant_in_the_database(session)
        assert session.get(Customer, (shops.alpha.id, shops.alpha.customer.id)) is not None
        assert session.get(Customer, (shops.bravo.id, shops.bravo.customer.id)) is None


def test_querying_any_shop_model_without_an_active_tenant_raises(app):
    with shop_session(app, None) as session:
        outcomes = {
            model.__name__: _outcome(lambda m=model: session.scalars(select(m)).first()) for model in TENANT_MODELS
        }

    assert outcomes == dict.fromkeys(outcomes, "TenantContextError")
    assert "Customer" in outcomes


def test_the_emitted_select_carries_the_tenant_predicate_with_each_shops_own_id(app, shops):
    """Run for alpha then bravo: the criterion's cached lambda must not keep the first shop's id."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "FROM customers" in statement:
            statements.append((statement, parameters))

    for shop in (shops.alpha, shops.bravo):
        with shop_session(app, shop.id) as session:
            event.listen(db.engine, "before_cursor_execute", record)
            try:
                session.scalars(select(Customer)).all()
            finally:
                event.remove(db.engine, "before_cursor_execute", record)

    tenant_ids = []
    for statement, parameters in statements:
        predicate = re.search(r"customers\.tenant_id = %\((\w+)\)s", statement)
        assert predicate, statement
        tenant_ids.append(parameters[predicate.group(1)])
    assert tenant_ids == [shops.alpha.id, shops.bravo.id]


def test_a_database_error_inside_tenant_scope_reaches_the_caller_unchanged(app, shops):
    """A job that breaks a constraint inside `tenant_scope` should see that error, not another one."""
    planted = text(
        "INSERT INTO policy_acceptances (tenant_id, user_id, document, version, accepted_at) "
        "VALUES (:tenant, :user, 'terms', 'v1', now())"
    )
    with app.test_request_context(), pytest.raises(IntegrityError), tenant_scope(shops.alpha.id):
        db.session.execute(planted, {"tenant": shops.alpha.id, "user": shops.bravo.member.id})


def test_changes_made_inside_a_tenant_scope_are_saved_as_that_tenant(app, shops):
    """Leaving `tenant_scope` flushes: a commit made afterwards, as nobody, still saves them."""
    with app.test_request_context():
        with tenant_scope(shops.alpha.id):
            customer = db.session.scalar(select(Customer).order_by(Customer.id))
            customer.name = "Renamed inside the scope"
        db.session.commit()
        with tenant_scope(shops.alpha.id):
            assert db.session.get(Customer, (shops.alpha.id, customer.id)).name == "Renamed inside the scope"
