"""BIL-2 proration, pure (no database): `monthly × days / days in that month`, days
counting the change day itself through the month's last day, ROUND_HALF_UP."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lastmile.billing.proration import change_proration, days_left, prorate, prorate_through

D = Decimal


@pytest.mark.parametrize(
    "day, old, new, expected",
    [
        # the example: Classic 65 -> Premium 85 on 16 Sep (30 days, 15 left)
        (dt.date(2026, 9, 16), "65.00", "85.00", "10.00"),
        # 28-day February: 20 × 15/28 = 10.714 -> 10.71
        (dt.date(2026, 2, 14), "65.00", "85.00", "10.71"),
        # 31-day month: 20 × 16/31 = 10.322 -> 10.32
        (dt.date(2026, 10, 16), "65.00", "85.00", "10.32"),
        # the 1st: the whole month; the last day: one day (20/31 = 0.645 -> 0.65)
        (dt.date(2026, 10, 1), "65.00", "85.00", "20.00"),
        (dt.date(2026, 10, 31), "65.00", "85.00", "0.65"),
        # a downgrade is a credit: Classic -> Basic on 16 Sep, -15 × 15/30
        (dt.date(2026, 9, 16), "65.00", "50.00", "-7.50"),
        # equal prices prorate nothing
        (dt.date(2026, 9, 16), "65.00", "65.00", "0.00"),
    ],
)
def test_bil2_change_proration_examples(day, old, new, expected):
    assert change_proration(D(old), D(new), day) == D(expected)


def test_bil2_round_half_up_both_ways():
    """0.005 rounds away from zero for a charge and for a credit, so they cancel."""
    # 0.01 × 15/30 = 0.005 -> 0.01, and -0.005 -> -0.01
    assert prorate(D("0.01"), dt.date(2026, 9, 16)) == D("0.01")
    assert prorate(D("-0.01"), dt.date(2026, 9, 16)) == D("-0.01")


def test_bil2_days_count_the_change_day_itself():
    assert days_left(dt.date(2026, 9, 30), dt.date(2026, 9, 30)) == 1
    assert days_left(dt.date(2026, 9, 1), dt.date(2026, 9, 30)) == 30
    with pytest.raises(ValueError):
        days_left(dt.date(2026, 10, 1), dt.date(2026, 9, 30))


def test_bil2_cycle_day_other_than_the_first():
    """Cycle day 15: the period 15 Sep .. 14 Oct has 30 days; 1 Oct leaves 14."""
    assert change_proration(D("65.00"), D("85.00"), dt.date(2026, 10, 1), cycle_day=15) == D("9.33")


def test_can4_prorate_through_counts_the_last_day():
    assert prorate_through(D("65.00"), dt.date(2026, 9, 15)) == D("32.50")
    assert prorate_through(D("65.00"), dt.date(2026, 9, 30)) == D("65.00")


prices = st.integers(min_value=0, max_value=50_000).map(lambda c: D(c) / 100)
days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))


@given(old=prices, new=prices, day=days)
def test_bil2_upgrade_then_downgrade_same_day_nets_to_zero(old, new, day):
    """An upgrade old->new and the downgrade new->old on the same day net to 0.00."""
    assert change_proration(old, new, day) + change_proration(new, old, day) == D("0.00")


@given(old=prices, new=prices, day=days)
def test_bil2_proration_never_exceeds_a_month_of_the_difference(old, new, day):
    amount = change_proration(old, new, day)
    assert abs(amount) <= abs(new - old)
    assert amount >= 0 if new >= old else amount <= 0
    assert amount == amount.quantize(D("0.01"))


@st.composite
def month_of_changes(draw):
    catalog = draw(st.lists(prices, min_size=2, max_size=5, unique=True))
    year = draw(st.integers(2024, 2030))
    month = draw(st.integers(1, 12))
    first = dt.date(year, month, 1)
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
    n = draw(st.integers(1, 12))
    offsets = sorted(draw(st.lists(st.integers(0, (last - first).days), min_size=n, max_size=n)))
    start = draw(st.sampled_from(catalog))
    path = [start] + [draw(st.sampled_from(catalog)) for _ in range(n)]
    return catalog, [first + dt.timedelta(days=o) for o in offsets], path


@given(month_of_changes())
def test_bil2_many_changes_in_one_month_stay_within_the_price_range(case):
    """Property (BIL-2, "several changes in one month each prorate from their own day"):
    for any catalog, any starting package and any sequence of n changes on
    non-decreasing days of one month, the sum S of the n posted prorations satisfies

        |S| <= (max price - min price) + n × 0.005

    i.e. it never exceeds the price difference between the highest and the lowest
    package, except for at most half a cent of ROUND_HALF_UP per change. (Unrounded,
    S = Σ wᵢ·pᵢ − p₀·f₁ with weights wᵢ ≥ 0 summing to f₁ ≤ 1, the share of the month
    left on the first change day, so |S| ≤ max − min exactly.) And it is never more
    than the highest package for the month costs: the customer is never charged more
    than a month of the dearest package on top of the month already billed.
    """
    catalog, change_days, path = case
    total = sum(
        (change_proration(path[i], path[i + 1], change_days[i]) for i in range(len(change_days))),
        D("0.00"),
    )
    spread = max(catalog) - min(catalog)
    assert abs(total) <= spread + D("0.005") * len(change_days)


@given(month_of_changes())
def test_bil2_changes_on_the_first_only_are_exact(case):
    """All changes on the period's first day: S is exactly last price − first price."""
    catalog, change_days, path = case
    first = change_days[0].replace(day=1)
    total = sum((change_proration(path[i], path[i + 1], first) for i in range(len(change_days))), D("0"))
    assert total == path[-1] - path[0]
    assert abs(total) <= max(catalog) - min(catalog)


def test_bil2_rounding_is_why_the_bound_has_half_a_cent_per_change():
    """Why the property above allows n × 0.005: each change is rounded on its own.
    Basic 0.00 -> Premium 0.02 on 1 Sep (+0.02), then on 19 Sep (12 of 30 days left)
    Premium -> Classic 0.01 (-0.004 -> 0.00), Classic -> Basic (-0.004 -> 0.00) and
    Basic -> Premium (+0.008 -> +0.01): 0.03 in all, a cent over the 0.02 spread."""
    sep1, sep19 = dt.date(2026, 9, 1), dt.date(2026, 9, 19)
    steps = [(D("0.00"), D("0.02"), sep1), (D("0.02"), D("0.01"), sep19),
             (D("0.01"), D("0.00"), sep19), (D("0.00"), D("0.02"), sep19)]
    total = sum((change_proration(a, b, day) for a, b, day in steps), D("0"))
    assert total == D("0.03")
    assert total <= D("0.02") + D("0.005") * len(steps)
