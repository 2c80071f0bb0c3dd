"""Delinquency procedures: arrangements (DLQ-4), "where is my payment?" (DLQ-6),
fee waivers (DLQ-5). Reinstatement (DLQ-7) follows a payment by itself."""
from __future__ import annotations

from ninja import Router, Status

from lastmile.accounts.selectors import account_get
from lastmile.delinquency import services as dlq_services

from .auth import actor_of
from .common import ledger_out, responses
from .schemas import ArrangementIn, ArrangementOut, Done, FeeWaiverIn, LedgerEntryOut

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


@router.post("/accounts/{number}/payment-claims", response=responses(Done, 201))
def payment_claim(request, number: str):
    """DLQ-6: the customer says a bill-pay or mailed payment was sent: the case closes,
    its reactivation fee is voided, service is restored, a grace period starts."""
    account = account_get(number=number)
    case = dlq_services.payment_claim_record(account=account, actor=actor_of(request))
    account.refresh_from_db()
    return Status(201, {"detail": "payment claim recorded; the case is closed and service restored",
                        "account": account.number, "status": account.status,
                        "data": {"case": case.pk, "outcome": case.outcome}})


@router.post("/accounts/{number}/fee-waivers", response=responses(LedgerEntryOut, 201))
def fee_waive(request, number: str, payload: FeeWaiverIn):
    """DLQ-5: allowed with autopay or for a first fee; otherwise a manager's override."""
    entry = dlq_services.fee_waive(account=account_get(number=number), actor=actor_of(request), kind=payload.kind)
    return Status(201, ledger_out(entry))
