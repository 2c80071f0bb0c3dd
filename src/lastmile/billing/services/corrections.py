"""Corrections of the ledger (BIL-7, AUD-1): an adjustment, a void, a payment
reversal, a refund of a credit balance.

Each is a new entry that names its reason; nothing is edited, so the balance stays
the ledger's sum (BIL-4) and the history of a mistake stays readable. Small
corrections are anyone's work at the desk (`correction.post`); above the ISP's
`correction_manager_above` a manager must make them (`correction.approve`), because
a large credit or reversal is where money leaks.
"""
from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from lastmile.core import clock, hooks, ispconfig, timeline
from lastmile.core.actors import Actor
from lastmile.core.errors import InvalidInput, PermissionRefused, RuleRefusal
from lastmile.core.money import ZERO

from ..choices import ChargeKind, EntryType, RefundMethod, ReversalReason
from ..models import LedgerEntry
from ..selectors import balance
from .ledger import _amount, dollars, entry_void, void_refusal


def _reason(reason: str | None, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(f"say why: {what} needs a reason, and the reason stays on the ledger",
                           field="reason")
    return reason


def correction_allowed(*, actor: Actor, amount: Decimal, what: str) -> None:
    """BIL-7: `correction.post` for every correction; above the limit, a manager's.

    The refusal names the amount and the limit, so the agent knows to hand it over.
    """
    actor.require("correction.post", what)
    limit = ispconfig.current().correction_manager_above
    amount = abs(Decimal(amount))
    if amount > limit and not actor.can("correction.approve"):
        raise PermissionRefused(
            f"a correction of {dollars(amount)} is above {dollars(limit)} and needs a manager", field="amount")


def needs_manager(amount: Decimal) -> bool:
    """Whether a correction of `amount` is above the manager limit (for the console's hint)."""
    return abs(Decimal(amount)) > ispconfig.current().correction_manager_above


def _left_of(charge: LedgerEntry) -> Decimal:
    """The charge with the adjustments already posted against it."""
    adjusted = LedgerEntry.objects.filter(corrects=charge).aggregate(s=Sum("amount"))["s"] or ZERO
    return charge.amount + adjusted


# --------------------------------------------------------------------------- adjustment
def adjustment_check(*, account, amount, entry: LedgerEntry | None = None) -> Decimal:
    """The adjustment's amount, parsed, or the sentence that refuses it (no permission
    check: the console asks this before it asks for the confirmation)."""
    amount = _amount(amount)
    if amount == ZERO:
        raise InvalidInput("an adjustment of $0.00 changes nothing: give a positive amount to charge, "
                           "a negative one to credit", field="amount")
    if entry is not None:
        if entry.account_id != account.pk:
            raise InvalidInput("that entry is on another account", field="entry")
        if entry.entry_type != EntryType.CHARGE:
            raise RuleRefusal(f"only a charge is adjusted; this entry is a "
                              f"{entry.get_entry_type_display().lower()}", field="entry")
        if LedgerEntry.objects.filter(voids=entry).exists():
            raise RuleRefusal(f"the {entry.get_kind_display().lower()} of {dollars(entry.amount)} was voided; "
                              f"there is nothing left to adjust", field="entry")
        left = _left_of(entry)
        if amount < 0 and -amount > left:
            raise RuleRefusal(f"a credit of {dollars(-amount)} is more than what is left of the "
                              f"{entry.get_kind_display().lower()} it adjusts ({dollars(left)})", field="amount")
    return amount


@transaction.atomic
def adjustment_post(*, account, amount, reason: str, actor: Actor, entry: LedgerEntry | None = None) -> LedgerEntry:
    """A charge (positive) or a credit (negative) with its reason, optionally against a charge.

    Like every credit it pays the oldest open charges first (BIL-4), so the open
    charges stay the newest ones; `entry` records which charge it corrects, and a
    credit against a charge may not exceed what is left of that charge.
    """
    amount = adjustment_check(account=account, amount=amount, entry=entry)
    reason = _reason(reason, "an adjustment")
    correction_allowed(actor=actor, amount=amount, what="posting an adjustment")
    now = clock.now()
    what = "credit" if amount < 0 else "charge"
    if entry is not None:
        description = f"Adjustment ({what}) of the {entry.get_kind_display().lower()} posted {entry.posted_on}"
    else:
        description = f"Adjustment ({what})"
    created = LedgerEntry.objects.create(
        account=account, entry_type=EntryType.CHARGE if amount > 0 else EntryType.CREDIT,
        kind=ChargeKind.ADJUSTMENT, amount=amount, posted_on=now.date(), posted_at=now, corrects=entry,
        description=description[:300], actor=str(actor), reason=reason,
    )
    timeline.record("charge.posted", account=account, actor=actor, why=reason, kind=ChargeKind.ADJUSTMENT,
                    amount=amount, correction="adjustment", entry=entry.pk if entry is not None else None)
    if amount < 0:
        hooks.publish(hooks.BALANCE_REDUCED, account=account, actor=actor)
    return created


# --------------------------------------------------------------------------- void
@transaction.atomic
def charge_void(*, entry: LedgerEntry, reason: str, actor: Actor) -> LedgerEntry:
    """A person voids a charge or a credit posted by mistake (BIL-7): the whole of it."""
    refusal = void_refusal(entry)
    if refusal is not None:
        raise refusal
    if entry.entry_type == EntryType.CHARGE and LedgerEntry.objects.filter(corrects=entry).exists():
        raise RuleRefusal(f"the {entry.get_kind_display().lower()} has adjustments already; adjust what is left of "
                          f"it ({dollars(_left_of(entry))}) instead of voiding it", field="entry")
    reason = _reason(reason, "a void")
    correction_allowed(actor=actor, amount=entry.amount, what="voiding a charge")
    return entry_void(entry=entry, actor=actor, reason=reason)


# --------------------------------------------------------------------------- reversal
def reversal_of(payment: LedgerEntry) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(voids=payment, entry_type=EntryType.REVERSAL).first()


def _already_reversed(payment: LedgerEntry, reversal: LedgerEntry) -> RuleRefusal:
    return RuleRefusal(
        f"the payment of {dollars(-payment.amount)} on {payment.posted_on} was already reversed on "
        f"{reversal.posted_on} ({reversal.get_reason_code_display() or 'reversed'}); a payment is reversed once",
        field="payment")


def reversal_refusal(payment: LedgerEntry) -> RuleRefusal | None:
    """Why `payment` cannot be reversed, as the sentence the person reads; None if it can."""
    if payment.entry_type != EntryType.PAYMENT:
        return RuleRefusal(f"only a payment can be reversed; this entry is a "
                           f"{payment.get_entry_type_display().lower()}", field="payment")
    done = LedgerEntry.objects.filter(voids=payment).first()
    if done is not None:
        return _already_reversed(payment, done)
    return None


@transaction.atomic
def payment_reverse(*, payment: LedgerEntry, reason_code: str, note: str = "", actor: Actor) -> LedgerEntry:
    """A payment came back (returned check, NSF, chargeback): it is as if it never paid.

    The reversal points at the payment through `voids` (one-to-one: a payment is
    reversed once), and the ledger's readers drop the pair, so what the payment had
    paid is open again, oldest first (BIL-4). The balance rises by the payment; a
    statement left unpaid past its due date is seen by the next day run's case
    opening like any other unpaid amount (DLQ).
    """
    refusal = reversal_refusal(payment)
    if refusal is not None:
        raise refusal
    if reason_code not in ReversalReason.values:
        raise InvalidInput("choose why the payment came back: returned check, NSF or chargeback", field="reason_code")
    amount = -payment.amount
    correction_allowed(actor=actor, amount=amount, what="reversing a payment")
    label = ReversalReason(reason_code).label
    note = (note or "").strip()
    reason = f"{label}: {note}" if note else label
    now = clock.now()
    method = payment.get_method_display().lower() if payment.method else "payment"
    try:
        with transaction.atomic():
            reversal = LedgerEntry.objects.create(
                account_id=payment.account_id, entry_type=EntryType.REVERSAL, kind=ChargeKind.REVERSAL,
                amount=amount, posted_on=now.date(), posted_at=now, voids=payment, method=payment.method,
                reference=payment.reference, reason_code=reason_code, actor=str(actor), reason=reason,
                description=f"Reversal of the {method} payment of {payment.posted_on}: {label}"[:300],
            )
    except IntegrityError:  # reversed a moment ago by someone else
        raise _already_reversed(payment, LedgerEntry.objects.get(voids=payment)) from None
    timeline.record("payment.reversed", account=payment.account, actor=actor, why=reason, amount=amount,
                    method=payment.method, reason_code=reason_code, payment=payment.pk, paid_on=payment.posted_on)
    return reversal


# --------------------------------------------------------------------------- refund
def refund_refusal(*, balance: Decimal, amount: Decimal) -> RuleRefusal | None:
    """A refund pays back only what the customer is owed: at most the credit balance."""
    if balance >= ZERO:
        return RuleRefusal(f"there is no credit balance to refund: the balance is {dollars(balance)}",
                           field="amount")
    if amount > -balance:
        return RuleRefusal(f"a refund of {dollars(amount)} is more than the credit balance ({dollars(-balance)}); "
                           f"refund at most {dollars(-balance)}", field="amount")
    return None


def refund_check(*, account, amount, method: str) -> Decimal:
    """The refund's amount, parsed, or the sentence that refuses it (no permission check)."""
    amount = _amount(amount)
    if amount <= ZERO:
        raise InvalidInput("a refund must be more than $0.00", field="amount")
    if method not in RefundMethod.values:
        raise InvalidInput("refund by check or back to the card (method check or card)", field="method")
    refusal = refund_refusal(balance=balance(account=account), amount=amount)
    if refusal is not None:
        raise refusal
    return amount


@transaction.atomic
def credit_refund(*, account, amount, method: str, reason: str, actor: Actor) -> LedgerEntry:
    """Pay back (part of) a credit balance: only what the customer is owed, never more."""
    reason_given = reason
    # one refund at a time per account: two clerks must not both pay out the same credit
    type(account).objects.select_for_update().filter(pk=account.pk).first()
    amount = refund_check(account=account, amount=amount, method=method)
    reason = _reason(reason_given, "a refund")
    correction_allowed(actor=actor, amount=amount, what="refunding a credit balance")
    now = clock.now()
    refund = LedgerEntry.objects.create(
        account=account, entry_type=EntryType.REFUND, kind=ChargeKind.REFUND, amount=amount,
        posted_on=now.date(), posted_at=now, method=method, actor=str(actor), reason=reason,
        description=f"Refund of the credit balance: {RefundMethod(method).label.lower()}"[:300],
    )
    timeline.record("credit.refunded", account=account, actor=actor, why=reason, amount=amount, method=method)
    return refund
