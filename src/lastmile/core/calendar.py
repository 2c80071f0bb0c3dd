"""The business calendar (CAL-1, CAL-2, CAL-3), as pure functions.

CAL-1: a business day is Monday to Friday and not a holiday. Holidays come from the
`holidays` package for a configured country and subdivision (default US / UT, so
Pioneer Day counts), plus extra closed days the ISP configures.
CAL-2: every "next business day", "last business day of the month" or roll is one of
these functions; nothing else in lastmile does date arithmetic on business days.
CAL-3: a policy step's date rolls by its rule (`none`, `sunday_to_monday`,
`next_business_day`) when it lands on a closed day.

No Django import: these are tested without a database.
"""
from __future__ import annotations

import calendar as _stdcal
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import holidays as _holidays

ROLL_NONE = "none"
ROLL_SUNDAY_TO_MONDAY = "sunday_to_monday"
ROLL_NEXT_BUSINESS_DAY = "next_business_day"
ROLL_RULES = (ROLL_NONE, ROLL_SUNDAY_TO_MONDAY, ROLL_NEXT_BUSINESS_DAY)

_ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=256)
def _holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    table = _holidays.country_holidays(country, subdiv=subdivision, years=[year])
    return frozenset(table.keys())


@dataclass(frozen=True)
class BusinessCalendar:
    """Which days the ISP's office works (CAL-1)."""

    country: str = "US"
    subdivision: str | None = "UT"
    extra_closed: frozenset[dt.date] = field(default_factory=frozenset)

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.extra_closed or day in _holiday_dates(
            self.country, self.subdivision, day.year
        )

    def holiday_name(self, day: dt.date) -> str | None:
        if day in self.extra_closed:
            return "closed (configured)"
        table = _holidays.country_holidays(self.country, subdiv=self.subdivision, years=[day.year])
        return table.get(day)


DEFAULT_CALENDAR = BusinessCalendar()


def is_business_day(day: dt.date, cal: BusinessCalendar = DEFAULT_CALENDAR) -> bool:
    """CAL-1."""
    return day.weekday() < 5 and not cal.is_holiday(day)


def next_business_day(day: dt.date, cal: BusinessCalendar = DEFAULT_CALENDAR) -> dt.date:
    """The first business day strictly after `day` (CAL-2)."""
    day = day + _ONE_DAY
    while not is_business_day(day, cal):
        day += _ONE_DAY
    return day


def roll_forward(day: dt.date, cal: BusinessCalendar = DEFAULT_CALENDAR) -> dt.date:
    """`day` itself when it is a business day, otherwise the next one (CAL-2)."""
    return day if is_business_day(day, cal) else next_business_day(day, cal)


def previous_business_day(day: dt.date, cal: BusinessCalendar = DEFAULT_CALENDAR) -> dt.date:
    day = day - _ONE_DAY
    while not is_business_day(day, cal):
        day -= _ONE_DAY
    return day


def days_in_month(year: int, month: int) -> int:
    return _stdcal.monthrange(year, month)[1]


def last_day_of_month(day: dt.date) -> dt.date:
    return day.replace(day=days_in_month(day.year, day.month))


def last_business_day_of_month(
    year: int, month: int, cal: BusinessCalendar = DEFAULT_CALENDAR
) -> dt.date:
    """CAL-2: the month's last day the office is open (seed 002's cancellation day)."""
    day = dt.date(year, month, days_in_month(year, month))
    while not is_business_day(day, cal):
        day -= _ONE_DAY
    return day


def business_days_before_month_end(
    year: int, month: int, n: int, cal: BusinessCalendar = DEFAULT_CALENDAR
) -> dt.date:
    """The business day `n` business days before the month's last business day.

    n=0 is the last business day itself; n=3 is seed 002's "final, 3rd call".
    """
    if n < 0:
        raise ValueError("n must be zero or more")
    day = last_business_day_of_month(year, month, cal)
    for _ in range(n):
        day = previous_business_day(day, cal)
    return day


def add_business_days(day: dt.date, n: int, cal: BusinessCalendar = DEFAULT_CALENDAR) -> dt.date:
    for _ in range(n):
        day = next_business_day(day, cal)
    return day


def roll(day: dt.date, rule: str, cal: BusinessCalendar = DEFAULT_CALENDAR) -> dt.date:
    """CAL-3: move a step's date off a closed day by the step's roll rule.

    `none` keeps the date; `sunday_to_monday` moves only a Sunday (seed 002, 2021:
    "if the 16th is a Sunday, the 17th"); `next_business_day` moves any closed day
    to the next business day (seed 001: "dates may change if they occur on a weekend").
    """
    if rule == ROLL_NONE:
        return day
    if rule == ROLL_SUNDAY_TO_MONDAY:
        return day + _ONE_DAY if day.weekday() == 6 else day
    if rule == ROLL_NEXT_BUSINESS_DAY:
        return roll_forward(day, cal)
    raise ValueError(f"unknown roll rule {rule!r}; expected one of {', '.join(ROLL_RULES)}")


def first_weekday_on_or_after(day: dt.date) -> dt.date:
    """CAN-5: technicians pick equipment up on weekdays only (holidays are not excluded)."""
    while day.weekday() >= 5:
        day += _ONE_DAY
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, days_in_month(year, month)))


def first_of_next_month(day: dt.date) -> dt.date:
    return add_months(day.replace(day=1), 1)


def month_day(year: int, month: int, day_of_month: int) -> dt.date:
    """Day N of a month, clamped to its last day (a cycle day 31 in February is the 28th/29th)."""
    return dt.date(year, month, min(day_of_month, days_in_month(year, month)))
