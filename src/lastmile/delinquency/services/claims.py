""""Where is my payment?" (DLQ-6)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from lastmile.billing.models import LedgerEntry
from lastmile.billing.services import entry_void
from lastmile.core import clock, ispconfig
from lastmile.core.actors import Actor
from lastmile.core.errors import RuleRefusal

from .. import selectors
from ..models import (
    Case,
    CaseOutcome,
)
from .common import (
    _case_close,
    _note,
    _reinstate,
)


# --------------------------------------------------------------------------- DLQ-6, DLQ-5
@transaction.atomic
def payment_claim_record(*, account, actor: Actor) -> Case:
    """DLQ-6 "Where is my payment?": the customer says a bill-pay or mailed payment
    was sent. The case closes (outcome claim), its reactivation fee is voided, service
    is restored without the payment condition, and no new case opens for the grace."""
    actor.require("account.change", "recording a payment claim")
    case = selectors.open_case(account=account, lock=True)
    if case is None:
        raise RuleRefusal("this account has no open delinquency case; there is nothing to hold for a claimed payment",
                          field="account")
    case.account = account
    today = clock.today()
    grace = today + dt.timedelta(days=ispconfig.current().grace_after_claim_days)
    _case_close(case, CaseOutcome.CLAIM, actor, grace_until=grace)
    fee = LedgerEntry.objects.filter(key=f"reactivation:{case.pk}", voided_by__isnull=True).first()
    if fee is not None:
        entry_void(entry=fee, actor=actor, reason="DLQ-6: where is my payment? fee removed")
    _note(case, f"Customer says the payment was sent (bill pay or mail). Fee removed, service restored; "
                f"no new case before {grace}.", actor)
    _reinstate(case, actor, "DLQ-6: payment claimed (where is my payment?)")
    return case

