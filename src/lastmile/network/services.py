"""Requests to the network operator (NET-1, NET-2)."""
from __future__ import annotations

from django.db import transaction

from lastmile.core import clock, timeline
from lastmile.core.actors import Actor
from lastmile.core.errors import InvalidInput, RuleRefusal

from .adapters import adapter_for
from .choices import NocOperation, NocRequestState
from .models import NocRequest


@transaction.atomic
def noc_request(*, account, operation: str, actor: Actor | str, key: str | None = None, why: str = "") -> NocRequest:
    """Send one request through the account's adapter and record `noc.requested`.

    NET-2: the request carries the address ID and the address, never only the name.
    With a natural `key` a repeated request is not sent again.
    """
    if operation not in NocOperation.values:
        raise InvalidInput(f"operation must be one of {', '.join(NocOperation.values)}", field="operation")
    address = getattr(account, "address", None)
    if account.network == "utopia" and not (address and address.address_id):
        raise RuleRefusal("this UTOPIA account has no address ID; add it before asking the NOC", field="address_id")
    now = clock.now()
    key = key or f"{operation}:{account.pk}:{now.isoformat()}"
    existing = NocRequest.objects.filter(key=key).first()
    if existing:
        return existing
    request = NocRequest.objects.create(
        account=account, operation=operation, channel="", key=key, sent_at=now,
        address_id=address.address_id if address else "", address=address.one_line() if address else "",
    )
    dispatch = adapter_for(account).send(request)
    request.channel = dispatch.channel
    request.detail = dispatch.detail
    if dispatch.confirmed:
        request.state = NocRequestState.CONFIRMED
        request.confirmed_at = now
    request.save(update_fields=["channel", "detail", "state", "confirmed_at"])
    timeline.record("noc.requested", account=account, actor=actor, why=why, operation=operation,
                    address_id=request.address_id, address=request.address, channel=request.channel,
                    state=request.state)
    return request
