"""Autopay (BIL-5): the card on file is charged on the due date.

A declined card leaves the statement unpaid like any other. The natural key
`autopay:<statement>` makes a repeated day run charge once.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum

from lastmile.accounts.models import Account
from lastmile.accounts.selectors import default_card
from lastmile.core import timeline
from lastmile.core.actors import automation
from lastmile.core.dayrun import daily_job
from lastmile.core.money import ZERO

from .choices import PaymentMethod
from .gateway import processor
from .models import LedgerEntry, Statement
from .services import payment_post


@daily_job("autopay", order=20)
def autopay_run(*, as_of: dt.date, account_ids=None) -> int:
    statements = Statement.objects.filter(due_on=as_of, account__autopay=True).select_related("account")
    if account_ids is not None:
        statements = statements.filter(account_id__in=account_ids)
    charged = 0
    for stmt in statements:
        charged += _charge(stmt)
    return charged


@transaction.atomic
def _charge(stmt: Statement) -> int:
    key = f"autopay:{stmt.pk}"
    if LedgerEntry.objects.filter(key=key).exists():
        return 0
    account: Account = stmt.account
    owed = LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or ZERO
    if owed <= ZERO:
        return 0
    actor = automation("autopay")
    card = default_card(account=account)
    if card is None:
        timeline.record("payment.declined", account=account, actor=actor, amount=owed,
                        method=PaymentMethod.CARD, reason="autopay is on but no card is on file")
        return 0
    result = processor().charge(token=card.token, amount=owed, idempotency_key=key)
    if not result.approved:
        timeline.record("payment.declined", account=account, actor=actor, amount=owed,
                        method=PaymentMethod.CARD, last4=card.last4, reason=result.message)
        return 0
    payment_post(account=account, amount=owed, method=PaymentMethod.CARD, actor=actor,
                 reference=result.reference, key=key, reason="autopay on the due date (BIL-5)")
    return 1
