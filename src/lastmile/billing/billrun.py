"""The bill run (BIL-1, DLQ-9, CAN-4): statements in advance on the bill-cycle day.

Set-based: it selects only accounts whose cycle day it is and that have no statement
for the period, and writes entries, statements and timeline rows in bulk, a chunk at
a time. The unique (account, period) constraint makes a repeated or concurrent run
post nothing twice: a chunk that collides rolls back and is selected again.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q, Sum

from lastmile.accounts.models import Account
from lastmile.core import clock, ispconfig, timeline
from lastmile.core.actors import automation
from lastmile.core.choices import AccountStatus
from lastmile.core.dayrun import daily_job
from lastmile.core.money import ZERO

from .choices import ChargeKind, EntryType
from .cycle import cycle_days_on, period_containing
from .models import LedgerEntry, Statement
from .proration import prorate_through

CHUNK = 2000


def due_accounts(as_of: dt.date, account_ids=None):
    """Accounts billed today that have no statement for today's period yet."""
    cycle_days = cycle_days_on(as_of)
    already = Statement.objects.filter(account=OuterRef("pk"), period_start=as_of)
    qs = Account.objects.filter(
        status__in=AccountStatus.billed(), bill_cycle_day__in=cycle_days, service_start__lte=as_of,
    ).filter(Q(service_end__isnull=True) | Q(service_end__gte=as_of)).exclude(Exists(already))
    if account_ids is not None:
        qs = qs.filter(pk__in=account_ids)
    return qs


def recurring_amount(monthly: Decimal, *, period_start, period_end, service_end,
                     prorate_final: bool, cycle_day: int = 1) -> Decimal:
    """CAN-4: the final month is prorated only when asked in time; otherwise the full price."""
    if prorate_final and service_end is not None and period_start <= service_end < period_end:
        return prorate_through(monthly, service_end, cycle_day)
    return monthly


@daily_job("bill_run", order=10)
def bill_run(*, as_of: dt.date, account_ids=None) -> int:
    ids = list(due_accounts(as_of, account_ids).order_by("pk").values_list("pk", flat=True))
    issued = 0
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        for _attempt in range(3):
            try:
                issued += _bill_chunk(as_of, chunk)
                break
            except IntegrityError:
                # another worker billed part of this chunk: bill what is still unbilled
                chunk = list(due_accounts(as_of, chunk).values_list("pk", flat=True))
        else:
            raise RuntimeError(f"bill run for {as_of} kept colliding; run the day again")
    return issued


@transaction.atomic
def _bill_chunk(as_of: dt.date, account_ids: list[int]) -> int:
    settings = ispconfig.current()
    actor = automation("bill run")
    now = clock.now()
    accounts = list(
        due_accounts(as_of, account_ids).values(
            "pk", "bill_cycle_day", "service_end", "prorate_final_month", "package__monthly",
        )
    )
    if not accounts:
        return 0
    entries = []
    amounts = {}
    periods = {}
    for a in accounts:
        start, end = period_containing(as_of, a["bill_cycle_day"])
        periods[a["pk"]] = (start, end)
        amount = recurring_amount(
            a["package__monthly"], period_start=start, period_end=end,
            service_end=a["service_end"], prorate_final=a["prorate_final_month"],
            cycle_day=a["bill_cycle_day"],
        )
        amounts[a["pk"]] = amount
        if amount != ZERO:
            entries.append(LedgerEntry(
                account_id=a["pk"], entry_type=EntryType.CHARGE, kind=ChargeKind.RECURRING,
                amount=amount, posted_on=as_of, posted_at=now,
                key=f"recurring:{a['pk']}:{start.isoformat()}",
                description=f"service {start:%b %d} - {end:%b %d, %Y}", actor=str(actor),
            ))
    LedgerEntry.objects.bulk_create(entries, batch_size=1000)
    pks = [a["pk"] for a in accounts]
    sums = {
        r["account_id"]: (r["s"], r["last"])
        for r in LedgerEntry.objects.filter(account_id__in=pks)
        .values("account_id").annotate(s=Sum("amount"), last=Max("id"))
    }
    previous = {
        r["account_id"]: r["last"]
        for r in Statement.objects.filter(account_id__in=pks)
        .values("account_id").annotate(last=Max("through_entry_id"))
    }
    statements = []
    rows = []
    due_on = as_of + dt.timedelta(days=settings.due_days)
    for a in accounts:
        pk = a["pk"]
        bal, last = sums.get(pk, (ZERO, 0))
        bal = bal or ZERO
        amount_due = max(bal, ZERO)
        start, end = periods[pk]
        statements.append(Statement(
            account_id=pk, period_start=start, period_end=end, issued_on=as_of, due_on=due_on,
            recurring=amounts[pk], balance=bal, amount_due=amount_due,
            previous_entry_id=previous.get(pk) or 0, through_entry_id=last or 0,
        ))
        if amounts[pk] != ZERO:
            rows.append(timeline.build(
                "charge.posted", account_id=pk, actor=actor, kind=ChargeKind.RECURRING, amount=amounts[pk],
            ))
        rows.append(timeline.build(
            "statement.issued", account_id=pk, actor=actor, amount=amount_due, due=due_on,
            period_start=start, period_end=end,
        ))
    Statement.objects.bulk_create(statements, batch_size=1000)
    timeline.bulk_record(rows)
    return len(statements)
