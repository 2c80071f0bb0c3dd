"""Contract terms and early termination fees (CON-2 .. CON-6), as pure functions.

Seed 004 is a flowchart an agent followed by hand: find the contract, work out its
end date, compare it with the day the cancellation was requested, and if the
customer is still bound, compute the ETF. Every step is date or money arithmetic, so
it lives here with no Django import and is tested without a database.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lastmile.core.calendar import add_months
from lastmile.core.money import ZERO, round_cents

RESIDENTIAL_MAX_MONTHS = 12  # CON-2: "we don't do residential contract terms longer than 12 months"
PAPER_TERM_MONTHS = 12  # CON-2: a paper signature commits to 12 months


def contract_end(start: dt.date, months: int) -> dt.date:
    """CON-2/CON-3: a term ends `months` calendar months after its start.

    Clamped to the month's end (31 Jan + 1 month = 28/29 Feb), like every month
    arithmetic in lastmile.
    """
    if months < 0:
        raise ValueError("a contract term cannot be negative")
    return add_months(start, months)


def paper_end(signed: dt.date) -> dt.date:
    """CON-2: a paper contract runs 12 months from its (latest) signature date."""
    return contract_end(signed, PAPER_TERM_MONTHS)


def commercial_end(first_billing: dt.date, months: int) -> dt.date:
    """CON-3: a commercial term starts on the first billing date, not the signing date."""
    return contract_end(first_billing, months)


def under_contract(end: dt.date | None, requested_on: dt.date) -> bool:
    """CON-4: bound when the contract's end date falls after the request date.

    A request made on the end date itself is free of the contract.
    """
    return end is not None and end > requested_on


def months_remaining(requested_on: dt.date, end: dt.date | None) -> int:
    """CON-5: whole months from the request date to the end date, a started month
    counting as one: the smallest n with add_months(request, n) >= end (0 when the
    contract has already ended)."""
    if end is None or end <= requested_on:
        return 0
    n = max((end.year - requested_on.year) * 12 + end.month - requested_on.month, 0)
    while n > 0 and add_months(requested_on, n - 1) >= end:
        n -= 1
    while add_months(requested_on, n) < end:
        n += 1
    return n


def etf_commercial(months_left: int, monthly: Decimal, override: Decimal | None = None) -> Decimal:
    """CON-5: months remaining / 2 × total monthly rate, unless the contract overrides it.

    The override is the contract's own fixed amount (seed 004: "rarely varies
    depending on the customer & complexity of the installation"). Rounded half up.
    """
    if months_left <= 0:
        return ZERO
    if override is not None:
        return round_cents(Decimal(override))
    return round_cents(Decimal(months_left) * Decimal(monthly) / Decimal(2))


def etf_residential(
    months_left: int, monthly: Decimal, cap: Decimal, override: Decimal | None = None
) -> Decimal:
    """CON-6: the commercial formula, capped (seed 004: "all residential ETFs are
    limited to $150", configurable as residential_etf_cap)."""
    return min(etf_commercial(months_left, monthly, override), round_cents(Decimal(cap)))
