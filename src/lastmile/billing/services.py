"""Every write to the ledger (BIL-1..BIL-5). Nothing here edits an entry."""
from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from lastmile.core import bulk, clock, hooks, timeline
from lastmile.core.actors import Actor
from lastmile.core.errors import InvalidInput, RuleRefusal
from lastmile.core.money import ZERO, MoneyError, money

from .choices import ChargeKind, EntryType, PaymentMethod
from .models import LedgerEntry

_CHARGE_KINDS = {k for k in ChargeKind.values if k != ChargeKind.PAYMENT}


def _amount(value, field: str = "amount") -> Decimal:
    try:
        return money(value)
    except MoneyError as exc:
        raise InvalidInput(str(exc), field=field) from None


_ENTRY_FIELDS = ("entry_type", "kind", "amount", "posted_on", "posted_at", "method", "key",
                 "description", "reference", "actor", "reason")


def _insert(entry: LedgerEntry) -> LedgerEntry:
    """Save a new entry with one cached INSERT ... RETURNING (issue 6: payments are the
    hot path; `Model.save` compiles its SQL on every call). Same row, same constraints."""
    values = {"account": entry.account_id, "voids": entry.voids_id}
    for name in _ENTRY_FIELDS:
        values[name] = getattr(entry, name)
    values["posted_on"] = bulk.db_date(entry.posted_on, LedgerEntry)
    values["posted_at"] = bulk.db_datetime(entry.posted_at, LedgerEntry)
    return bulk.loaded(entry, bulk.insert_one(LedgerEntry, values))


@transaction.atomic
def charge_post(
    *, account, kind: str, amount, actor: Actor | str, description: str = "", reason: str = "",
    key: str | None = None, record: bool = True,
) -> LedgerEntry | None:
    """Post a charge (positive) or a credit (negative) and record `charge.posted`.

    With a natural `key`, posting twice posts once: the second call returns None.
    """
    if kind not in _CHARGE_KINDS:
        raise InvalidInput(f"unknown charge kind {kind!r}", field="kind")
    amount = _amount(amount)
    if amount == ZERO:
        raise InvalidInput("a charge of 0.00 is not a charge", field="amount")
    if key and LedgerEntry.objects.filter(key=key).exists():
        return None
    now = clock.now()
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                account=account, entry_type=EntryType.CHARGE if amount > 0 else EntryType.CREDIT,
                kind=kind, amount=amount, posted_on=now.date(), posted_at=now, key=key,
                description=description[:300], actor=str(actor), reason=reason,
            )
    except IntegrityError:
        if key:  # another worker posted it first
            return None
        raise
    if record:
        timeline.record("charge.posted", account=account, actor=actor, why=reason, kind=kind, amount=amount)
    if amount < 0:
        hooks.publish(hooks.BALANCE_REDUCED, account=account, actor=actor)
    return entry


@transaction.atomic
def entry_void(*, entry: LedgerEntry, actor: Actor | str, reason: str) -> LedgerEntry:
    """Void a charge (PKG-5 trial charges, DLQ-5/6 fees): a new entry that cancels it."""
    if entry.entry_type == EntryType.VOID:
        raise RuleRefusal("a void cannot itself be voided", field="entry")
    if LedgerEntry.objects.filter(voids=entry).exists():
        raise RuleRefusal(f"the {entry.kind} of {entry.amount} was already voided", field="entry")
    now = clock.now()
    void = LedgerEntry.objects.create(
        account_id=entry.account_id, entry_type=EntryType.VOID, kind=entry.kind, amount=-entry.amount,
        posted_on=now.date(), posted_at=now, voids=entry,
        description=f"void of {entry.kind} posted {entry.posted_on}"[:300], actor=str(actor), reason=reason,
    )
    timeline.record(
        "charge.voided", account=entry.account, actor=actor, why=reason,
        kind=entry.kind, amount=entry.amount,
    )
    if entry.amount > 0:
        hooks.publish(hooks.BALANCE_REDUCED, account=entry.account, actor=actor)
    return void


@transaction.atomic
def payment_post(
    *, account, amount, method: str, actor: Actor | str, reference: str = "",
    key: str | None = None, reason: str = "",
) -> LedgerEntry | None:
    """Take a payment (BIL-4: it pays the oldest charges first, by derivation).

    Subscribers react in the same transaction: a delinquency case closes, an
    arrangement installment is met, service is reinstated (DLQ-7).
    """
    if isinstance(actor, Actor):
        actor.require("payment.post", "taking a payment")
    amount = _amount(amount)
    if amount <= ZERO:
        raise InvalidInput("a payment must be more than 0.00", field="amount")
    if method not in PaymentMethod.values:
        raise InvalidInput(
            f"method must be one of {', '.join(PaymentMethod.values)}", field="method"
        )
    if key and LedgerEntry.objects.filter(key=key).exists():
        return None
    now = clock.now()
    entry = _insert(LedgerEntry(
        account=account, entry_type=EntryType.PAYMENT, kind=ChargeKind.PAYMENT, amount=-amount,
        posted_on=now.date(), posted_at=now, method=method, key=key, reference=reference[:100],
        actor=str(actor), reason=reason,
    ))
    timeline.record("payment.posted", account=account, actor=actor, why=reason, amount=amount, method=method)
    hooks.publish(hooks.PAYMENT_POSTED, account=account, entry=entry, actor=actor)
    hooks.publish(hooks.BALANCE_REDUCED, account=account, actor=actor)
    return entry


@transaction.atomic
def opening_balance_post(*, account, amount, actor: Actor | str) -> LedgerEntry:
    """A migrated account's balance forward; the next statement carries it (BIL-1)."""
    amount = _amount(amount, "opening_balance")
    now = clock.now()
    return LedgerEntry.objects.create(
        account=account, entry_type=EntryType.CHARGE if amount > 0 else EntryType.CREDIT,
        kind=ChargeKind.OPENING_BALANCE, amount=amount, posted_on=now.date(), posted_at=now,
        key=f"opening:{account.pk}", description="opening balance (migration)", actor=str(actor),
    )
