"""Declarative base, naming convention and the mixins every model builds on.

`TenantScoped` is the heart of tenant isolation: a model that holds a shop's data
inherits it and gets a NOT NULL `tenant_id` leading a composite primary key
`(tenant_id, id)`. Other shop tables point at it with `tenant_fk`, a composite foreign
key, so the database refuses a row that references another shop's row.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    MetaData,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware (a callable, so defaults are evaluated per row)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention, so migrations have stable names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    """`created_at` / `updated_at` set by the database and the ORM."""

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow, sort_order=90
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow, onupdate=utcnow, sort_order=91
    )


class TenantScoped:
    """Mixin for every table that holds a shop's data.

    Queries on these models are filtered to the current tenant centrally (see
    `saas.core.tenancy`) and PostgreSQL row-level security enforces the same rule underneath.
    """

    __tenant_scoped__ = True

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr takes the class
        return mapped_column(BigInteger, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, sort_order=-10)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True, sort_order=-9)


def tenant_fk(column: str, target_table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    """A composite `(tenant_id, column)` foreign key to `target_table(tenant_id, id)`."""
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target_table}.tenant_id", f"{target_table}.id"],
        ondelete=ondelete,
    )


def is_tenant_scoped(cls: type) -> bool:
    """True for model classes that carry a tenant."""
    return isinstance(cls, type) and issubclass(cls, TenantScoped)


def belongs_to(target: str, owner: str, column: str, **kwargs):
    """A read-only many-to-one link from `owner.column` to `target` within the same tenant.

    Links are set through the id column (`asset.customer_id = customer.id`); the tenant is
    always the row's own, so a link can never point into another shop.
    """
    return relationship(
        target,
        primaryjoin=f"and_({target}.tenant_id == foreign({owner}.tenant_id), {target}.id == foreign({owner}.{column}))",
        viewonly=True,
        **kwargs,
    )


def has_many(target: str, owner: str, column: str, **kwargs):
    """A read-only one-to-many link: rows of `target` whose `column` points at `owner`."""
    return relationship(
        target,
        primaryjoin=f"and_(foreign({target}.tenant_id) == {owner}.tenant_id, foreign({target}.{column}) == {owner}.id)",
        viewonly=True,
        **kwargs,
    )
