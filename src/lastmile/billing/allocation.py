"""Payments apply to the oldest open charges first (BIL-4), pure.

`allocate` never creates or loses a cent: what it applies plus what is left over is
exactly the payment.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from decimal import Decimal

ZERO = Decimal("0.00")


def allocate(payment: Decimal, open_items: Iterable[tuple[Hashable, Decimal]]):
    """Apply `payment` to `(key, open amount)` items in the order given (oldest first).

    Returns ([(key, applied)], unapplied).
    """
    if payment < 0:
        raise ValueError("a payment is not negative")
    left = Decimal(payment)
    applied = []
    for key, amount in open_items:
        if left <= 0:
            break
        if amount <= 0:
            continue
        take = min(left, Decimal(amount))
        applied.append((key, take))
        left -= take
    return applied, left


def open_amounts(entries: Iterable[tuple[Hashable, Decimal]]):
    """Replay a chronological ledger FIFO: what is still open of each debit.

    Credits (negative amounts) pay the oldest open debits, including debits posted
    after them (a credit balance is used by later charges). Returns ([(key, open)],
    unused credit).
    """
    debits: list[list] = []
    credit = ZERO
    for key, amount in entries:
        amount = Decimal(amount)
        if amount > 0:
            debits.append([key, amount])
        elif amount < 0:
            credit += -amount
    for item in debits:
        if credit <= 0:
            break
        take = min(credit, item[1])
        item[1] -= take
        credit -= take
    return [(k, a) for k, a in debits], credit
