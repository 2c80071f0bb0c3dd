"""Every write to the ledger (BIL-1..BIL-5, BIL-7). Nothing here edits an entry."""
from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from lastmile.core import bulk, clock, hooks, ispconfig, timeline
from lastmile.core.actors import Actor
from lastmile.core.errors import InvalidInput, RuleRefusal
from lastmile.core.money import ZERO, MoneyError, money

from ..choices import ChargeKind, EntryType, PaymentMethod
from ..models import LedgerEntry

# the ledger's own kinds are posted by their own services, never as a charge
_CHARGE_KINDS = {k for k in ChargeKind.values
                 if k not in (ChargeKind.PAYMENT, ChargeKind.REVERSAL, ChargeKind.REFUND)}

# LedgerEntry.amount is DecimalField(max_digits=12, decimal_places=2)
LARGEST = Decimal("9999999999.99")


def dollars(amount: Decimal) -> str:
    """Money as a person reads it in a sentence: $1,234.50, -$65.00."""
    amount = Decimal(amount)
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def _fits(amount: Decimal, field: str) -> Decimal:
    """An amount the ledger cannot store is refused with a sentence, not a database error."""
    if abs(amount) > LARGEST:
        raise InvalidInput(f"{dollars(amount)} is more than the ledger can hold (at most {dollars(LARGEST)}); "
                           f"check the amount", field=field)
    return amount


def _amount(value, field: str = "amount", *, fit: bool = True) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput("give the amount, e.g. 65.00", field=field)
    try:
        amount = money(value)
    except MoneyError as exc:
        raise InvalidInput(str(exc), field=field) from None
    return _fits(amount, field) if fit else amount




_ENTRY_FIELDS = ("entry_type", "kind", "amount", "posted_on", "posted_at", "method", "key",
                 "description", "reference", "actor", "reason")


def _insert(entry: LedgerEntry, *, unless_exists: str = "") -> LedgerEntry | None:
    """Save a new entry with one cached INSERT ... RETURNING (issue 6: payments are the
    hot path; `Model.save` compiles its SQL on every call). Same row, same constraints.
    With `unless_exists="key"`, None when an entry with that key is there already."""
    values = {"account": entry.account_id, "voids": entry.voids_id}
    for name in _ENTRY_FIELDS:
        values[name] = getattr(entry, name)
    values["posted_on"] = bulk.db_date(entry.posted_on, LedgerEntry)
    values["posted_at"] = bulk.db_datetime(entry.posted_at, LedgerEntry)
    pk = bulk.insert_one(LedgerEntry, values, unless_exists=unless_exists)
    return None if pk is None else bulk.loaded(entry, pk)


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


def void_refusal(entry: LedgerEntry) -> RuleRefusal | None:
    """Why `entry` cannot be voided, as the sentence the person reads; None if it can.

    Only charges and credits are voided. A payment that came back is reversed
    (BIL-7: the reversal reopens what it paid); a void, a reversal or a refund is
    itself a correction and stands.
    """
    if entry.entry_type == EntryType.PAYMENT:
        return RuleRefusal(
            f"a payment is not voided: the payment of {dollars(-entry.amount)} on {entry.posted_on} can be "
            f"reversed instead (returned check, NSF or chargeback)", field="entry")
    if entry.entry_type not in (EntryType.CHARGE, EntryType.CREDIT):
        return RuleRefusal(f"a {entry.get_entry_type_display().lower()} is a correction already and cannot be "
                           f"voided", field="entry")
    done = LedgerEntry.objects.filter(voids=entry).first()
    if done is not None:
        return RuleRefusal(
            f"the {entry.get_kind_display().lower()} of {dollars(entry.amount)} posted {entry.posted_on} was "
            f"already voided on {done.posted_on}", field="entry")
    return None


