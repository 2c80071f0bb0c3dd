"""Reads for the customer's pages: only ever the signed-in account's own records."""
from __future__ import annotations

from lastmile.accounts.selectors import default_card
from lastmile.billing import selectors as billing
from lastmile.billing.models import LedgerEntry
from lastmile.billing.processors.models import AttemptStatus, ProcessorPayment
from lastmile.core.errors import NotFound
from lastmile.plans import selectors as plans
from lastmile.tickets.models import Ticket


def overview(*, account) -> dict:
    return {
        "balance": billing.balance(account=account),
        "card": default_card(account=account),
        "statements": list(billing.statements(account=account).order_by("-period_start")[:24]),
        "payments": list(LedgerEntry.objects.filter(account=account, entry_type="payment").order_by("-id")[:24]),
        "waiting": list(ProcessorPayment.objects.filter(account=account, status=AttemptStatus.PENDING)),
        "requests": open_requests(account=account),
    }


def open_requests(*, account) -> list[str]:
    """What the customer asked for that is not done yet, as sentences."""
    out = []
    change = plans.pending_change(account=account)
    if change is not None:
        out.append(f"Your change to {change.to_package.name} is waiting for our check; we will email you the answer.")
    for ticket in Ticket.objects.filter(account=account, status="open").order_by("opened_on"):
        out.append(f"{ticket.subject} (opened {ticket.opened_on:%B} {ticket.opened_on.day})")
    return out


def statement_of(*, account, statement_id: int):
    statement = billing.statements(account=account).filter(pk=statement_id).first()
    if statement is None:
        raise NotFound("there is no such statement on your account", field="statement")
    return statement
