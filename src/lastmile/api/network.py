"""The network operator (NET-1, NET-2): requests, the NOC's confirmation."""
from __future__ import annotations

from ninja import Router

from lastmile.accounts.selectors import account_get
from lastmile.core.errors import RuleRefusal
from lastmile.network import selectors as net_selectors
from lastmile.network import services as net_services

from .auth import actor_of
from .common import responses
from .schemas import NocConfirmIn, NocRequestIn, NocRequestOut

router = Router(tags=["network"])


def request_out(r) -> dict:
    return {"id": r.pk, "operation": r.operation, "channel": r.channel, "state": r.state,
            "address_id": r.address_id, "address": r.address, "sent_at": r.sent_at,
            "confirmed_at": r.confirmed_at}


@router.get("/accounts/{number}/noc-requests", response=responses(list[NocRequestOut]))
def noc_requests(request, number: str):
    """NET-1: every request with its state (sent, confirmed, failed), newest first."""
    return [request_out(r) for r in net_selectors.noc_requests_of(account=account_get(number=number))]


@router.post("/accounts/{number}/noc-requests", response=responses(NocRequestOut))
def noc_request(request, number: str, payload: NocRequestIn):
    """NET-2: an agent's suspend/unsuspend/cancel/disconnect; the address ID must be typed back."""
    r = net_services.noc_request_manual(
        account=account_get(number=number), operation=payload.operation, actor=actor_of(request),
        confirm_address_id=payload.confirm_address_id, why=payload.why,
    )
    if r is None:
        raise RuleRefusal("service is not shut off on this account; there is nothing to restore",
                          field="operation")
    return request_out(r)


@router.post("/accounts/{number}/noc-requests/confirm", response=responses(NocRequestOut))
def noc_confirm(request, number: str, payload: NocConfirmIn):
    """The NOC confirmed the oldest waiting request of `operation` (DLQ-7 completes a reinstatement)."""
    r = net_services.noc_request_confirm(account=account_get(number=number), operation=payload.operation,
                                         actor=actor_of(request), vlan=payload.vlan)
    return request_out(r)
