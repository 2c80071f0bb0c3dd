"""How customers will pay in a what-if: each account's own history, shifted forward.

Pure functions (no Django): `history` is what the last three statements and the
payments after each say; `planned` puts the same days of the month and the same
shares of the bill on the coming months. The share, not the amount, is carried
forward, so a customer who paid half of a $65 bill pays half of whatever the run
bills them (a proposed policy's fees included).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from lastmile.core.calendar import add_months, days_in_month

HISTORY_MONTHS = 3
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Habit:
    """One payment of one month: on this day of the month, this share of the bill."""

    day: int
    share: Decimal


def history(statements: Iterable[tuple[dt.date, Decimal]], payments: Iterable[tuple[dt.date, Decimal]],
            *, before: dt.date, months: int = HISTORY_MONTHS) -> list[list[Habit]]:
    """The habits of the last `months` statements issued before `before`, oldest first.

    A payment belongs to the latest statement issued on or before its day. A statement
    with nothing due says nothing about habits and is left out; a statement nobody paid
    is an empty month (the customer did not pay), which is kept.
    """
    issued = sorted((day, amount) for day, amount in statements if day < before)[-months:]
    if not issued:
        return []
    months_of: list[list[Habit]] = [[] for _ in issued]
    for day, amount in sorted(payments):
        if day >= before or day < issued[0][0] or amount <= 0:
            continue
        index = max(i for i, (on, _) in enumerate(issued) if on <= day)
        due = issued[index][1]
        if due > 0:
            months_of[index].append(Habit(day.day, (amount / due).quantize(Decimal("0.0001"))))
    return [habits for habits, (_, due) in zip(months_of, issued, strict=True) if due > 0]


def planned(habits: list[list[Habit]], *, start: dt.date, months: int) -> list[tuple[dt.date, Decimal]]:
    """(day, share) of each payment from `start` for `months` months: month i of the run
    repeats history month i mod 3. A day the month lacks (the 31st) is its last day."""
    if not habits:
        return []
    out = []
    first = start.replace(day=1)
    end = add_months(first, months)
    for i in range(months):
        month = add_months(first, i)
        for habit in habits[i % len(habits)]:
            day = month.replace(day=min(habit.day, days_in_month(month.year, month.month)))
            if start <= day < end:
                out.append((day, habit.share))
    return sorted(out)


def amount_for(share: Decimal, bill: Decimal) -> Decimal:
    """The payment a share of a bill comes to, in cents (ROUND_HALF_UP, as every charge)."""
    return (share * bill).quantize(CENT, rounding=ROUND_HALF_UP)
