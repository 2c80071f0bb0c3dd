"""Money is exact: Decimal, two places, ROUND_HALF_UP per charge."""
from decimal import Decimal

import pytest

from lastmile.core.money import MoneyError, fmt, money, round_cents


def test_money_parses_strings_and_ints():
    assert money("65") == Decimal("65.00")
    assert money(" 12.345 ") == Decimal("12.35")  # half up
    assert money(7) == Decimal("7.00")


@pytest.mark.parametrize("bad", [65.0, "abc", "NaN", "Infinity", True, None, ""])
def test_money_refuses_floats_and_non_numbers(bad):
    with pytest.raises(MoneyError):
        money(bad)


def test_round_half_up_is_symmetric_for_credits():
    assert round_cents(Decimal("0.125")) == Decimal("0.13")
    assert round_cents(Decimal("-0.125")) == Decimal("-0.13")


def test_fmt_has_two_decimals():
    assert fmt(Decimal("5")) == "5.00"
    assert fmt(Decimal("-0.5")) == "-0.50"
