"""Daily proration (BIL-2), pure.

`monthly price × days / days in that month`, where days counts the change day itself
through the month's (period's) last day; ROUND_HALF_UP per charge. A difference is
prorated as one charge, so an upgrade and a downgrade on the same day cancel exactly.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lastmile.core.money import round_cents

from .cycle import period_containing


def days_left(change_day: dt.date, period_end: dt.date) -> int:
    """Days from the change day itself through the period's last day (BIL-2)."""
    if change_day > period_end:
        raise ValueError("the change day is after the period")
    return (period_end - change_day).days + 1


def prorate(monthly: Decimal, change_day: dt.date, cycle_day: int = 1) -> Decimal:
    """BIL-2: what `monthly` costs from `change_day` to the end of its period."""
    start, end = period_containing(change_day, cycle_day)
    total = (end - start).days + 1
    return round_cents(Decimal(monthly) * days_left(change_day, end) / total)


def change_proration(old_monthly: Decimal, new_monthly: Decimal, change_day: dt.date,
                     cycle_day: int = 1) -> Decimal:
    """BIL-2: the charge (positive, upgrade) or credit (negative, downgrade) for a change."""
    return prorate(Decimal(new_monthly) - Decimal(old_monthly), change_day, cycle_day)


def prorate_through(monthly: Decimal, last_day: dt.date, cycle_day: int = 1) -> Decimal:
    """CAN-4: the final month's recurring charge covering only the days through `last_day`."""
    start, end = period_containing(last_day, cycle_day)
    total = (end - start).days + 1
    used = (last_day - start).days + 1
    return round_cents(Decimal(monthly) * used / total)
