"""Billing: statements (BIL-1), the ledger (BIL-4), payments."""
from __future__ import annotations

from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from lastmile.accounts.selectors import account_get
from lastmile.billing import selectors as billing_selectors
from lastmile.billing import services as billing_services

from .auth import actor_of
from .common import ERRORS, ledger_out, responses
from .schemas import LedgerEntryOut, PaymentIn, PaymentOut, StatementOut

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
