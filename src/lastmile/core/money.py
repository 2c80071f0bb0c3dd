"""Exact money (rules.md preamble): Decimal, two places, ROUND_HALF_UP per charge.

Pure: no Django import, so every money rule can be tested without a database.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A value that is not an amount of money."""


def money(value) -> Decimal:
    """Parse an amount from a str/int/Decimal, rounding half up to the cent.

    Floats are refused: a float has already lost the exact value.
    """
    if isinstance(value, float):
        raise MoneyError(f"{value!r} is a float; give money as a string such as \"65.00\"")
    if isinstance(value, bool):
        raise MoneyError(f"{value!r} is not an amount of money")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"{value!r} is not an amount of money") from exc
    if not amount.is_finite():
        raise MoneyError(f"{value!r} is not an amount of money")
    return round_cents(amount)


def round_cents(amount: Decimal) -> Decimal:
    """ROUND_HALF_UP to the cent (half away from zero, so a charge and its credit cancel)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(amount: Decimal) -> str:
    """Money as the scenarios print it: a string with two decimals."""
    return str(round_cents(Decimal(amount)))
