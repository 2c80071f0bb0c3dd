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
from lastmile.core import bulk, clock, ispconfig, timeline
from lastmile.core.actors import automation
from lastmile.core.choices import AccountStatus
from lastmile.core.dayrun import daily_job
from lastmile.core.money import ZERO

from .choices import ChargeKind, EntryType
from .cycle import cycle_days_on, period_containing
from .models import LedgerEntry, Statement
from .proration import prorate_through

CHUNK = 5000


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


def _anything_due(as_of: dt.date) -> bool:
    """A raw, indexed guard: most days no account has its cycle day (a quiet day is free)."""
    days = cycle_days_on(as_of)
    statuses = list(AccountStatus.billed())
    sql = (
        f"SELECT 1 FROM {bulk.table(Account)} WHERE status IN ({', '.join(['%s'] * len(statuses))})"
        f" AND bill_cycle_day IN ({', '.join(['%s'] * len(days))}) AND service_start <= %s LIMIT 1"
    )
    return bulk.exists(sql, [*statuses, *days, bulk.db_date(as_of, Account)])


@daily_job("bill_run", order=10)
def bill_run(*, as_of: dt.date, account_ids=None) -> int:
    if not _anything_due(as_of):
        return 0
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


_LEDGER_FIELDS = ["account", "entry_type", "kind", "amount", "posted_on", "posted_at", "method",
                  "key", "description", "reference", "actor", "reason"]
_STATEMENT_FIELDS = ["account", "period_start", "period_end", "issued_on", "due_on", "recurring",
                     "balance", "amount_due", "previous_entry_id", "through_entry_id"]


@transaction.atomic
def _bill_chunk(as_of: dt.date, account_ids: list[int]) -> int:
    """One chunk: 4 reads and 3 executemany writes, whatever the chunk's size."""
    settings = ispconfig.current()
    actor = str(automation("bill run"))
    now = clock.now()
    accounts = list(
        due_accounts(as_of, account_ids).values_list(
            "pk", "bill_cycle_day", "service_end", "prorate_final_month", "package__monthly",
        )
    )
    if not accounts:
        return 0
    posted_on, posted_at = bulk.db_date(as_of, LedgerEntry), bulk.db_datetime(now, LedgerEntry)
    periods: dict[int, tuple] = {}  # cycle day -> (start, end, description, db start, db end)
    amounts = {}
    entries = []
    for pk, cycle_day, service_end, prorate_final, monthly in accounts:
        period = periods.get(cycle_day)
        if period is None:
            start, end = period_containing(as_of, cycle_day)
            period = periods[cycle_day] = (
                start, end, f"service {start:%b %d} - {end:%b %d, %Y}",
                bulk.db_date(start, Statement), bulk.db_date(end, Statement),
            )
        start, end, description = period[0], period[1], period[2]
        if service_end is None:
            amount = monthly
        else:
            amount = recurring_amount(
                monthly, period_start=start, period_end=end, service_end=service_end,
                prorate_final=prorate_final, cycle_day=cycle_day,
            )
        amounts[pk] = amount
        if amount != ZERO:
            entries.append((
                pk, EntryType.CHARGE.value, ChargeKind.RECURRING.value, amount, posted_on, posted_at,
                "", f"recurring:{pk}:{start.isoformat()}", description, "", actor, "",
            ))
    bulk.insert(LedgerEntry, _LEDGER_FIELDS, entries)
    pks = [a[0] for a in accounts]
    sums = {
        r[0]: (r[1], r[2])
        for r in LedgerEntry.objects.filter(account_id__in=pks)
        .values("account_id").annotate(s=Sum("amount"), last=Max("id"))
        .values_list("account_id", "s", "last")
    }
    previous = dict(
        Statement.objects.filter(account_id__in=pks)
        .values("account_id").annotate(last=Max("through_entry_id"))
        .values_list("account_id", "last")
    )
    statements = []
    rows = []
    due_on = as_of + dt.timedelta(days=settings.due_days)
    issued_on, db_due_on = bulk.db_date(as_of, Statement), bulk.db_date(due_on, Statement)
    for pk, cycle_day, *_rest in accounts:
        bal, last = sums.get(pk, (ZERO, 0))
        bal = bal or ZERO
        amount_due = max(bal, ZERO)
        start, end, _description, db_start, db_end = periods[cycle_day]
        statements.append((
            pk, db_start, db_end, issued_on, db_due_on, amounts[pk], bal, amount_due,
            previous.get(pk) or 0, last or 0,
        ))
        if amounts[pk] != ZERO:
            rows.append((pk, "charge.posted", actor, "",
                         {"kind": ChargeKind.RECURRING.value, "amount": amounts[pk]}))
        rows.append((pk, "statement.issued", actor, "", {
            "amount": amount_due, "due": due_on, "period_start": start, "period_end": end,
        }))
    bulk.insert(Statement, _STATEMENT_FIELDS, statements)
    timeline.record_many(rows)
    return len(statements)
