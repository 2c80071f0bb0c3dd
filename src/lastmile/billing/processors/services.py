"""Card payments through the processor adapter (BIL-5 autopay, POR-1 portal), and
the processor's webhook (posting a payment once, by its PaymentIntent id)."""
from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from lastmile.accounts.models import Account
from lastmile.core import bulk, clock, timeline
from lastmile.core.actors import Actor, automation
from lastmile.core.errors import InvalidInput, LastmileError

from . import processor, processor_name
from .base import ChargeResult
from .models import AttemptPurpose, AttemptStatus, ProcessorPayment

CARD = "card"


def card_payment_take(*, account: Account, amount: Decimal, card, idempotency_key: str, actor: Actor | str,
                      purpose: str = AttemptPurpose.PORTAL, reason: str = "") -> tuple[ChargeResult, object]:
    """Charge the card and, when the processor approves, post the payment (BIL-4).

    The processor is asked outside any database transaction (a slow answer must not
    hold a lock); the posting and the attempt's record are one transaction. The
    ledger key is the attempt's idempotency key, the same one the webhook uses, so
    whichever comes first posts and the other posts nothing.
    """
    from lastmile.core import locks

    if card is None:
        raise InvalidInput("add a card first", field="card")
    with locks.held(f"charge:{idempotency_key}", wait=False) as mine:
        if not mine:  # issue 15: another process is asking the processor with this key right now
            return ChargeResult(False, "", "this charge is being made right now", pending=True), None
        return _charge_claimed(account=account, amount=amount, card=card, idempotency_key=idempotency_key,
                               actor=actor, purpose=purpose, reason=reason)


def _attempt_claim(*, account, amount: Decimal, card, idempotency_key: str, purpose: str):
    """Issue 15: the attempt row is written, under its unique key, BEFORE the processor
    is asked, so whatever runs at the same time or after a crash finds it: a paid or
    declined attempt is not made again; one left waiting (a crash between the answer
    and the posting, or a processor timeout) is asked again with the same idempotency
    key, which the processor answers with its first outcome instead of charging twice."""
    now = clock.now()
    values = dict(account=account.pk, processor=processor_name(), intent_id=None, ledger_key=idempotency_key,
                  purpose=purpose, amount=amount, last4=card.last4, status=AttemptStatus.PENDING,
                  message="asking the processor", created_at=bulk.db_datetime(now, ProcessorPayment),
                  updated_at=bulk.db_datetime(now, ProcessorPayment), idempotency_key=idempotency_key)
    # one cached INSERT ... ON CONFLICT DO NOTHING: autopay claims tens of thousands a day
    pk = bulk.insert_one(ProcessorPayment, values, unless_exists="idempotency_key")
    if pk is None:  # claimed before: a rerun, or another process a moment ago
        return ProcessorPayment.objects.get(idempotency_key=idempotency_key)
    values.update(account=account, created_at=now, updated_at=now)
    return bulk.loaded(ProcessorPayment(**values), pk)


def _attempt_settle(claim: ProcessorPayment, *, result: ChargeResult, entry) -> None:
    """The claimed attempt's outcome in one UPDATE: succeeded once posted, waiting
    while the processor has not said (or approved a payment posted elsewhere), else
    declined; an attempt the webhook already tied to its entry is left alone."""
    status = (AttemptStatus.SUCCEEDED if result.approved and entry is not None
              else AttemptStatus.PENDING if result.pending or result.approved else AttemptStatus.DECLINED)
    bulk.update_one(ProcessorPayment, claim.pk, {
        "status": str(status), "message": result.message[:300],
        "updated_at": bulk.db_datetime(clock.now(), ProcessorPayment),
        "intent_id": claim.intent_id or result.reference or None, "entry": entry.pk if entry is not None else None,
    }, where_null=("entry",))


def _charge_claimed(*, account, amount, card, idempotency_key, actor, purpose, reason):
    from lastmile.billing.services import payment_post

    claim = _attempt_claim(account=account, amount=amount, card=card, idempotency_key=idempotency_key,
                           purpose=purpose)
    if claim.entry_id is not None or claim.status == AttemptStatus.SUCCEEDED:
        return ChargeResult(True, claim.intent_id or "", "already paid"), None
    if claim.status in (AttemptStatus.DECLINED, AttemptStatus.REFUSED):
        return ChargeResult(False, claim.intent_id or "", claim.message), None
    result = processor().charge(
        token=card.token, amount=amount, idempotency_key=idempotency_key,
        description=f"lastmile account {account.number}",
        metadata={"account": account.number, "attempt": idempotency_key, "purpose": purpose},
        off_session=purpose == AttemptPurpose.AUTOPAY,
    )
    with transaction.atomic():
        entry = None
        if result.approved:
            entry = payment_post(account=account, amount=amount, method=CARD, actor=actor,
                                 reference=result.reference, key=idempotency_key, reason=reason)
        elif not result.pending:
            timeline.record("payment.declined", account=account, actor=actor, amount=amount,
                            method=CARD, last4=card.last4, reason=result.message)
        _attempt_settle(claim, result=result, entry=entry)
    return result, entry


