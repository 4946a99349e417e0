"""Proof of cookie consent (append-only) and a shop's analytics setup.

A shop's visitors' consents are the shop's rows (`CookieConsent`); consents given on the public site
go to a platform table (`PlatformCookieConsent`). Both share their columns (`ConsentProof`). A
database trigger refuses any UPDATE that changes what a consent row proves: a new choice is a new row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.db import Base, TenantScoped, Timestamped, utcnow

USER_AGENT_MAX = 255


class ConsentProof:
    """What a consent record proves: which anonymous visitor chose what, under which policy, when, how."""

    # Random, from the visitor's consent cookie; links the choices of one browser, names no one.
    consent_id: Mapped[str] = mapped_column(String(32))
    # The optional categories allowed ("necessary" is implied); empty = necessary only.
    categories: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    policy_version: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(10))  # banner | settings | gpc
    # HMAC-SHA256 of the address with a server key: never the address itself.
    ip_hash: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(USER_AGENT_MAX), default="")
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CookieConsent(ConsentProof, TenantScoped, Base):
    """A visitor's cookie choice on a shop's subdomain."""

    __tablename__ = "cookie_consents"
    __table_args__ = (
        Index("ix_cookie_consents_tenant_id_given_at", "tenant_id", "given_at"),
        Index("ix_cookie_consents_tenant_id_consent_id", "tenant_id", "consent_id"),
    )


class PlatformCookieConsent(ConsentProof, Base):
    """A visitor's cookie choice on the public site (the platform's own)."""

    __tablename__ = "platform_cookie_consents"
    __table_args__ = (
        Index("ix_platform_cookie_consents_given_at", "given_at"),
        Index("ix_platform_cookie_consents_consent_id", "consent_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)


class AnalyticsSettings(TenantScoped, Timestamped, Base):
    """The analytics a shop runs on its public pages for visitors who allow them (one row per shop)."""

    __tablename__ = "shop_analytics_settings"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_shop_analytics_settings_tenant_id"),)

    plausible_domain: Mapped[str | None] = mapped_column(String(253))
    ga4_measurement_id: Mapped[str | None] = mapped_column(String(20))
