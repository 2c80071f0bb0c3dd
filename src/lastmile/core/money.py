"""Exact money (rules.md preamble): Decimal, two places, ROUND_HALF_UP per charge.

Pure: no Django import, so every money rule can be tested without a database.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# issue 15: what a person or a client may type as money. Every amount column is
# DecimalField(max_digits=12, decimal_places=2), so at most 10 digits before the point
# and 2 after; no exponent ("1e309", "1E2"), no NaN or Infinity, no thousands separator.
INTEGER_DIGITS = 10
MAX_AMOUNT = Decimal("9999999999.99")
MONEY_PATTERN = r"^-?[0-9]{1,10}(\.[0-9]{1,2})?$"
MONEY_FORM_REGEX = r"^\s*[0-9]{1,10}(\.[0-9]{1,2})?\s*$"  # the console's forms: no sign
SIGNED_MONEY_FORM_REGEX = r"^\s*-?[0-9]{1,10}(\.[0-9]{1,2})?\s*$"
_MONEY_TEXT = re.compile(MONEY_PATTERN)


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
    try:
        return round_cents(amount)
    except InvalidOperation:  # "1e309": finite for Decimal, too large to have cents
        raise MoneyError(f"{value!r} is not an amount of money") from None


def money_text(value: str, *, field: str = "amount") -> str:
    """An amount as typed (issue 15): dollars and at most two decimals, within the columns.

    Returns the stripped text (services parse it with `money`); an empty text is left to
    the service, which knows whether the amount may be left out.
    """
    text = (value or "").strip()
    if not text:
        return text
    if not _MONEY_TEXT.match(text):
        digits = text.lstrip("-").split(".")[0]
        if digits.isdigit() and len(digits) > INTEGER_DIGITS and re.match(r"^-?\d+(\.\d{1,2})?$", text):
            raise MoneyError(f"{field} must be at most ${MAX_AMOUNT:,}")
        raise MoneyError(f"{field} must be dollars and cents such as 42.50 (digits, at most two "
                         f"after the point, no exponent), not {text[:40]!r}")
    return text


def round_cents(amount: Decimal) -> Decimal:
    """ROUND_HALF_UP to the cent (half away from zero, so a charge and its credit cancel)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(amount: Decimal) -> str:
    """Money as the scenarios print it: a string with two decimals."""
    return str(round_cents(Decimal(amount)))
