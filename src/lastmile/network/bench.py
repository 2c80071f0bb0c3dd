"""The `coa_burst` bench figure (NET-3): a delinquency day's 5,000 wireless
suspensions, queued as CoA NOC requests, delivered by `coa_deliver` with bounded
concurrency to a loopback NAS (pyrad in a thread) that answers every request.
The queueing is the day run's; the figure times the delivery and its recording."""
from __future__ import annotations

import time

from lastmile.core import clock


def coa_burst(account_ids: list[int], count: int = 5000) -> tuple[float, int, int]:
    """(seconds, confirmed, NAS packets) for `count` accounts (the bench's own)."""
    from lastmile.accounts.models import Account

    from .choices import NocChannel, NocOperation, NocRequestState
    from .coa import coa_deliver
    from .loopback import LoopbackNas
    from .models import NasDevice, NocRequest, Subscriber

    ids = list(account_ids)[:count]
    with LoopbackNas() as nas:
        device = NasDevice.objects.create(name="bench NAS", address="127.0.0.1", secret="nas-secret",
                                          coa_port=nas.port)
        Account.objects.filter(pk__in=ids).update(network="wireless", status="not_active")
        numbers = dict(Account.objects.filter(pk__in=ids).values_list("pk", "number"))
        Subscriber.objects.filter(account_id__in=ids).delete()
        Subscriber.objects.bulk_create(
            [Subscriber(account_id=pk, radius_username=numbers[pk], nas=device, session_id=f"B{pk}")
             for pk in ids], batch_size=1000)
        now = clock.now()
        NocRequest.objects.bulk_create(
            [NocRequest(account_id=pk, operation=NocOperation.DISCONNECT, channel=NocChannel.RADIUS_COA,
                        key=f"bench-coa:{pk}", sent_at=now, state=NocRequestState.SENT, next_attempt_at=now)
             for pk in ids], batch_size=1000)
        started = time.perf_counter()
        done = coa_deliver(now=now, limit=len(ids) + 1, timeout=2, retries=2)
        seconds = time.perf_counter() - started
        return seconds, done["confirmed"], len(nas.received)
