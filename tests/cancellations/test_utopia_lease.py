"""Pure UTOPIA lease options (CAN-8): no database."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from lastmile.cancellations import utopia_lease as lease

D = dt.date


def test_can8_penalty_free_on_the_first_of_the_month_after_the_anniversary():
    assert lease.penalty_free_on(D(2025, 6, 5)) == D(2026, 7, 1)


def test_can8_lease_signed_on_the_first_is_penalty_free_the_month_after():
    assert lease.penalty_free_on(D(2025, 6, 1)) == D(2026, 7, 1)


def test_can8_lease_signed_on_31_january_or_29_february():
    assert lease.penalty_free_on(D(2025, 1, 31)) == D(2026, 2, 1)
    assert lease.penalty_free_on(D(2028, 2, 29)) == D(2029, 3, 1)


def test_can8_months_left_last_day_28_february_is_march_to_june():
    assert lease.months_left(D(2026, 2, 28), D(2026, 7, 1)) == 4


def test_can8_months_left_a_started_month_counts():
    assert lease.months_left(D(2026, 2, 15), D(2026, 7, 1)) == 5
    assert lease.months_left(D(2028, 2, 28), D(2028, 7, 1)) == 5  # 29 Feb 2028 starts February
    assert lease.months_left(D(2028, 2, 29), D(2028, 7, 1)) == 4


def test_can8_no_months_left_once_the_day_after_reaches_the_penalty_free_date():
    assert lease.months_left(D(2026, 6, 30), D(2026, 7, 1)) == 0
    assert lease.months_left(D(2026, 8, 1), D(2026, 7, 1)) == 0
    assert lease.months_left(D(2026, 6, 29), D(2026, 7, 1)) == 1


def test_can8_finish_lease_with_four_or_fewer_months_cancel_otherwise():
    assert lease.recommend(4) == lease.FINISH_LEASE
    assert lease.recommend(1) == lease.FINISH_LEASE
    assert lease.recommend(5) == lease.CANCEL
    assert lease.recommend(0) == lease.CANCEL
    assert lease.recommend(5, finish_max_months=6) == lease.FINISH_LEASE


def test_can8_etf_only_with_months_left():
    assert lease.lease_etf(1, Decimal("300.00")) == Decimal("300.00")
    assert lease.lease_etf(0, Decimal("300.00")) == Decimal("0.00")


def test_can8_options_without_a_lease():
    options = lease.lease_options(signed=None, last_day=D(2026, 2, 28))
    assert options == lease.LeaseOptions(None, 0, Decimal("0.00"), lease.CANCEL)


def test_can8_options_of_seed_000_example():
    options = lease.lease_options(signed=D(2025, 6, 5), last_day=D(2026, 2, 28))
    assert options == lease.LeaseOptions(D(2026, 7, 1), 4, Decimal("300.00"), lease.FINISH_LEASE)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 1, 1)), st.integers(min_value=0, max_value=800))
def test_can8_months_left_covers_every_day_up_to_the_penalty_free_date(signed, offset):
    free_on = lease.penalty_free_on(signed)
    last_day = signed + dt.timedelta(days=offset)
    left = lease.months_left(last_day, free_on)
    after = last_day + dt.timedelta(days=1)
    if after >= free_on:
        assert left == 0
    else:
        # the month of the day after, through the month before the penalty-free date
        first = after.replace(day=1)
        assert (first.year * 12 + first.month) + left == free_on.year * 12 + free_on.month
