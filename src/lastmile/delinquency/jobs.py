"""The delinquency day-run job (order 40): openings, broken arrangements, then steps.

Set-based: openings select owing accounts with one query on a delinquency day (and
only accounts whose claim grace ends otherwise); arrangements and steps are selected
by indexed dates (`check_after`, `next_due_on`), so a quiet day costs a few queries.
"""
from __future__ import annotations

import datetime as dt

from lastmile.core.actors import automation
from lastmile.core.dayrun import daily_job

from .services import arrangements_check, cases_open, steps_run
from .services.arrangements import arrangements_due
from .services.cases import openings_due, steps_due


def _anything_due(as_of: dt.date) -> bool:
    """The three guards the job starts with: openings, arrangements, steps."""
    return openings_due(as_of) or arrangements_due(as_of) or steps_due(as_of)


@daily_job("delinquency", order=40, due=lambda as_of: _anything_due(as_of))
def delinquency_run(*, as_of: dt.date, account_ids=None) -> int:
    opened = cases_open(as_of=as_of, account_ids=account_ids)
    broken = arrangements_check(as_of=as_of, account_ids=account_ids)
    ran, cancelled = steps_run(as_of=as_of, account_ids=account_ids)
    if cancelled:
        # DLQ-1 (seed 002, 2021): ONE email to the NOC for every account cancelled today
        from lastmile.network.services import noc_batch_cancel

        noc_batch_cancel(accounts=cancelled, on=as_of, actor=automation("delinquency cancel"))
    return opened + broken + ran
