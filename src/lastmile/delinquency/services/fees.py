"""Fees of a delinquency case (DLQ-5): the reactivation fee and its waiver."""
from __future__ import annotations

from django.db import transaction

from lastmile.billing.choices import ChargeKind, EntryType
from lastmile.billing.models import LedgerEntry
from lastmile.billing.services import charge_post, entry_void
from lastmile.core import ispconfig, timeline
from lastmile.core.actors import Actor
from lastmile.core.errors import InvalidInput, PermissionRefused, RuleRefusal
from lastmile.core.money import ZERO

from ..models import (
    Case,
)


def _charge_fee(case: Case, actor) -> None:
    """DLQ-5: the reactivation fee, once per case."""
    fee = ispconfig.current().reactivation_fee
    if fee > ZERO:
        charge_post(account=case.account, kind=ChargeKind.REACTIVATION_FEE, amount=fee, actor=actor,
                    key=f"reactivation:{case.pk}", description="reactivation fee (shut off for non-payment)",
                    reason="DLQ-5: service shut off for non-payment")


@transaction.atomic
def fee_waive(*, account, actor: Actor, kind: str = ChargeKind.REACTIVATION_FEE) -> LedgerEntry:
    """DLQ-5: a reactivation fee may be waived when the customer has autopay or it is
    the account's first reactivation fee (an earlier one counts even if waived);
    otherwise only a manager's override waives it, and the override is recorded."""
    actor.require("fee.waive", "waiving a fee")
    if kind != ChargeKind.REACTIVATION_FEE:
        raise InvalidInput("only the reactivation fee can be waived (kind reactivation_fee)", field="kind")
    account.refresh_from_db(fields=["autopay"])
    fee, basis, override = fee_waiver(account=account, actor=actor, kind=kind)
    timeline.record("fee.waived", account=account, actor=actor, why=f"DLQ-5: {basis}", kind=kind,
                    amount=fee.amount, basis=basis, override=override)
    from lastmile.accounts.services import note_add

    note_add(account=account, actor=actor, body=f"Reactivation fee of {fee.amount} waived ({basis}).")
    return entry_void(entry=fee, actor=actor, reason=f"DLQ-5: reactivation fee waived ({basis})")


def fee_waiver(*, account, actor: Actor, kind: str = ChargeKind.REACTIVATION_FEE) -> tuple[LedgerEntry, str, bool]:
    """DLQ-5: the fee a waiver would void, on which basis, and whether it is a manager's
    override; or the refusal (the service and the console's offers both ask this)."""
    fees = LedgerEntry.objects.filter(account=account, kind=kind, entry_type=EntryType.CHARGE)
    fee = fees.filter(voided_by__isnull=True).order_by("-id").first()
    if fee is None:
        raise RuleRefusal("this account has no reactivation fee to waive", field="kind")
    first = not fees.filter(id__lt=fee.id).exists()
    override = False
    if account.autopay:
        basis = "autopay"
    elif first:
        basis = "first reactivation fee"
    elif actor.can("fee.override"):
        basis, override = "manager override", True
    else:
        raise PermissionRefused(
            "the reactivation fee can be waived only when the customer sets up autopay or it is their first; "
            "this account was charged one before, so a manager must override the waiver", field="kind")
    return fee, basis, override