@transaction.atomic
def entry_void(*, entry: LedgerEntry, actor: Actor | str, reason: str) -> LedgerEntry:
    """Void a charge (PKG-5 trial charges, DLQ-5/6 fees): a new entry that cancels it.

    The procedures that call this have checked their own capability (fee.waive,
    plan.change, ticket.work); a person's void of any charge goes through
    `charge_void`, which checks `correction.post` and the manager limit (BIL-7).
    """
    if not (reason or "").strip():
        raise InvalidInput("say why the entry is voided (the reason is kept on the ledger)", field="reason")
    refusal = void_refusal(entry)
    if refusal is not None:
        raise refusal
    now = clock.now()
    try:
        with transaction.atomic():
            void = LedgerEntry.objects.create(
                account_id=entry.account_id, entry_type=EntryType.VOID, kind=entry.kind, amount=-entry.amount,
                posted_on=now.date(), posted_at=now, voids=entry,
                description=f"Void of the {entry.get_kind_display().lower()} posted {entry.posted_on}"[:300], actor=str(actor),
                reason=reason,
            )
    except IntegrityError:  # someone voided it a moment ago (voids is one-to-one)
        raise void_refusal(entry) or RuleRefusal("this entry was just voided by someone else",
                                                 field="entry") from None
    timeline.record(
        "charge.voided", account=entry.account, actor=actor, why=reason,
        kind=entry.kind, amount=entry.amount,
    )
    if entry.amount > 0:
        hooks.publish(hooks.BALANCE_REDUCED, account=entry.account, actor=actor)
    return void


def _owed(account_id: int) -> Decimal:
    """The balance in one raw SUM: payments are the hot path (issue 6), and compiling
    the ORM aggregate cost more than the payment's own INSERT. Same sum as
    `selectors.balance`, rounded to the cent (SQLite hands back a float)."""
    conn = bulk._connection(LedgerEntry)
    qn = conn.ops.quote_name
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT SUM({qn('amount')}) FROM {qn(LedgerEntry._meta.db_table)} "
                       f"WHERE {qn('account_id')} = %s", [account_id])
        (total,) = cursor.fetchone()
    return ZERO if total is None else Decimal(str(total)).quantize(Decimal("0.01"))


def _account_lock(account_id: int) -> None:
    """Issue 15: payments to one account at the same moment take turns, so each sees
    the others' entries (the ceiling, the case a payment closes, the installment it
    meets): no lost update. PostgreSQL row lock `FOR NO KEY UPDATE` (the bill run's
    foreign-key checks are not blocked by it); SQLite's write transactions are
    already one at a time (`transaction_mode` IMMEDIATE)."""
    conn = bulk._connection(LedgerEntry)
    if conn.vendor != "postgresql":
        return
    from lastmile.accounts.models import Account

    with conn.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {bulk.table(Account)} WHERE id = %s FOR NO KEY UPDATE", [account_id])


def _ceiling(account, amount: Decimal) -> None:
    """BIL-7: a payment far above what is owed is almost always a typing error."""
    margin = ispconfig.current().payment_ceiling_margin
    owed = _owed(account.pk)
    if amount > owed + margin:
        raise InvalidInput(
            f"{dollars(amount)} is more than the balance ({dollars(owed)}) plus {dollars(margin)}: "
            f"probably a typing error; check the amount", field="amount")


@transaction.atomic
def payment_post(
    *, account, amount, method: str, actor: Actor | str, reference: str = "",
    key: str | None = None, reason: str = "",
) -> LedgerEntry | None:
    """Take a payment (BIL-4: it pays the oldest charges first, by derivation).

    BIL-7: more than the balance plus `payment_ceiling_margin` is refused as a likely
    typing error (autopay and the bill run pay what is owed, so never reach it).

    Subscribers react in the same transaction: a delinquency case closes, an
    arrangement installment is met, service is reinstated (DLQ-7).
    """
    if isinstance(actor, Actor):
        actor.require("payment.post", "taking a payment")
    amount = _amount(amount, fit=False)
    if amount <= ZERO:
        raise InvalidInput("a payment must be more than 0.00", field="amount")
    _account_lock(account.pk)
    _ceiling(account, amount)
    _fits(amount, "amount")
    if method not in PaymentMethod.values:
        raise InvalidInput(
            f"method must be one of {', '.join(PaymentMethod.values)}", field="method"
        )
    now = clock.now()
    # issue 15: with a key, a payment another process posted a moment ago (the
    # webhook, a second run) is skipped by the INSERT itself (ON CONFLICT DO NOTHING),
    # with no savepoint to roll back to
    entry = _insert(LedgerEntry(
        account=account, entry_type=EntryType.PAYMENT, kind=ChargeKind.PAYMENT, amount=-amount,
        posted_on=now.date(), posted_at=now, method=method, key=key, reference=reference[:100],
        actor=str(actor), reason=reason,
    ), unless_exists="key" if key else "")
    if entry is None:
        return None
    timeline.record("payment.posted", account=account, actor=actor, why=reason, amount=amount, method=method)
    # a payment's balance reduction is in PAYMENT_POSTED (core.hooks)
    hooks.publish(hooks.PAYMENT_POSTED, account=account, entry=entry, actor=actor)
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
