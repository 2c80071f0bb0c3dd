"""Scenario verbs of delinquency (DLQ-2 .. DLQ-6): call_outcome, payment_arrangement,
payment_claim, waive_fee."""
from __future__ import annotations

from lastmile.core.errors import InvalidInput, RuleRefusal
from lastmile.delinquency.services import arrangement_create, fee_waive, payment_claim_record
from lastmile.tickets.services import call_outcome_record, open_call_tasks

from ..registry import BOOL, DATE, INSTALLMENTS, MONEY, TEXT, verb


@verb("call_outcome", outcome=TEXT, all=BOOL)
def call_outcome(ctx, account, actor, outcome=None, all=False):  # noqa: A002 - the scenario's field
    """DLQ-2/DLQ-3: the outcome of the account's oldest open call task, or of every one."""
    if not outcome:
        raise InvalidInput("say how the call went: reached, voicemail or no_answer", field="outcome")
    tasks = list(open_call_tasks(account=account))
    if not tasks:
        raise RuleRefusal("this account has no open call task", field="outcome")
    for task in tasks if all else tasks[:1]:
        call_outcome_record(task=task, outcome=outcome, actor=actor)


@verb("payment_arrangement", installments=INSTALLMENTS)
def payment_arrangement(ctx, account, actor, installments=None):
    """DLQ-4: approved at once for a manager (the default actor); proposed for an agent."""
    arrangement_create(account=account, installments=installments or [], actor=actor)


@verb("payment_claim", amount=MONEY, sent_on=DATE, method=TEXT, reference=TEXT)
def payment_claim(ctx, account, actor, amount=None, sent_on=None, method=None, reference=None):
    """DLQ-6: every field optional (what the customer says was sent)."""
    payment_claim_record(account=account, actor=actor, amount=amount, sent_on=sent_on,
                         method=method or "", reference=str(reference) if reference is not None else "")


@verb("waive_fee", kind=TEXT)
def waive_fee(ctx, account, actor, kind="reactivation_fee"):
    fee_waive(account=account, kind=kind or "reactivation_fee", actor=actor)
