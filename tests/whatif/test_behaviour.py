"""Issue 14, `lastmile whatif --behaviour history`: each account pays on the same day
of the month and the same share of the bill as in its last three months. Pure
functions, no database."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lastmile.whatif.behaviour import Habit, amount_for, history, planned

D = dt.date
BILLS = [(D(2026, 8, 1), Decimal("65.00")), (D(2026, 9, 1), Decimal("65.00")),
         (D(2026, 10, 1), Decimal("65.00")), (D(2026, 11, 1), Decimal("130.00"))]


def test_history_keeps_the_last_three_statements_and_each_payments_day_and_share():
    pays = [(D(2026, 9, 3), Decimal("65.00")), (D(2026, 10, 20), Decimal("32.50")),
            (D(2026, 10, 28), Decimal("32.50")), (D(2026, 11, 30), Decimal("130.00"))]
    assert history(BILLS, pays, before=D(2026, 12, 1)) == [
        [Habit(3, Decimal("1.0000"))],
        [Habit(20, Decimal("0.5000")), Habit(28, Decimal("0.5000"))],
        [Habit(30, Decimal("1.0000"))],
    ]


def test_a_month_nobody_paid_stays_an_empty_month():
    assert history(BILLS, [], before=D(2026, 12, 1)) == [[], [], []]


def test_nothing_after_the_start_counts_and_a_zero_bill_says_nothing():
    bills = [(D(2026, 10, 1), Decimal("0.00")), (D(2026, 11, 1), Decimal("65.00"))]
    pays = [(D(2026, 11, 2), Decimal("65.00")), (D(2026, 12, 2), Decimal("65.00"))]
    assert history(bills, pays, before=D(2026, 12, 1)) == [[Habit(2, Decimal("1.0000"))]]


def test_planned_repeats_history_month_by_month_and_clamps_the_day():
    habits = [[Habit(31, Decimal("1"))], [Habit(5, Decimal("0.5"))], []]
    assert planned(habits, start=D(2027, 1, 1), months=4) == [
        (D(2027, 1, 31), Decimal("1")), (D(2027, 2, 5), Decimal("0.5")), (D(2027, 4, 30), Decimal("1"))]


def test_planned_drops_days_before_the_start():
    assert planned([[Habit(3, Decimal("1"))]], start=D(2026, 12, 10), months=1) == []


def test_amount_is_the_share_of_the_bill_to_the_cent_half_up():
    assert amount_for(Decimal("0.3333"), Decimal("65.00")) == Decimal("21.66")
    assert amount_for(Decimal("0.5"), Decimal("0.05")) == Decimal("0.03")
