"""The day run's job of the reports (issue 10): store the collections figures of
the due dates whose window is over. The figures are the whole ISP's, so one call
does it: the day run's own (no account list), or, when the day run is fanned out
in chunks of accounts, the chunk that holds the ISP's first account."""
from __future__ import annotations

from lastmile.core.dayrun import daily_job

from .services import collections_close


# no stage lock: a due date's rows are one transaction under a unique (due_on,
# network) pair, so two closes at once store it once; it runs every day
@daily_job("reports_close", order=90, chunked=False, locked=False)
def _close(*, as_of, account_ids=None) -> int:
    if account_ids is not None:
        from lastmile.accounts.models import Account

        first = Account.objects.order_by("pk").values_list("pk", flat=True).first()
        if first not in set(account_ids):
            return 0
    return collections_close(as_of=as_of)
