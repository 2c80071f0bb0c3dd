"""A statement's state and what paid it (issue 10, BIL-1, BIL-4, BIL-5), pure: no
database, no clock."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal as M

import pytest

from lastmile.billing.allocation import open_amounts
from lastmile.billing.statement_state import (
    OPEN,
    PAID,
    PARTLY_PAID,
    PAST_DUE,
    fifo,
    paid_against,
    statement_state,
)

DUE = dt.date(2026, 9, 5)


@pytest.mark.parametrize(("amount_due", "paid", "today", "state"), [
    ("65.00", "0.00", dt.date(2026, 9, 1), OPEN),  # issued, nothing paid
    ("65.00", "0.00", DUE, OPEN),  # the due date itself: autopay charges today (BIL-5)
    ("65.00", "0.00", dt.date(2026, 9, 6), PAST_DUE),  # the day after
    ("65.00", "30.00", dt.date(2026, 9, 3), PARTLY_PAID),
    ("65.00", "30.00", DUE, PARTLY_PAID),
    ("65.00", "30.00", dt.date(2026, 9, 6), PAST_DUE),  # partly paid and late is past due
    ("65.00", "64.99", dt.date(2026, 10, 20), PAST_DUE),  # one cent left is still owed
    ("65.00", "65.00", dt.date(2026, 9, 2), PAID),
    ("65.00", "65.00", dt.date(2026, 12, 1), PAID),  # paid stays paid
    ("0.00", "0.00", dt.date(2026, 9, 1), PAID),  # a credit balance: nothing was asked
    ("0.00", "0.00", dt.date(2026, 10, 1), PAID),
])
def test_statement_state_grid(amount_due, paid, today, state):
    assert statement_state(amount_due=M(amount_due), paid=M(paid), due_on=DUE, today=today) == state


def _ledger(*amounts):
    return [(i, M(a), dt.date(2026, 9, i)) for i, a in enumerate(amounts, start=1)]


def test_bil4_a_payment_pays_the_oldest_statement_first_and_is_split():
    # 1: August $65 (statement A through 1), 2: September $65 (statement B through 2),
    # 3: $100 paid on Sep 3: $65 to August, $35 to September
    applied, opened = fifo(_ledger("65.00", "65.00", "-100.00"))
    a = paid_against(applied=applied, opened=opened, amount_due=M("65.00"), through_entry_id=1)
    b = paid_against(applied=applied, opened=opened, amount_due=M("130.00"), through_entry_id=2)
    assert a.applied == [(3, M("65.00"), dt.date(2026, 9, 3))] and a.left == 0 and a.paid == M("65.00")
    assert b.applied == [(3, M("100.00"), dt.date(2026, 9, 3))] and b.left == M("30.00")


def test_a_credit_balance_pays_later_charges_when_they_are_posted():
    applied, opened = fifo(_ledger("-20.00", "65.00"))
    assert opened == {2: M("45.00")}
    # the credit came before the statement: it lowered the amount due, it did not pay it
    stmt = paid_against(applied=applied, opened=opened, amount_due=M("45.00"), through_entry_id=2)
    assert stmt.applied == [] and stmt.left == M("45.00") and stmt.paid == 0


def test_payments_after_the_statement_are_listed_with_their_day():
    applied, opened = fifo(_ledger("65.00", "-20.00", "-45.00", "65.00"))
    stmt = paid_against(applied=applied, opened=opened, amount_due=M("65.00"), through_entry_id=1)
    assert stmt.applied == [(2, M("20.00"), dt.date(2026, 9, 2)), (3, M("45.00"), dt.date(2026, 9, 3))]
    assert stmt.paid == M("65.00") and stmt.left == 0


def test_fifo_leaves_open_what_open_amounts_leaves_open():
    rng = random.Random(5)
    for _ in range(200):
        amounts = [M(rng.randint(-9000, 9000)) / 100 for _ in range(rng.randint(1, 12))]
        entries = [(i, a, dt.date(2026, 1, 1)) for i, a in enumerate(amounts)]
        applied, opened = fifo(entries)
        expected, unused = open_amounts((i, a) for i, a, _ in entries)
        assert [(k, opened[k]) for k, _ in expected] == expected
        # not a cent created or lost
        credits = -sum((a for a in amounts if a < 0), M(0))
        assert sum((x.amount for x in applied), M(0)) + unused == credits
