"""Prices and taxes of job lines, jobs, estimates and invoices.

Each line's net amount is rounded to the currency's minor unit; tax is computed once per
tax category on the sum of that category's lines (then rounded), so an invoice's tax
breakdown adds up exactly. Works on anything with `quantity`, `unit_price`, `tax_category`
(job lines, canned job lines, invoice lines).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from saas.core.money import ZERO, round_money
from saas.workorders.models import Approval, LineKind, TaxCategory

DEFAULT_TAX_CATEGORY = {
    LineKind.LABOR: TaxCategory.LABOR,
    LineKind.PART: TaxCategory.PARTS,
    LineKind.FEE: TaxCategory.FEES,
    LineKind.DISCOUNT: TaxCategory.PARTS,
}


class PricedLine(Protocol):
    quantity: Decimal
    unit_price: Decimal
    tax_category: str


def tax_rates_of(shop) -> dict[str, Decimal]:
    """The shop's tax rate per category (fractions)."""
    return {
        TaxCategory.LABOR: shop.tax_rate_labor,
        TaxCategory.PARTS: shop.tax_rate_parts,
        TaxCategory.FEES: shop.tax_rate_fees,
        TaxCategory.NONE: ZERO,
    }


def line_net(line: PricedLine, currency: str) -> Decimal:
    """quantity x unit price, rounded to the currency."""
    return round_money(Decimal(line.quantity) * Decimal(line.unit_price), currency)


@dataclass(frozen=True)
class TaxBucket:
    """One line of the tax breakdown."""

    category: str
    rate: Decimal
    base: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    """Subtotal, tax breakdown and total of some lines."""

    currency: str
    subtotal: Decimal
    taxes: list[TaxBucket] = field(default_factory=list)

    @property
    def tax_total(self) -> Decimal:
        return sum((bucket.tax for bucket in self.taxes), ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax_total


def totals(lines: Iterable[PricedLine], rates: dict[str, Decimal], currency: str) -> Totals:
    """Add up `lines` with the given tax rates per category."""
    bases: dict[str, Decimal] = {}
    for line in lines:
        bases[line.tax_category] = bases.get(line.tax_category, ZERO) + line_net(line, currency)
    taxes = [
        TaxBucket(category, rates.get(category, ZERO), base, round_money(base * rates.get(category, ZERO), currency))
        for category, base in sorted(bases.items())
        if base != ZERO
    ]
    return Totals(currency, sum(bases.values(), ZERO), [bucket for bucket in taxes if bucket.rate != ZERO])


def job_subtotal(job, currency: str) -> Decimal:
    """The net amount of one job: its lines added up, before tax."""
    return sum((line_net(line, currency) for line in job.lines), ZERO)


def work_order_totals(work_order, shop, approved_only: bool = False) -> Totals:
    """Totals of a work order's jobs at `shop`'s rates (only the approved jobs if `approved_only`).

    Tax is computed per category over all counted lines, so the breakdown matches an invoice
    made from the same lines.
    """
    jobs = [job for job in work_order.jobs if not approved_only or job.approval == Approval.APPROVED]
    return totals([line for job in jobs for line in job.lines], tax_rates_of(shop), shop.currency)
