"""CAL-1, CAL-2, CAL-3 on real 2026 dates, without a database."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lastmile.core.calendar import (
    ROLL_NEXT_BUSINESS_DAY,
    ROLL_NONE,
    ROLL_SUNDAY_TO_MONDAY,
    BusinessCalendar,
    add_business_days,
    add_months,
    business_days_before_month_end,
    first_weekday_on_or_after,
    is_business_day,
    last_business_day_of_month,
    next_business_day,
    roll,
    roll_forward,
)

D = dt.date


def test_cal1_weekends_are_closed():
    assert D(2026, 8, 16).weekday() == 6  # the spec's anchor: 16 Aug 2026 is a Sunday
    assert not is_business_day(D(2026, 8, 15))
    assert not is_business_day(D(2026, 8, 16))
    assert is_business_day(D(2026, 8, 17))


@pytest.mark.parametrize(
    "day, name",
    [
        (D(2026, 2, 16), "Presidents' Day (Washington and Lincoln Day in Utah)"),
        (D(2026, 7, 24), "Pioneer Day (Utah)"),
        (D(2026, 9, 7), "Labor Day"),
        (D(2026, 7, 3), "Independence Day observed"),
        (D(2026, 11, 26), "Thanksgiving"),
    ],
)
def test_cal1_us_ut_holidays_are_closed(day, name):
    assert day.weekday() < 5, name
    assert not is_business_day(day), name


def test_cal1_pioneer_day_is_utah_only():
    federal = BusinessCalendar(country="US", subdivision=None)
    assert is_business_day(D(2026, 7, 24), federal)
    assert not is_business_day(D(2026, 7, 24))


def test_cal1_extra_closed_days_are_configurable():
    cal = BusinessCalendar(extra_closed=frozenset({D(2026, 12, 24)}))
    assert is_business_day(D(2026, 12, 24))
    assert not is_business_day(D(2026, 12, 24), cal)
    assert next_business_day(D(2026, 12, 23), cal) == D(2026, 12, 28)


def test_cal2_next_business_day_skips_weekend_and_holiday():
    assert next_business_day(D(2026, 9, 4)) == D(2026, 9, 8)  # Fri -> Tue over Labor Day
    assert next_business_day(D(2026, 2, 13)) == D(2026, 2, 17)  # Fri -> Tue over Presidents' Day
    assert next_business_day(D(2026, 7, 23)) == D(2026, 7, 27)  # Thu -> Mon over Pioneer Day
    assert next_business_day(D(2026, 8, 14)) == D(2026, 8, 17)


def test_cal2_last_business_day_of_month():
    assert last_business_day_of_month(2026, 8) == D(2026, 8, 31)  # Monday
    assert last_business_day_of_month(2026, 5) == D(2026, 5, 29)  # 31st is a Sunday
    assert last_business_day_of_month(2026, 10) == D(2026, 10, 30)  # 31st is a Saturday
    assert last_business_day_of_month(2026, 9) == D(2026, 9, 30)


def test_cal2_business_days_before_month_end():
    # seed 002: the final call 3 business days before the last business day
    assert business_days_before_month_end(2026, 8, 3) == D(2026, 8, 26)
    assert business_days_before_month_end(2026, 9, 3) == D(2026, 9, 25)
    assert business_days_before_month_end(2026, 11, 3) == D(2026, 11, 24)  # Thanksgiving not crossed
    assert business_days_before_month_end(2026, 12, 3) == D(2026, 12, 28)  # Christmas skipped
    assert business_days_before_month_end(2026, 9, 0) == D(2026, 9, 30)
    with pytest.raises(ValueError):
        business_days_before_month_end(2026, 9, -1)


def test_cal3_roll_none_keeps_a_sunday():
    assert roll(D(2026, 8, 16), ROLL_NONE) == D(2026, 8, 16)


def test_cal3_sunday_to_monday_moves_only_sunday():
    assert roll(D(2026, 8, 16), ROLL_SUNDAY_TO_MONDAY) == D(2026, 8, 17)
    assert roll(D(2026, 8, 15), ROLL_SUNDAY_TO_MONDAY) == D(2026, 8, 15)  # Saturday stays
    assert roll(D(2026, 9, 7), ROLL_SUNDAY_TO_MONDAY) == D(2026, 9, 7)  # a holiday Monday stays


def test_cal3_next_business_day_moves_weekends_and_holidays():
    assert roll(D(2026, 8, 16), ROLL_NEXT_BUSINESS_DAY) == D(2026, 8, 17)
    assert roll(D(2026, 10, 18), ROLL_NEXT_BUSINESS_DAY) == D(2026, 10, 19)  # 18th on a Sunday
    assert roll(D(2026, 7, 18), ROLL_NEXT_BUSINESS_DAY) == D(2026, 7, 20)  # Saturday
    assert roll(D(2026, 2, 16), ROLL_NEXT_BUSINESS_DAY) == D(2026, 2, 17)  # Presidents' Day
    assert roll(D(2026, 9, 16), ROLL_NEXT_BUSINESS_DAY) == D(2026, 9, 16)  # a Wednesday


def test_cal3_unknown_roll_rule_is_refused():
    with pytest.raises(ValueError, match="unknown roll rule"):
        roll(D(2026, 8, 16), "whenever")


def test_can5_first_weekday_ignores_holidays():
    assert first_weekday_on_or_after(D(2026, 8, 15)) == D(2026, 8, 17)
    assert first_weekday_on_or_after(D(2026, 9, 7)) == D(2026, 9, 7)


def test_add_months_clamps_to_month_end():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert add_months(D(2028, 2, 29), 12) == D(2029, 2, 28)
    assert add_months(D(2026, 12, 15), 1) == D(2027, 1, 15)
    assert add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)


@given(st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31)))
def test_cal2_roll_forward_is_the_first_business_day_on_or_after(day):
    rolled = roll_forward(day)
    assert rolled >= day
    assert is_business_day(rolled)
    probe = day
    while probe < rolled:
        assert not is_business_day(probe)
        probe += dt.timedelta(days=1)


@given(st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31)), st.integers(0, 30))
def test_add_business_days_lands_on_business_days(day, n):
    result = add_business_days(day, n)
    assert result >= day
    if n:
        assert is_business_day(result)
