"""Cancellations (CAN-1..CAN-8, CON-4..CON-8): the quote and final bill first (CAN-7)."""
from __future__ import annotations

import datetime as dt

from ninja import Router

from lastmile.accounts.selectors import account_get
from lastmile.cancellations import services as can_services

from . import selectors
from .auth import actor_of
from .common import responses
from .schemas import CancellationIn, CancellationOut, CancellationPreviewOut

router = Router(tags=["cancellations"])


def cancellation_out(c) -> dict:
    return {
        "id": c.pk, "status": c.status, "last_day": c.last_day, "under_contract": c.under_contract,
        "etf": c.etf, "months_remaining": c.months_remaining, "uninstall_on": c.uninstall_on,
        "pickup_on": c.pickup_on, "short_notice": c.short_notice, "equipment": c.equipment,
    }


def preview(account, last_day, prorate) -> dict:
    address = getattr(account, "address", None)
    return {**selectors.cancellation_preview(account=account, last_day=last_day, prorate_final_month=prorate),
            "address_id": address.address_id if address else "",
            "address": address.one_line() if address else ""}


@router.get("/accounts/{number}/cancellation/preview", response=responses(CancellationPreviewOut))
def cancellation_preview(request, number: str, last_day: dt.date, prorate_final_month: bool = False):
    """CAN-7: every balance and statement still to be issued before the last day, the
    ETF if under contract (CON-4..CON-6), the UTOPIA lease options (CAN-8), and the
    address ID and address to confirm (NET-2)."""
    return preview(account_get(number=number), last_day, prorate_final_month)


@router.post("/accounts/{number}/cancellations", response=responses(CancellationOut, 201))
def cancellation_request(request, number: str, payload: CancellationIn):
    """CAN-1: schedules the uninstall for the day after the last day, opens the ticket
    (CAN-2), plans the pickup (CAN-5); UTOPIA accounts wait for an admin (CAN-8).
    NET-2: `confirm_address_id` must match the account's address ID."""
    from ninja import Status

    account = account_get(number=number)
    actor = actor_of(request)
    actor.require("cancellation.request", "cancelling an account")
    selectors.address_id_confirmed(account=account, typed=payload.confirm_address_id)
    cancellation = can_services.cancellation_request(
        account=account, last_day=payload.last_day, reason=payload.reason, actor=actor,
        prorate_final_month=payload.prorate_final_month, moved_out=payload.moved_out, improve=payload.improve,
    )
    cancellation.refresh_from_db()
    return Status(201, cancellation_out(cancellation))


@router.post("/accounts/{number}/equipment/returned", response=responses(CancellationOut))
def equipment_returned(request, number: str):
    """CAN-6: the POE came back; no replacement fee."""
    return cancellation_out(can_services.equipment_returned(account=account_get(number=number),
                                                            actor=actor_of(request)))


@router.post("/accounts/{number}/equipment/pickup-failed", response=responses(CancellationOut))
def pickup_failed(request, number: str):
    """CAN-6: the pickup failed; the replacement fee is charged."""
    return cancellation_out(can_services.pickup_failed(account=account_get(number=number),
                                                       actor=actor_of(request)))
