"""Autopay (BIL-5): the card on file is charged on the due date.

A declined card leaves the statement unpaid like any other. The natural key
`autopay:<statement>` makes a repeated day run charge once, and a decline is
recorded once per statement and day.

Set-based (issue 6): a raw guard returns at once on the days nothing is due; on a
due date the statements, what is already charged, the balances and the default
cards are read a chunk at a time, and only the card charge and its payment are per
account (each its own transaction, so the payment's subscribers run as usual).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from lastmile.accounts.models import Account, PaymentCard
from lastmile.core import bulk, timeline
from lastmile.core.actors import automation
from lastmile.core.dayrun import daily_job
from lastmile.core.models import TimelineEntry
from lastmile.core.money import ZERO

from .choices import PaymentMethod
from .models import LedgerEntry, Statement
from .processors.models import AttemptPurpose
from .processors.services import card_payment_take

CHUNK = 2000


def _anything_due(as_of: dt.date) -> bool:
    return bulk.exists(
        f"SELECT 1 FROM {bulk.table(Statement)} WHERE due_on = %s LIMIT 1",
        [bulk.db_date(as_of, Statement)],
    )


@daily_job("autopay", order=20, due=lambda as_of: _anything_due(as_of))
def autopay_run(*, as_of: dt.date, account_ids=None) -> int:
    if not _anything_due(as_of):
        return 0
    statements = Statement.objects.filter(due_on=as_of, account__autopay=True)
    if account_ids is not None:
        statements = statements.filter(account_id__in=account_ids)
    pairs = list(statements.order_by("id").values_list("id", "account_id"))
    charged = 0
    for i in range(0, len(pairs), CHUNK):
        charged += _charge_chunk(as_of, pairs[i:i + CHUNK])
    return charged


def _charge_chunk(as_of: dt.date, pairs: list[tuple[int, int]]) -> int:
    keys = {f"autopay:{stmt_id}": (stmt_id, account_id) for stmt_id, account_id in pairs}
    done = set(LedgerEntry.objects.filter(key__in=list(keys)).values_list("key", flat=True))
    todo = [(key, ids) for key, ids in keys.items() if key not in done]
    if not todo:
        return 0
    account_ids = list({account_id for _key, (_stmt, account_id) in todo})
    owed = dict(
        LedgerEntry.objects.filter(account_id__in=account_ids).values("account_id")
        .annotate(s=Sum("amount")).values_list("account_id", "s")
    )
    cards = {}  # BIL-6: the newest card is the default (as accounts.selectors.default_card)
    for card in PaymentCard.objects.filter(account_id__in=account_ids).order_by("added_at", "id"):
        cards[card.account_id] = card
    declined = set(
        TimelineEntry.objects.filter(
            account_id__in=account_ids, type="payment.declined", date=as_of,
        ).values_list("account_id", flat=True)
    )
    accounts = Account.objects.in_bulk(account_ids)
    charged = 0
    for key, (_stmt_id, account_id) in todo:
        amount = owed.get(account_id) or ZERO
        if amount <= ZERO or account_id in declined:
            continue
        charged += _charge(accounts[account_id], key, amount, cards.get(account_id))
    return charged


def _charge(account: Account, key: str, owed, card) -> int:
    """One card charge through the configured processor (test by default, or Stripe).

    The attempt's idempotency key is the natural key `autopay:<statement>`, which is
    also the payment's ledger key: a repeated day run, a retried request and the
    processor's webhook all post it once. A timeout posts nothing now; the webhook
    posts it if the charge went through.
    """
    actor = automation("autopay")
    if card is None:
        timeline.record("payment.declined", account=account, actor=actor, amount=owed,
                        method=PaymentMethod.CARD, reason="autopay is on but no card is on file")
        return 0
    _result, entry = card_payment_take(
        account=account, amount=owed, card=card, idempotency_key=key, actor=actor,
        purpose=AttemptPurpose.AUTOPAY, reason="autopay on the due date (BIL-5)",
    )
    return 1 if entry is not None else 0
