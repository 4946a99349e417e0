"""A shop's privacy settings, the versions of its privacy policy, and the re-confirmations a material
change of that policy asks of customers who had agreed to marketing."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.db import Base, TenantScoped, Timestamped, belongs_to, tenant_fk, utcnow

DEFAULT_BOOKING_AGE = 18


class ShopPrivacySettings(TenantScoped, Timestamped, Base):
    """One row per shop (made on first save): age rules and what the shop adds to its policy."""

    __tablename__ = "shop_privacy_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    # Online booking asks the visitor to confirm they are at least `booking_minimum_age`.
    booking_age_check: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    booking_minimum_age: Mapped[int] = mapped_column(Integer, default=DEFAULT_BOOKING_AGE, server_default="18")
    # Marketing consent: None = the country's age (saas.privacy.age), else the shop's higher choice.
    marketing_minimum_age: Mapped[int | None] = mapped_column(Integer)
    # The shop's own words, printed as a section of its generated privacy policy.
    policy_additions: Mapped[str] = mapped_column(Text, default="", server_default="")


class ShopPolicyVersion(TenantScoped, Base):
    """A published version of the shop's privacy policy: its full text as published, never changed."""

    __tablename__ = "shop_policy_versions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "version"),
        tenant_fk("published_by_id", "users"),
    )

    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of `text`
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(BigInteger)
    # A material change is announced to customers who agreed to marketing, who are asked to re-confirm.
    material: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text, default="")  # what changed, in the owner's words
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # announcement done

    published_by = belongs_to("User", "ShopPolicyVersion", "published_by_id")


class ReconfirmationAnswer(StrEnum):
    """What a customer answered when asked to re-confirm their marketing consent."""

    CONFIRMED = "confirmed"
    DECLINED = "declined"


class MarketingReconfirmation(TenantScoped, Base):
    """A customer's marketing consent, given under an earlier policy, set aside until they re-confirm it.

    Written when the announcement of material `policy_version_id` is mailed: the consent's date and
    source are kept here (the customer's own record then shows no consent), and the signed link in
    the mail lets the customer answer.
    """

    __tablename__ = "marketing_reconfirmations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "customer_id", "policy_version_id"),
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("policy_version_id", "shop_policy_versions", ondelete="CASCADE"),
        Index("ix_marketing_reconfirmations_tenant_id_customer_id", "tenant_id", "customer_id"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    policy_version_id: Mapped[int] = mapped_column(BigInteger)
    consent_given_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_source: Mapped[str | None] = mapped_column(String(60))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answer: Mapped[str | None] = mapped_column(String(10))  # confirmed | declined
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    customer = belongs_to("Customer", "MarketingReconfirmation", "customer_id")
    policy_version = belongs_to("ShopPolicyVersion", "MarketingReconfirmation", "policy_version_id")
