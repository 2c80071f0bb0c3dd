"""Billing periods (BIL-1): pure date arithmetic, no Django."""
from __future__ import annotations

import datetime as dt

from lastmile.core.calendar import add_months, days_in_month, month_day


def cycle_date(year: int, month: int, cycle_day: int) -> dt.date:
    """The bill-cycle day in a month; a cycle day past the month's end bills on its last day."""
    return month_day(year, month, cycle_day)


def is_cycle_day(day: dt.date, cycle_day: int) -> bool:
    return cycle_date(day.year, day.month, cycle_day) == day


def cycle_days_on(day: dt.date) -> list[int]:
    """Every cycle day (1..31) that bills on `day`: on a month's last day, all beyond it too."""
    if day.day == days_in_month(day.year, day.month):
        return list(range(day.day, 32))
    return [day.day]


def period_containing(day: dt.date, cycle_day: int = 1) -> tuple[dt.date, dt.date]:
    """The billing period (first day, last day) that `day` falls in."""
    start = cycle_date(day.year, day.month, cycle_day)
    if start > day:
        prev = add_months(day.replace(day=1), -1)
        start = cycle_date(prev.year, prev.month, cycle_day)
    nxt = add_months(start.replace(day=1), 1)
    end = cycle_date(nxt.year, nxt.month, cycle_day) - dt.timedelta(days=1)
    return start, end


def next_cycle_date(day: dt.date, cycle_day: int = 1) -> dt.date:
    """The next statement day strictly after `day`."""
    _, end = period_containing(day, cycle_day)
    return end + dt.timedelta(days=1)
