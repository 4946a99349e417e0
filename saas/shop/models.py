"""A shop's customers (vehicles, work orders and the rest build on them)."""

from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import Base, TenantScoped, Timestamped


class Customer(TenantScoped, Timestamped, Base):
    """Someone who brings a vehicle or device to the shop."""

    __tablename__ = "customers"
    __table_args__ = (Index("ix_customers_tenant_id_name", "tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str] = mapped_column(Text, default="")
