"""Reads of the ledger: the balance is always the ledger's sum (BIL-4)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Max, Q, Sum

from lastmile.core.bulk import Ids
from lastmile.core.errors import NotFound
from lastmile.core.money import ZERO

from .allocation import open_amounts
from .models import LedgerEntry, Statement


def balance(*, account) -> Decimal:
    total = LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
    return (total or ZERO).quantize(Decimal("0.01"))


def balances(*, account_ids) -> dict[int, Decimal]:
    rows = (
        LedgerEntry.objects.filter(account_id__among=Ids(account_ids))
        .values("account_id").annotate(s=Sum("amount"), last=Max("id"))
    )
    return {r["account_id"]: r["s"] for r in rows}


def latest_due_statement(*, account, as_of: dt.date) -> Statement | None:
    return (
        Statement.objects.filter(account=account, due_on__lte=as_of).order_by("-period_start").first()
    )


def owed_on_due_statements(*, account, as_of: dt.date) -> Decimal:
    """What is still unpaid of charges carried on statements already due (BIL-4 FIFO).

    Credits and payments, whenever posted, pay the oldest charges first; so what is
    owed of the due statements is their charges less every credit, never below zero.
    A voided entry and its void both drop out: voiding a fee charged after the
    statement must not pay the statement.
    """
    stmt = latest_due_statement(account=account, as_of=as_of)
    if stmt is None:
        return ZERO
    live = LedgerEntry.objects.filter(account=account, voids__isnull=True, voided_by__isnull=True)
    agg = live.aggregate(
        debit=Sum("amount", filter=Q(amount__gt=0, id__lte=stmt.through_entry_id)),
        credit=Sum("amount", filter=Q(amount__lt=0)),
    )
    owed = (agg["debit"] or ZERO) + (agg["credit"] or ZERO)
    return max(owed, ZERO)


def statements(*, account):
    return Statement.objects.filter(account=account).order_by("period_start")


def last_statement(*, account) -> Statement | None:
    return Statement.objects.filter(account=account).order_by("-period_start").first()


def statement_lines(*, statement: Statement):
    return LedgerEntry.objects.filter(
        account_id=statement.account_id, id__gt=statement.previous_entry_id,
        id__lte=statement.through_entry_id,
    ).order_by("id")


def _live(entries):
    """Drop each voided entry with its void, and each reversed payment with its reversal.

    A pair sums to zero, so the balance is unchanged; but a reversed payment must not
    pay anything (BIL-7: what it paid is open again) and a voided fee must not be
    paid by its own void.
    """
    gone = {e.voids_id for e in entries if e.voids_id is not None}
    return [e for e in entries if e.voids_id is None and e.id not in gone]


def open_charges(*, account):
    """Each charge with what is still open of it, oldest first (BIL-4)."""
    entries = _live(list(LedgerEntry.objects.filter(account=account).order_by("id")))
    by_id = {e.id: e for e in entries}
    items, unused = open_amounts((e.id, e.amount) for e in entries)
    return [(by_id[k], amount) for k, amount in items], unused


def ledger_rows(*, account) -> list[dict]:
    """The account's ledger as the corrections page shows it (BIL-7), oldest first.

    Each row: the entry, the running balance after it, what undid it (a void or a
    reversal), the charge an adjustment corrects, what is still open of a charge, and
    which corrections fit it. The last row's running balance is `balance`.
    """
    entries = list(LedgerEntry.objects.filter(account=account).order_by("id"))
    undone = {e.voids_id: e for e in entries if e.voids_id is not None}
    adjusted: dict[int, Decimal] = {}
    for e in entries:
        if e.corrects_id is not None:
            adjusted[e.corrects_id] = adjusted.get(e.corrects_id, ZERO) + e.amount
    opened, _unused = open_charges(account=account)
    open_of = {e.id: amount for e, amount in opened}
    rows, running = [], ZERO
    for e in entries:
        running += e.amount
        by = undone.get(e.id)
        charge_like = e.entry_type in ("charge", "credit")
        rows.append({
            "entry": e, "running": running, "undone_by": by,
            "open": open_of.get(e.id),
            "adjusted": adjusted.get(e.id, ZERO),
            "can_void": charge_like and by is None and e.id not in adjusted,
            "can_adjust": e.entry_type == "charge" and by is None,
            "can_reverse": e.entry_type == "payment" and by is None,
        })
    return rows


def ledger_entry(*, entry_id: int, account=None) -> LedgerEntry:
    qs = LedgerEntry.objects.select_related("account")
    if account is not None:
        qs = qs.filter(account=account)
    entry = qs.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(f"there is no ledger entry #{entry_id}" + (f" on account {account.number}" if account else ""),
                       field="entry")
    return entry


def entries(*, account, kind: str | None = None):
    qs = LedgerEntry.objects.filter(account=account)
    return qs.filter(kind=kind) if kind else qs


def statement_get(*, account, statement_id: int) -> Statement:
    statement = Statement.objects.filter(account=account, pk=statement_id).first()
    if statement is None:
        raise NotFound(f"account {account.number} has no statement #{statement_id}", field="statement")
    return statement


def _replay(account_id: int):
    """BIL-4 FIFO over the live ledger (a voided entry and its void, a reversed payment
    and its reversal drop out: what the payment paid is open again, BIL-7)."""
    from .statement_state import fifo

    live = _live(list(LedgerEntry.objects.filter(account_id=account_id).order_by("id")))
    applied, opened = fifo((e.id, e.amount, e.posted_on) for e in live)
    return {e.id: e for e in live}, applied, opened


def _state_of(statement: Statement, applied, opened, today: dt.date) -> dict:
    from .statement_state import LABELS, paid_against, statement_state

    paid = paid_against(applied=applied, opened=opened, amount_due=statement.amount_due,
                        through_entry_id=statement.through_entry_id)
    code = statement_state(amount_due=statement.amount_due, paid=paid.paid, due_on=statement.due_on, today=today)
    return {"state": code, "label": LABELS[code], "paid": paid.paid, "left": paid.left, "applied": paid.applied}


def statement_states(*, statements, today: dt.date) -> dict[int, dict]:
    """Each statement's state (open, paid, partly paid, past due) with what was paid
    of it and what is left, from one read of each account's ledger."""
    out, replays = {}, {}
    for s in statements:
        if s.account_id not in replays:
            replays[s.account_id] = _replay(s.account_id)
        _, applied, opened = replays[s.account_id]
        out[s.pk] = _state_of(s, applied, opened, today)
    return out


def statement_detail(*, statement: Statement, today: dt.date) -> dict:
    """One statement as the console shows it: its lines, its state, and every payment
    or credit that paid it with the day it was posted and how much of it went there."""
    by_id, applied, opened = _replay(statement.account_id)
    state = _state_of(statement, applied, opened, today)
    payments = []
    for credit_id, amount, on in state["applied"]:
        entry = by_id[credit_id]
        payments.append({"entry": entry, "on": on, "amount": amount, "whole": -entry.amount})
    lines = list(statement_lines(statement=statement))
    earlier = LedgerEntry.objects.filter(account_id=statement.account_id,
                                         id__lte=statement.previous_entry_id).aggregate(s=Sum("amount"))["s"]
    return {
        "statement": statement, "lines": lines, "earlier_balance": (earlier or ZERO).quantize(ZERO),
        "charges": sum((e.amount for e in lines if e.amount > 0), ZERO),
        "credits": sum((e.amount for e in lines if e.amount < 0), ZERO),
        "payments": payments, **{k: state[k] for k in ("state", "label", "paid", "left")},
    }
