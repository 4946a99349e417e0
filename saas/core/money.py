"""Money: Decimal amounts rounded the way the shop's currency is (half up, to its minor unit)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 currencies without a minor unit (the rest use cents or the like).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
ZERO = Decimal("0")


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency` (0.01, or 1 for yen-like currencies)."""
    return Decimal("1") if currency.upper() in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")


def decimal_places(currency: str) -> int:
    """How many decimals amounts of `currency` have: 2, or 0 for yen-like currencies."""
    return 0 if minor_unit(currency) == 1 else 2


def round_money(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round to the currency's minor unit, half away from zero (as invoices expect)."""
    return Decimal(amount).quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | None, currency: str) -> str:
    """`1234.5, "USD"` -> `USD 1,234.50`."""
    if amount is None:
        return "—"
    rounded = round_money(amount, currency)
    return f"{currency.upper()} {rounded:,.{decimal_places(currency)}f}"


def format_percent(rate: Decimal | str) -> str:
    """A rate as a fraction, shown as a percentage: 0.08250 -> `8.25 %`."""
    value = (Decimal(rate) * 100).quantize(Decimal("0.001")).normalize()
    return f"{value:f} %"


def format_quantity(quantity: Decimal | str) -> str:
    """A quantity without trailing zeros: 1.500 -> `1.5`, 2.000 -> `2`."""
    return f"{Decimal(quantity).normalize():f}"
