"""The UTOPIA lease options shown to a cancelling UTOPIA customer (CAN-8), pure.

UTOPIA, not us, leases the fiber connection: 12 months from signing, penalty-free
from the 1st of the month after the anniversary month, whole months only, and an
early termination fee that UTOPIA charges (we only inform). With few months left it
is cheaper to keep an active provider account until the lease ends (seed 000).
No Django import: tested without a database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lastmile.core.calendar import add_months, first_of_next_month
from lastmile.core.money import ZERO, round_cents

FINISH_LEASE = "finish_lease"
CANCEL = "cancel"


def penalty_free_on(signed: dt.date, lease_months: int = 12) -> dt.date:
    """CAN-8: the 1st of the month after the anniversary month.

    Signed 2025-06-05 -> 2026-07-01; signed on the 1st, 2025-06-01 -> 2026-07-01 too.
    """
    return first_of_next_month(add_months(signed, lease_months))


def months_left(last_day: dt.date, free_on: dt.date | None) -> int:
    """CAN-8: calendar months from the day after the requested last day up to the
    penalty-free date, a started month counting as one (UTOPIA bills whole months).

    Last day 2026-02-28, penalty-free 2026-07-01: March..June = 4; last day
    2026-02-15: February (started)..June = 5; 0 once the day after is on/after it.
    """
    if free_on is None:
        return 0
    after = last_day + dt.timedelta(days=1)
    if after >= free_on:
        return 0
    months = (free_on.year - after.year) * 12 + free_on.month - after.month
    if free_on.day > 1:  # the penalty-free date is a 1st; a later day starts one more month
        months += 1
    return max(months, 0)


def lease_etf(left: int, utopia_etf: Decimal) -> Decimal:
    """CAN-8: UTOPIA's fee (default 300.00) when any lease month is left, else 0.00."""
    return round_cents(Decimal(utopia_etf)) if left > 0 else ZERO


def recommend(left: int, finish_max_months: int = 4) -> str:
    """CAN-8: finishing the lease is cheaper with `finish_max_months` (4) or fewer left."""
    return FINISH_LEASE if 0 < left <= finish_max_months else CANCEL


@dataclass(frozen=True)
class LeaseOptions:
    penalty_free_on: dt.date | None
    months_left: int
    etf: Decimal
    recommend: str


def lease_options(
    *, signed: dt.date | None, last_day: dt.date, lease_months: int = 12,
    utopia_etf: Decimal = Decimal("300.00"), finish_max_months: int = 4,
) -> LeaseOptions:
    """CAN-8: everything the customer is told; no lease on file means nothing is owed."""
    if signed is None:
        return LeaseOptions(None, 0, ZERO, CANCEL)
    free_on = penalty_free_on(signed, lease_months)
    left = months_left(last_day, free_on)
    return LeaseOptions(free_on, left, lease_etf(left, utopia_etf), recommend(left, finish_max_months))
