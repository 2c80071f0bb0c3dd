"""A small ISP with known figures for every report (issue 10).

Rows are written straight to the tables the reports read: the reports are
read-only, and each test states exactly the facts its expected numbers follow from.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lastmile.billing.models import LedgerEntry, Statement
from lastmile.cancellations.models import Cancellation
from lastmile.delinquency.models import Arrangement, Case
from lastmile.network.models import NocRequest
from tests.mixins import make_account

D = dt.date
UTC = dt.UTC


def accounts(catalog) -> dict:
    """u1, u2 on UTOPIA, w1, w2 on fixed wireless."""
    return {
        "u1": make_account(name="Una One", network="utopia", service_start=D(2026, 3, 10)),
        "u2": make_account(name="Uri Two", network="utopia", service_start=D(2025, 5, 1)),
        "w1": make_account(name="Wes One", network="wireless", service_start=D(2025, 2, 3)),
        "w2": make_account(name="Wynn Two", network="wireless", service_start=D(2025, 1, 1)),
    }


def entry(account, amount: str, on: dt.date, *, entry_type: str = "", kind: str = "", reason: str = "", key=None):
    amount = Decimal(amount)
    if not entry_type:
        entry_type = "charge" if amount > 0 else "payment"
    if not kind:
        kind = "recurring" if entry_type == "charge" else "payment"
    return LedgerEntry.objects.create(
        account=account, entry_type=entry_type, kind=kind, amount=amount, posted_on=on,
        posted_at=dt.datetime.combine(on, dt.time(15), tzinfo=UTC), actor="test", reason=reason, key=key)


def statement(account, issued: dt.date, *, due: str, recurring: str = "0.00"):
    end = (issued.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return Statement.objects.create(
        account=account, period_start=issued, period_end=end, issued_on=issued,
        due_on=issued + dt.timedelta(days=4), recurring=Decimal(recurring), balance=Decimal(due),
        amount_due=Decimal(due), previous_entry_id=0, through_entry_id=0)


def case(account, *, d: dt.date, outcome: str = "", closed_on=None, contacted_on=None, policy="utopia-2022-04"):
    return Case.objects.create(
        account=account, policy_name=policy, policy_version=1, d=d, opened_on=d,
        status="closed" if outcome else "open", outcome=outcome, closed_on=closed_on,
        contact_since=d, last_contact_on=contacted_on)


def arrangement(c: Case, status: str = "kept"):
    at = dt.datetime.combine(c.d, dt.time(12), tzinfo=UTC)
    return Arrangement.objects.create(case=c, account=c.account, installments=[], status=status,
                                      created_on=c.d, created_at=at, approved_by="manager", approved_at=at)


def noc(account, *, key: str, sent: dt.datetime, minutes: int | None, channel: str = "email",
        operation: str = "suspend", state: str | None = None):
    confirmed = sent + dt.timedelta(minutes=minutes) if minutes is not None else None
    return NocRequest.objects.create(
        account=account, operation=operation, channel=channel, key=key, sent_at=sent, confirmed_at=confirmed,
        state=state or ("confirmed" if confirmed else "sent"))


def cancellation(account, *, last_day: dt.date, status: str = "uninstalled"):
    at = dt.datetime.combine(last_day - dt.timedelta(days=30), dt.time(10), tzinfo=UTC)
    return Cancellation.objects.create(
        account=account, status=status, requested_on=at.date(), requested_at=at, requested_by="agent",
        last_day=last_day, reason="moving away")
