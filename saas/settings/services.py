"""Rules for the shop's settings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from saas.core.extensions import db
from saas.core.money import round_money

RATE_PLACES = Decimal("0.00001")  # tax rates are stored as fractions with 5 decimals (Numeric(7, 5))


@dataclass(frozen=True)
class ShopProfile:
    """What the settings page edits. Tax rates are percentages (8.25 means 8.25 %)."""

    name: str
    email: str | None
    phone: str | None
    address: str | None
    tax_id: str | None
    currency: str
    timezone: str
    labor_rate: Decimal
    tax_percent_labor: Decimal
    tax_percent_parts: Decimal
    tax_percent_fees: Decimal
    invoice_due_days: int


def percent_of(fraction: Decimal) -> Decimal:
    """0.08250 -> 8.25, 0.20000 -> 20 (for showing a stored rate)."""
    value = (Decimal(fraction) * 100).quantize(Decimal("0.001")).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def fraction_of(percent: Decimal) -> Decimal:
    """8.25 -> 0.08250 (for storing a typed rate)."""
    return (Decimal(percent) / 100).quantize(RATE_PLACES)


def profile_of(shop) -> ShopProfile:
    """The shop's current settings, as the form shows them."""
    return ShopProfile(
        name=shop.name,
        email=shop.email,
        phone=shop.phone,
        address=shop.address,
        tax_id=shop.tax_id,
        currency=shop.currency,
        timezone=shop.timezone,
        labor_rate=shop.labor_rate,
        tax_percent_labor=percent_of(shop.tax_rate_labor),
        tax_percent_parts=percent_of(shop.tax_rate_parts),
        tax_percent_fees=percent_of(shop.tax_rate_fees),
        invoice_due_days=shop.invoice_due_days,
    )


def update_shop(shop, profile: ShopProfile) -> None:
    """Save the shop's profile. Invoices already issued keep their own currency, rates and bill-to."""
    shop.name = profile.name.strip()
    shop.email = (profile.email or "").strip().lower() or None
    shop.phone = (profile.phone or "").strip() or None
    shop.address = (profile.address or "").strip()
    shop.tax_id = (profile.tax_id or "").strip() or None
    shop.currency = profile.currency.upper()
    shop.timezone = profile.timezone
    shop.labor_rate = round_money(profile.labor_rate, shop.currency)
    shop.tax_rate_labor = fraction_of(profile.tax_percent_labor)
    shop.tax_rate_parts = fraction_of(profile.tax_percent_parts)
    shop.tax_rate_fees = fraction_of(profile.tax_percent_fees)
    shop.invoice_due_days = profile.invoice_due_days
    db.session.flush()
