"""Delinquency procedures: arrangements (DLQ-4), "where is my payment?" (DLQ-6),
fee waivers (DLQ-5). Reinstatement (DLQ-7) follows a payment by itself."""
from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from lastmile.accounts.selectors import account_get
from lastmile.delinquency import services as dlq_services

from .auth import actor_of
from .common import ERRORS, ledger_out, responses
from .schemas import (
    ArrangementIn,
    ArrangementListOut,
    ArrangementOut,
    Done,
    FeeWaiverIn,
    LedgerEntryOut,
    Money,
)

router = Router(tags=["delinquency"])


@router.post("/accounts/{number}/arrangements", response=responses(ArrangementOut, 201))
def arrangement_create(request, number: str, payload: ArrangementIn):
    """DLQ-4: specific dates and amounts, approved by a manager; pauses the case."""
    arrangement = dlq_services.arrangement_create(
        account=account_get(number=number), actor=actor_of(request),
        installments=[{"on": i.on, "amount": i.amount} for i in payload.installments],
    )
    return Status(201, {"id": arrangement.pk, "status": arrangement.status,
                        "installments": arrangement.installments, "approved_by": arrangement.approved_by})


class PaymentClaimIn(Schema):
    amount: Money | None = None
    sent_on: dt.date | None = None
    method: str = ""
    reference: str = ""


class DeclineIn(Schema):
    reason: str = ""


def _arrangement_out(arrangement):
    return {"id": arrangement.pk, "status": arrangement.status, "installments": arrangement.installments,
            "approved_by": arrangement.approved_by}


@router.get("/arrangements", response={200: list[ArrangementListOut], **ERRORS})
@paginate(LimitOffsetPagination)
def arrangements_list(request, status: str = ""):
    """DLQ-4: `status=proposed` is the approval queue, oldest first; empty for all."""
    from decimal import Decimal

    from lastmile.core.errors import InvalidInput
    from lastmile.delinquency import selectors as dlq_selectors
    from lastmile.delinquency.models import ArrangementStatus

    if status and status not in ArrangementStatus.values:
        raise InvalidInput(f"status must be one of {', '.join(ArrangementStatus.values)} (or empty for all)",
                           field="status")
    return [{"id": a.pk, "account": a.account.number, "account_name": a.account.name, "status": a.status,
             "installments": a.installments, "total": str(sum((Decimal(i["amount"]) for i in a.installments),
                                                              Decimal("0.00"))),
             "proposed_by": a.proposed_by, "proposed_at": a.proposed_at, "approved_by": a.approved_by,
             "created": a.created_at} for a in dlq_selectors.arrangements(status=status or None)]


@router.post("/arrangements/{arrangement_id}/approve", response=responses(ArrangementOut, 200))
def arrangement_approve(request, arrangement_id: int):
    """DLQ-4 (manager): approve a proposal; the coverage is checked against today's balance."""
    from lastmile.core.errors import NotFound
    from lastmile.delinquency.models import Arrangement

    arrangement = Arrangement.objects.filter(pk=arrangement_id).first()
    if arrangement is None:
        raise NotFound(f"no arrangement #{arrangement_id}", field="arrangement_id")
    return _arrangement_out(dlq_services.arrangement_approve(arrangement=arrangement, actor=actor_of(request)))


@router.post("/arrangements/{arrangement_id}/decline", response=responses(ArrangementOut, 200))
def arrangement_decline(request, arrangement_id: int, payload: DeclineIn):
    """DLQ-4 (manager): decline a proposal with the reason."""
    from lastmile.core.errors import NotFound
    from lastmile.delinquency.models import Arrangement

    arrangement = Arrangement.objects.filter(pk=arrangement_id).first()
    if arrangement is None:
        raise NotFound(f"no arrangement #{arrangement_id}", field="arrangement_id")
    return _arrangement_out(dlq_services.arrangement_decline(arrangement=arrangement, actor=actor_of(request),
                                                             reason=payload.reason))


@router.post("/accounts/{number}/payment-claims", response=responses(Done, 201))
def payment_claim(request, number: str, payload: PaymentClaimIn | None = None):
    """DLQ-6: the customer says a bill-pay or mailed payment was sent: the case closes,
    its reactivation fee is voided, service is restored, a grace period starts."""
    account = account_get(number=number)
    payload = payload or PaymentClaimIn()
    case = dlq_services.payment_claim_record(account=account, actor=actor_of(request), amount=payload.amount,
                                             sent_on=payload.sent_on, method=payload.method,
                                             reference=payload.reference)
    account.refresh_from_db()
    return Status(201, {"detail": "payment claim recorded; the case is closed and service restored",
                        "account": account.number, "status": account.status,
                        "data": {"case": case.pk, "outcome": case.outcome}})


@router.post("/accounts/{number}/fee-waivers", response=responses(LedgerEntryOut, 201))
def fee_waive(request, number: str, payload: FeeWaiverIn):
    """DLQ-5: allowed with autopay or for a first fee; otherwise a manager's override."""
    entry = dlq_services.fee_waive(account=account_get(number=number), actor=actor_of(request), kind=payload.kind)
    return Status(201, ledger_out(entry))