# --- the webhook ------------------------------------------------------------------------
def webhook_event_handle(*, event: dict) -> str:
    """One verified event; returns what was done, as a word for the log and the tests."""
    kind = event.get("type", "")
    intent = (event.get("data") or {}).get("object") or {}
    if kind == "payment_intent.succeeded":
        return intent_succeeded(intent=intent)
    if kind == "payment_intent.payment_failed":
        return intent_failed(intent=intent)
    return "ignored"


def _find(intent: dict) -> ProcessorPayment | None:
    rows = ProcessorPayment.objects.select_for_update()
    row = rows.filter(intent_id=intent.get("id")).first()
    if row is None:
        attempt = (intent.get("metadata") or {}).get("attempt")
        if attempt:
            row = rows.filter(idempotency_key=attempt).first()
    return row


def intent_succeeded(*, intent: dict) -> str:
    """Post the payment of a succeeded PaymentIntent, exactly once.

    A replay finds the attempt already posted and does nothing; a first delivery for
    an intent lastmile never saw answered (a timeout) claims it by the unique
    intent id before posting, so two deliveries racing post once.
    """
    from lastmile.billing.services import payment_post

    intent_id = intent.get("id") or ""
    meta = intent.get("metadata") or {}
    amount = (Decimal(int(intent.get("amount_received") or intent.get("amount") or 0)) / 100).quantize(
        Decimal("0.01"))
    actor = automation(f"{processor_name()} webhook")
    try:
        with transaction.atomic():
            row = _find(intent)
            if row is not None and row.entry_id is not None:
                return "already posted"
            if row is None:
                account = Account.objects.filter(number=meta.get("account", "")).first()
                if account is None:
                    return "unknown account"
                now = clock.now()
                key = meta.get("attempt") or f"{processor_name()}:{intent_id}"
                row = ProcessorPayment.objects.create(
                    account=account, processor=processor_name(), intent_id=intent_id, idempotency_key=key,
                    ledger_key=key, purpose=meta.get("purpose") or AttemptPurpose.PORTAL, amount=amount,
                    status=AttemptStatus.PENDING, created_at=now, updated_at=now,
                )
            try:
                with transaction.atomic():
                    entry = payment_post(account=row.account, amount=amount, method=CARD, actor=actor,
                                         reference=intent_id, key=row.ledger_key,
                                         reason="card payment confirmed by the processor")
            except LastmileError as exc:
                row.status, row.message = AttemptStatus.REFUSED, exc.message[:300]
                row.intent_id, row.updated_at = intent_id, clock.now()
                row.save(update_fields=["status", "message", "intent_id", "updated_at"])
                return "refused"
            row.intent_id, row.status, row.entry, row.updated_at = intent_id, AttemptStatus.SUCCEEDED, entry, clock.now()
            row.save(update_fields=["intent_id", "status", "entry", "updated_at"])
            return "posted" if entry is not None else "already posted"
    except IntegrityError:  # another delivery claimed the same intent a moment ago
        return "already posted"


@transaction.atomic
def intent_failed(*, intent: dict) -> str:
    """A pending attempt that failed after all: record the decline (BIL-5: unpaid as any)."""
    row = _find(intent)
    if row is None or row.status != AttemptStatus.PENDING:
        return "ignored"
    error = intent.get("last_payment_error") or {}
    message = f"the card was declined: {(error.get('message') or 'declined').rstrip('.')}"
    row.status, row.message, row.intent_id, row.updated_at = (
        AttemptStatus.DECLINED, message[:300], intent.get("id") or row.intent_id, clock.now())
    row.save(update_fields=["status", "message", "intent_id", "updated_at"])
    timeline.record("payment.declined", account=row.account, actor=automation(f"{processor_name()} webhook"),
                    amount=row.amount, method=CARD, last4=row.last4, reason=message)
    return "declined"
