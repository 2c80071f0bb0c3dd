"""Billing: statements (BIL-1), the ledger (BIL-4), payments, corrections (BIL-7)."""
from __future__ import annotations

from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from lastmile.accounts.selectors import account_get
from lastmile.billing import selectors as billing_selectors
from lastmile.billing import services as billing_services

from .auth import actor_of
from .common import ERRORS, ledger_out, responses
from .schemas import (
    AdjustmentIn,
    CorrectionOut,
    LedgerEntryOut,
    PaymentIn,
    PaymentOut,
    RefundIn,
    ReversalIn,
    StatementOut,
    VoidIn,
)

router = Router(tags=["billing"])


@router.get("/accounts/{number}/statements", response=responses(list[StatementOut]))
def statements_list(request, number: str):
    """BIL-1: every statement with its lines (the ledger entries it carries)."""
    account = account_get(number=number)
    out = []
    for stmt in billing_selectors.statements(account=account):
        out.append({
            "period_start": stmt.period_start, "period_end": stmt.period_end,
            "issued_on": stmt.issued_on, "due_on": stmt.due_on, "recurring": stmt.recurring,
            "balance": stmt.balance, "amount_due": stmt.amount_due,
            "lines": [ledger_out(e) for e in billing_selectors.statement_lines(statement=stmt)],
        })
    return out


@router.get("/accounts/{number}/ledger", response={200: list[LedgerEntryOut], **ERRORS})
@paginate(LimitOffsetPagination)
def ledger_list(request, number: str):
    """BIL-4: append-only entries; the balance is their sum."""
    account = account_get(number=number)
    return [ledger_out(e) for e in billing_selectors.entries(account=account).order_by("id")]


@router.post("/accounts/{number}/payments", response=responses(PaymentOut, 201))
def payment_post(request, number: str, payload: PaymentIn):
    """Take a payment; it pays the oldest charges first (BIL-4), and may close a
    delinquency case and reinstate service (DLQ-7) in the same transaction."""
    account = account_get(number=number)
    entry = billing_services.payment_post(
        account=account, amount=payload.amount, method=payload.method,
        reference=payload.reference, actor=actor_of(request),
    )
    account.refresh_from_db()
    return Status(201, {"entry": ledger_out(entry), "balance": billing_selectors.balance(account=account),
                        "status": account.status})


# --- corrections (BIL-7): the same services as the console's ledger page ------------------
def _corrected(entry, account) -> Status:
    account.refresh_from_db()
    out = {**ledger_out(entry), "reason": entry.reason, "reason_code": entry.reason_code,
           "corrects": entry.corrects_id}
    return Status(201, {"entry": out, "balance": billing_selectors.balance(account=account),
                        "status": account.status})


@router.post("/accounts/{number}/adjustments", response=responses(CorrectionOut, 201))
def adjustment_post(request, number: str, payload: AdjustmentIn):
    """A charge (positive amount) or a credit (negative), with its reason; `entry` names
    the charge it corrects. Above `correction_manager_above` only a manager may."""
    account = account_get(number=number)
    entry = None
    if payload.entry is not None:
        entry = billing_selectors.ledger_entry(entry_id=payload.entry, account=account)
    created = billing_services.adjustment_post(account=account, amount=payload.amount, reason=payload.reason,
                                               entry=entry, actor=actor_of(request))
    return _corrected(created, account)


@router.post("/ledger/{entry_id}/void", response=responses(CorrectionOut, 201))
def entry_void(request, entry_id: int, payload: VoidIn):
    """Void a charge or a credit with its reason (a payment is reversed instead)."""
    entry = billing_selectors.ledger_entry(entry_id=entry_id)
    void = billing_services.charge_void(entry=entry, reason=payload.reason, actor=actor_of(request))
    return _corrected(void, entry.account)


@router.post("/payments/{entry_id}/reverse", response=responses(CorrectionOut, 201))
def payment_reverse(request, entry_id: int, payload: ReversalIn):
    """A returned check, NSF or chargeback: what the payment paid is open again."""
    payment = billing_selectors.ledger_entry(entry_id=entry_id)
    reversal = billing_services.payment_reverse(payment=payment, reason_code=payload.reason_code,
                                                note=payload.note, actor=actor_of(request))
    return _corrected(reversal, payment.account)


@router.post("/accounts/{number}/refunds", response=responses(CorrectionOut, 201))
def credit_refund(request, number: str, payload: RefundIn):
    """Refund (part of) a credit balance by check or to the card; never more than the credit."""
    account = account_get(number=number)
    refund = billing_services.credit_refund(account=account, amount=payload.amount, method=payload.method,
                                            reason=payload.reason, actor=actor_of(request))
    return _corrected(refund, account)
