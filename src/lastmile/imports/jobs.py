"""IMP-2 in the day run: the first bill of an imported account, once.

The bill run bills an account on its cycle day for the period starting that day.
An import never creates a statement for a month the old system billed, so the
next cycle day bills the next month by itself. When the old system stopped before
the current period (its last statement ends before the import day), the first
month it did not bill has a cycle date already past: this job, just before the
bill run, bills that period for those accounts through the bill run itself
(`bill_run(as_of=first cycle date, account_ids=...)`), once, and marks it done.
"""
from __future__ import annotations

import datetime as dt

from lastmile.core import bulk
from lastmile.core.dayrun import daily_job

from .models import FirstBill


def _anything_due(as_of: dt.date) -> bool:
    """Raw and indexed: the scenario runner calls this every simulated day."""
    from django.db import connection

    sql = (f"SELECT 1 FROM {bulk.table(FirstBill)} WHERE done = %s AND "
           f"{connection.ops.quote_name('on')} <= %s LIMIT 1")
    return bulk.exists(sql, [False, bulk.db_date(as_of, FirstBill)])


@daily_job("import_first_bill", order=9, due=lambda as_of: _anything_due(as_of))
def first_bills(*, as_of: dt.date, account_ids=None) -> int:
    from lastmile.billing.billrun import bill_run

    if not _anything_due(as_of):
        return 0
    qs = FirstBill.objects.filter(done=False, on__lte=as_of)
    if account_ids is not None:
        qs = qs.filter(account_id__in=account_ids)
    by_day: dict[dt.date, list[int]] = {}
    for account_id, on in qs.values_list("account_id", "on"):
        by_day.setdefault(on, []).append(account_id)
    issued = 0
    for on, ids in sorted(by_day.items()):
        issued += bill_run(as_of=on, account_ids=ids)
        FirstBill.objects.filter(account_id__in=ids).update(done=True)
    return issued
