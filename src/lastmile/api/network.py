"""The network operator (NET-1, NET-2): requests, the NOC's confirmation."""
from __future__ import annotations

from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from lastmile.accounts.selectors import account_get
from lastmile.core.errors import RuleRefusal
from lastmile.network import selectors as net_selectors
from lastmile.network import services as net_services

from .auth import actor_of
from .common import ERRORS, responses
from .schemas import (
    NocConfirmIn,
    NocDeskConfirmIn,
    NocDeskOut,
    NocFailIn,
    NocRequestIn,
    NocRequestOut,
)

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


# --- the NOC desk (NET-1, DLQ-7): noc and admin ---
def desk_out(r) -> dict:
    return {**request_out(r), "account": r.account.number if r.account_id else None,
            "name": r.account.name if r.account_id else f"batch of {len(r.batch or [])}",
            "attempts": r.attempts, "restore_pending": r.restore_pending, "detail": r.detail}


@router.get("/noc-requests", response={200: list[NocDeskOut], **ERRORS})
@paginate(LimitOffsetPagination)
def noc_desk(request, state: str = "sent"):
    """The requests in `state` (default sent: not yet confirmed), oldest first."""
    actor_of(request).require("noc.confirm", "the NOC desk")
    return [desk_out(r) for r in net_selectors.noc_desk(state=state)]


@router.post("/noc-requests/{request_id}/confirm", response=responses(NocDeskOut))
def noc_desk_confirm(request, request_id: int, payload: NocDeskConfirmIn):
    """Confirmed: a suspension is done; an unsuspend needs `vlan` and, on the restored
    VLAN, the reinstatement completes (DLQ-7)."""
    r = net_services.noc_request_record(request=net_selectors.noc_request_get(request_id=request_id),
                                        actor=actor_of(request), confirmed=True, vlan=payload.vlan,
                                        note=payload.note)
    return desk_out(net_selectors.noc_request_get(request_id=r.pk))


@router.post("/noc-requests/{request_id}/fail", response=responses(NocDeskOut))
def noc_desk_fail(request, request_id: int, payload: NocFailIn):
    """The NOC could not do it: `failed`, the note on the timeline, a follow-up ticket."""
    r = net_services.noc_request_record(request=net_selectors.noc_request_get(request_id=request_id),
                                        actor=actor_of(request), confirmed=False, note=payload.note)
    return desk_out(net_selectors.noc_request_get(request_id=r.pk))
