"""What became of a statement once it was issued (issue 10), pure: no Django, no clock.

A statement asks for its amount due by its due date (BIL-1). Payments and credits
posted after it is issued pay the oldest open charges first (BIL-4), so they pay
the statement's charges before any later one; what they applied to the charges the
statement carries is what was paid against it, each with the day it was posted.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0.00")

OPEN = "open"
PAID = "paid"
PARTLY_PAID = "partly_paid"
PAST_DUE = "past_due"
LABELS = {OPEN: "Open", PAID: "Paid", PARTLY_PAID: "Partly paid", PAST_DUE: "Past due"}


def statement_state(*, amount_due: Decimal, paid: Decimal, due_on: dt.date, today: dt.date) -> str:
    """open, paid, partly paid or past due.

    Paid once nothing of the amount due is left (a statement that asked for nothing
    is paid). Past due from the day after the due date while anything is left
    (autopay charges the card on the due date itself, BIL-5), however much was
    paid. Before that, partly paid once something was paid, else open."""
    left = Decimal(amount_due) - Decimal(paid)
    if left <= 0:
        return PAID
    if today > due_on:
        return PAST_DUE
    return PARTLY_PAID if paid > 0 else OPEN


@dataclass(frozen=True)
class Applied:
    """`amount` of credit `credit` (a payment, a credit) paid debit `debit`."""

    credit: Hashable
    debit: Hashable
    amount: Decimal
    on: dt.date


def fifo(entries: Iterable[tuple[int, Decimal, dt.date]]) -> tuple[list[Applied], dict[int, Decimal]]:
    """Replay a ledger in posting order (id, signed amount, posted on), BIL-4.

    Each credit pays the oldest open debits at once; what is left of it waits and
    pays the next debits as they are posted (a credit balance). Returns every
    application and what is still open of each debit. The open amounts are the
    ones `allocation.open_amounts` gives for the same ledger."""
    applied: list[Applied] = []
    debits: list[list] = []  # [id, open], oldest first; the paid ones dropped from the front
    opened: dict[int, Decimal] = {}
    waiting: list[list] = []  # [id, left, posted on] of credits not used up
    for key, amount, on in entries:
        amount = Decimal(amount)
        if amount > 0:
            item = [key, amount]
            while waiting and item[1] > 0:
                credit = waiting[0]
                take = min(credit[1], item[1])
                applied.append(Applied(credit[0], key, take, credit[2]))
                credit[1] -= take
                item[1] -= take
                if credit[1] <= 0:
                    waiting.pop(0)
            opened[key] = item[1]
            if item[1] > 0:
                debits.append(item)
        elif amount < 0:
            left = -amount
            while debits and left > 0:
                debit = debits[0]
                take = min(left, debit[1])
                applied.append(Applied(key, debit[0], take, on))
                debit[1] -= take
                opened[debit[0]] = debit[1]
                left -= take
                if debit[1] <= 0:
                    debits.pop(0)
            if left > 0:
                waiting.append([key, left, on])
    return applied, opened


@dataclass(frozen=True)
class Paid:
    """What was paid against one statement: each payment or credit and its day."""

    applied: list[tuple[int, Decimal, dt.date]]  # (credit id, amount, posted on), in order
    paid: Decimal  # of the amount due
    left: Decimal


def paid_against(*, applied: list[Applied], opened: dict[int, Decimal], amount_due: Decimal,
                 through_entry_id: int) -> Paid:
    """The credits posted after the statement (id above `through_entry_id`) that paid
    charges it carries (id up to it), summed per credit; what is left of its amount
    due is what is still open of those charges, never more than it asked."""
    per_credit: dict[int, list] = {}
    for a in applied:
        if a.debit <= through_entry_id < a.credit:
            row = per_credit.setdefault(a.credit, [a.credit, ZERO, a.on])
            row[1] += a.amount
    still_open = sum((v for k, v in opened.items() if k <= through_entry_id), ZERO)
    left = max(min(Decimal(amount_due), still_open), ZERO)
    rows = [tuple(r) for r in per_credit.values()]
    return Paid(applied=rows, paid=Decimal(amount_due) - left, left=left)
