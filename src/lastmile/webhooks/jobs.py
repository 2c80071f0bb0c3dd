"""The webhooks' minute job, beside the outbox's (`outbox_deliver`): the same runner
(core/periodic.py: `lastmile serve`'s scheduler or `lastmile periodic`) calls it, so
deliveries go out from the worker that sends the emails, never from a request or the
day run. Not in simulations: they reach outside."""
from __future__ import annotations

from lastmile.core.periodic import periodic_job


@periodic_job("webhooks_deliver", in_simulation=False)
def webhooks_deliver() -> int:
    """Fan the new timeline entries out into deliveries, then send what is due."""
    from .services import webhooks_deliver as deliver
    from .services import webhooks_fan_out

    webhooks_fan_out()
    if not _any_due():
        return 0
    return deliver()["delivered"]


def _any_due() -> bool:
    """The quiet case costs one indexed lookup (core.bulk.exists)."""
    from lastmile.core.bulk import exists, table

    from .models import WebhookDelivery

    return exists(f"SELECT 1 FROM {table(WebhookDelivery)} WHERE status = %s LIMIT 1", ["pending"])
