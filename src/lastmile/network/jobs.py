"""Periodic jobs of the network context (core/periodic.py): every minute live; the
simulator runs those with in_simulation=True after each event and at 17:00."""
from __future__ import annotations

from lastmile.core.periodic import periodic_job

from .choices import NocRequestState


@periodic_job("noc_followups", due=lambda: _any_request_in(NocRequestState.SENT))
def noc_followups() -> int:
    """DLQ-7: a ticket to call the NOC when an unsuspend is unconfirmed after 3 minutes."""
    from .services import noc_followups_open

    if not _any_request_in(NocRequestState.SENT):
        return 0
    return noc_followups_open()


@periodic_job("noc_retry", due=lambda: _any_request_in(NocRequestState.FAILED))
def noc_retry() -> int:
    """NET-1: a request whose delivery failed (the CRM unreachable) is sent again."""
    from .services import noc_requests_retry

    if not _any_request_in(NocRequestState.FAILED):
        return 0
    return noc_requests_retry()


@periodic_job("coa_deliver", in_simulation=False)
def coa_deliver() -> int:
    """NET-3: send the queued CoA requests to the NAS; notice package moves first."""
    from .coa import coa_deliver as deliver
    from .coa import coa_reconcile

    coa_reconcile()
    if not _any_request_in(NocRequestState.SENT):
        return 0
    return sum(deliver().values())


@periodic_job("outbox_deliver", in_simulation=False)
def outbox_deliver() -> int:
    """Deliver the outbox (customers' and the NOC's emails); never in a simulation."""
    from lastmile.comms.services import outbox_deliver as deliver

    return deliver()["sent"]


def _any_request_in(state: str) -> bool:
    """The minute jobs' quiet-case guard: one raw indexed lookup (core.bulk.exists)."""
    from lastmile.core.bulk import exists, table

    from .models import NocRequest

    return exists(f"SELECT 1 FROM {table(NocRequest)} WHERE state = %s LIMIT 1", [state])
