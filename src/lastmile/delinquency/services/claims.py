""""Where is my payment?" (DLQ-6)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from lastmile.billing.models import LedgerEntry
from lastmile.billing.services import entry_void
from lastmile.core import clock, ispconfig
from lastmile.core.actors import Actor
from lastmile.core.errors import InvalidInput, RuleRefusal
from lastmile.core.money import ZERO, MoneyError, money

from .. import selectors
from ..models import (
    Case,
    CaseOutcome,
    ClaimMethod,
    PaymentClaim,
)
from .common import (
    _case_close,
    _note,
    _reinstate,
)


# --------------------------------------------------------------------------- DLQ-6, DLQ-5
def _claim_fields(amount, sent_on, method, reference, today: dt.date):
    """DLQ-6: what the customer says was sent; every field optional, each checked."""
    if amount not in (None, ""):
        try:
            amount = money(amount)
        except MoneyError as exc:
            raise InvalidInput(f"amount: {exc}", field="amount") from None
        if amount <= ZERO:
            raise InvalidInput("the amount sent must be more than 0.00", field="amount")
    else:
        amount = None
    if isinstance(sent_on, str) and sent_on:
        try:
            sent_on = dt.date.fromisoformat(sent_on)
        except ValueError:
            raise InvalidInput("the date sent must be a date (YYYY-MM-DD)", field="sent_on") from None
    sent_on = sent_on or None
    if sent_on is not None and sent_on > today:
        raise InvalidInput(f"the date sent ({sent_on}) is after today ({today})", field="sent_on")
    method = (method or "").strip()
    if method and method not in ClaimMethod.values:
        raise InvalidInput("the method must be bill_pay (bill pay) or check (check by mail)", field="method")
    reference = (reference or "").strip()
    if len(reference) > 100:
        raise InvalidInput("the reference is at most 100 characters", field="reference")
    return amount, sent_on, method, reference


def claim_case(*, account, lock: bool = False):
    """DLQ-6: the open case a claimed payment holds, or a RuleRefusal (the service and
    the console's offers both ask this)."""
    case = selectors.open_case(account=account, lock=lock)
    if case is None:
        raise RuleRefusal("this account has no open delinquency case; there is nothing to hold for a claimed payment",
                          field="account")
    return case


@transaction.atomic
def payment_claim_record(*, account, actor: Actor, amount=None, sent_on=None, method: str = "",
                         reference: str = "") -> Case:
    """DLQ-6 "Where is my payment?": the customer says a bill-pay or mailed payment
    was sent. The case closes (outcome claim), its reactivation fee is voided, service
    is restored without the payment condition, and no new case opens for the grace.
    What the customer said is kept (PaymentClaim) and shown on the account until a
    payment arrives or the grace ends."""
    actor.require("account.change", "recording a payment claim")
    today = clock.today()
    amount, sent_on, method, reference = _claim_fields(amount, sent_on, method, reference, today)
    case = claim_case(account=account, lock=True)
    case.account = account
    grace = today + dt.timedelta(days=ispconfig.current().grace_after_claim_days)
    last_id = LedgerEntry.objects.filter(account=account).order_by("-id").values_list("id", flat=True).first() or 0
    claim = PaymentClaim.objects.create(case=case, account=account, amount=amount, sent_on=sent_on, method=method,
                                        reference=reference, recorded_by=str(actor), recorded_at=clock.now(),
                                        after_entry_id=last_id, grace_until=grace)
    _case_close(case, CaseOutcome.CLAIM, actor, grace_until=grace)
    fee = LedgerEntry.objects.filter(key=f"reactivation:{case.pk}", voided_by__isnull=True).first()
    if fee is not None:
        entry_void(entry=fee, actor=actor, reason="DLQ-6: where is my payment? fee removed")
    said = (selectors.open_claim(account=account) or {}).get("sentence") or "Customer says the payment was sent"
    _note(case, f"{said} (claim #{claim.pk}). Fee removed, service restored; no new case before {grace}.", actor)
    _reinstate(case, actor, "DLQ-6: payment claimed (where is my payment?)")
    return case
