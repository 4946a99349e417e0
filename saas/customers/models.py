"""Customers and what they bring in: vehicles and devices (one `Asset` with kinds)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.crypto import EncryptedString
from saas.core.db import Base, TenantScoped, Timestamped, belongs_to, has_many, tenant_fk
from saas.customers.imei import imei_in


class ContactChannel(StrEnum):
    """How a customer prefers to hear from the shop."""

    EMAIL = "email"
    PHONE = "phone"
    SMS = "sms"


class Customer(TenantScoped, Timestamped, Base):
    """Someone who brings a vehicle or device to the shop."""

    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_tenant_id_name", "tenant_id", "name"),
        Index("ix_customers_tenant_id_email", "tenant_id", "email"),
        Index("ix_customers_tenant_id_phone", "tenant_id", "phone"),
    )

    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    # E.164 (e.g. +15551234567), normalized with `phonenumbers`.
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The staff's private notes about the person: encrypted at rest (never searched).
    notes: Mapped[str] = mapped_column(EncryptedString(secret=False), default="")
    preferred_contact: Mapped[str] = mapped_column(String(10), default=ContactChannel.EMAIL, server_default="email")
    # Marketing consent is separate from service messages: off until the customer says yes.
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    marketing_consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    marketing_consent_source: Mapped[str | None] = mapped_column(String(60))
    anonymized_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set from a privacy request (restriction of processing, objection): while set, the shop
    # sends no appointment reminders and no marketing, and the customer's page says why.
    processing_restricted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    objected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    assets: Mapped[list[Asset]] = has_many("Asset", "Customer", "customer_id", order_by="Asset.id")

    @property
    def processing_limited(self) -> bool:
        """True while processing is restricted or objected to: no reminders, no marketing."""
        return self.processing_restricted_at is not None or self.objected_at is not None

    @property
    def marketing_allowed(self) -> bool:
        """True when the shop may send this customer marketing: consent given, nothing limits it."""
        return self.marketing_consent and not self.processing_limited and self.anonymized_at is None


class AssetKind(StrEnum):
    """What the customer brought: a vehicle, or a device for device/computer repair shops."""

    VEHICLE = "vehicle"
    DEVICE = "device"


class Asset(TenantScoped, Timestamped, Base):
    """A vehicle or a device belonging to a customer."""

    __tablename__ = "assets"
    __table_args__ = (
        tenant_fk("customer_id", "customers"),
        Index("ix_assets_tenant_id_customer_id", "tenant_id", "customer_id"),
        Index("ix_assets_tenant_id_vin", "tenant_id", "vin"),
        Index("ix_assets_tenant_id_plate", "tenant_id", "plate"),
        Index("ix_assets_tenant_id_serial", "tenant_id", "serial"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10), default=AssetKind.VEHICLE)
    make: Mapped[str] = mapped_column(String(60), default="")
    model: Mapped[str] = mapped_column(String(60), default="")
    year: Mapped[int | None] = mapped_column(Integer)
    # vehicles
    vin: Mapped[str | None] = mapped_column(String(17))
    plate: Mapped[str | None] = mapped_column(String(20))
    plate_region: Mapped[str | None] = mapped_column(String(40))
    odometer: Mapped[int | None] = mapped_column(Integer)  # last reading; each visit keeps its own
    # devices
    device_type: Mapped[str | None] = mapped_column(String(40))
    serial: Mapped[str | None] = mapped_column(String(40))  # serial number or IMEI
    notes: Mapped[str] = mapped_column(EncryptedString(secret=False), default="")  # encrypted at rest

    customer: Mapped[Customer] = belongs_to("Customer", "Asset", "customer_id")

    @property
    def has_imei(self) -> bool:
        """True for a device whose serial is an IMEI."""
        return imei_in(self.serial) is not None

    @property
    def label(self) -> str:
        """`2019 Toyota Corolla (ABC-123)` or `iPhone 13 (IMEI …)`."""
        name = " ".join(str(part) for part in (self.year, self.make, self.model) if part)
        tag = self.plate or self.vin or self.serial
        return f"{name or self.kind.capitalize()}{f' ({tag})' if tag else ''}"
