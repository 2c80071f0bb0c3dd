"""The plans' daily job (order 30): trials that were not reverted are kept (PKG-5)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from lastmile.billing.models import Statement
from lastmile.core.bulk import exists, table
from lastmile.core.dayrun import daily_job

from .choices import TrialStatus
from .models import Trial


def _anything_due(as_of: dt.date) -> bool:
    return exists(f"SELECT 1 FROM {table(Trial)} WHERE status = %s AND ends_on < %s LIMIT 1",
                  [TrialStatus.ACTIVE, as_of])


@daily_job("trials", order=30, due=lambda as_of: _anything_due(as_of))
def trials_keep(*, as_of: dt.date, account_ids=None) -> int:
    """PKG-5: once the first statement after a trial's last day is issued, the trial
    can no longer be reverted: the package simply stays.

    Set-based: only active trials already over are looked at (index status, ends_on),
    and one UPDATE marks them; running it twice changes nothing.
    """
    if not _anything_due(as_of):
        return 0  # a quiet day: no trial is over and still active
    issued_after = Statement.objects.filter(
        account_id=OuterRef("account_id"), issued_on__gt=OuterRef("ends_on"), issued_on__lte=as_of,
    )
    qs = Trial.objects.filter(status=TrialStatus.ACTIVE, ends_on__lt=as_of).filter(Exists(issued_after))
    if account_ids is not None:
        qs = qs.filter(account_id__in=account_ids)
    return qs.update(status=TrialStatus.KEPT)


