"""The `lastmile` layout written back from the database (the import's inverse).

It reads what was actually stored (accounts, addresses, contacts, cards, contracts,
the opening balance, notes, history), not the import's remembered rows, so a round
trip proves nothing was lost on the way in. An account that did not come from an
import is exported under its own number as its source id.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from lastmile.accounts.models import Account, Note
from lastmile.billing.choices import ChargeKind
from lastmile.billing.models import LedgerEntry, Statement
from lastmile.cancellations.models import AccountContractStatus, Contract

from .layouts import FIELDS
from .models import FirstBill, HistoryPayment, HistoryStatement, SourceRecord


def _contract_text(status: str | None, contracts: list[Contract]) -> str:
    if not contracts:
        return status or "unknown"
    parts = []
    paper: dict[str, list] = {}
    for c in contracts:
        if c.kind == "residential" and c.source == "paper":
            paper.setdefault("k", []).append(c)
            continue
        parts.append(_one(c))
    if paper:
        cs = paper["k"]
        words = ["residential", "paper", "signed=" + ",".join(c.start.isoformat() for c in cs)]
        if cs[-1].monthly is not None:
            words.append(f"monthly={cs[-1].monthly:.2f}")
        if cs[-1].etf_override is not None:
            words.append(f"etf_override={cs[-1].etf_override:.2f}")
        parts.append(" ".join(words))
    return " | ".join(parts)


def _one(c: Contract) -> str:
    if c.kind == "utopia_lease":
        return f"utopia_lease start={c.start.isoformat()} months={c.months}"
    if c.kind == "commercial":
        words = ["commercial", f"first_billing={c.start.isoformat()}", f"months={c.months}"]
    else:
        words = ["residential", "digital", f"start={c.start.isoformat()}", f"months={c.months}"]
    if c.monthly is not None:
        words.append(f"monthly={c.monthly:.2f}")
    if c.etf_override is not None:
        words.append(f"etf_override={c.etf_override:.2f}")
    return " ".join(words)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def _csv(kind: str, rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS[kind])
    for row in rows:
        writer.writerow([_text(row.get(f)) for f in FIELDS[kind]])
    return out.getvalue()


def export_lastmile(*, source: str | None = None) -> dict[str, str]:
    """{"accounts": csv, "notes": csv, "statements": csv, "payments": csv} in the
    lastmile layout; with `source`, only the accounts that source brought."""
    records = SourceRecord.objects.filter(kind="account")
    if source:
        records = records.filter(source=source)
    sid_of = dict(records.values_list("account_id", "source_id"))
    accounts = Account.objects.select_related("address", "package").prefetch_related("phones", "emails", "cards")
    if source:
        accounts = accounts.filter(pk__in=list(sid_of))
    accounts = list(accounts.order_by("pk"))
    ids = [a.pk for a in accounts]
    statuses = dict(AccountContractStatus.objects.filter(account_id__in=ids).values_list("account_id", "status"))
    contracts: dict[int, list] = {}
    for c in Contract.objects.filter(account_id__in=ids).order_by("account_id", "start", "id"):
        contracts.setdefault(c.account_id, []).append(c)
    openings = dict(LedgerEntry.objects.filter(account_id__in=ids, kind=ChargeKind.OPENING_BALANCE)
                    .values_list("account_id", "amount"))
    past_due = dict(Statement.objects.filter(account_id__in=ids, recurring=0, previous_entry_id=0,
                                             through_entry_id__in=LedgerEntry.objects.filter(
                                                 account_id__in=ids, kind=ChargeKind.OPENING_BALANCE)
                                             .values("id")).values_list("account_id", "due_on"))
    firsts = {f.account_id: f for f in FirstBill.objects.filter(account_id__in=ids)}
    rows = []
    for a in accounts:
        addr = a.address
        card = a.cards.all()[0] if a.cards.all() else None  # the newest is the default (BIL-6)
        first = firsts.get(a.pk)
        rows.append({
            "source_id": sid_of.get(a.pk, a.number), "number": a.number, "name": a.name, "kind": a.kind,
            "network": a.network, "status": a.status, "bill_cycle_day": a.bill_cycle_day,
            "package": a.package.code, "service_start": a.service_start,
            "phones": [p.number for p in a.phones.all()], "emails": [e.address for e in a.emails.all()],
            "line1": addr.line1, "line2": addr.line2, "city": addr.city, "state": addr.state,
            "postal_code": addr.postal_code, "address_id": addr.address_id,
            "premium_available": addr.premium_available,
            "opening_balance": openings.get(a.pk, Decimal("0.00")),
            "opening_past_due_on": past_due.get(a.pk),
            "last_billed_through": first.billed_through if first is not None else None,
            "contract": _contract_text(statuses.get(a.pk), contracts.get(a.pk, [])),
            "card_token": card.token if card else "", "card_last4": card.last4 if card else "",
            "card_brand": card.brand if card else "",
        })
    notes = []
    note_sids = dict(SourceRecord.objects.filter(kind="note").values_list("object_id", "source_id"))
    for n in Note.objects.filter(account_id__in=ids).order_by("account_id", "id"):
        notes.append({"source_id": note_sids.get(n.pk, f"note-{n.pk}"),
                      "account_source_id": sid_of.get(n.account_id), "written_at": n.written_at,
                      "author": n.author, "body": n.body})
    statements = [
        {"source_id": s.source_id, "account_source_id": sid_of.get(s.account_id), "issued_on": s.issued_on,
         "period_start": s.period_start, "period_end": s.period_end, "due_on": s.due_on, "amount": s.amount}
        for s in HistoryStatement.objects.filter(account_id__in=ids).order_by("account_id", "issued_on", "id")
    ]
    payments = [
        {"source_id": p.source_id, "account_source_id": sid_of.get(p.account_id), "paid_on": p.paid_on,
         "amount": p.amount, "method": p.method, "reference": p.reference}
        for p in HistoryPayment.objects.filter(account_id__in=ids).order_by("account_id", "paid_on", "id")
    ]
    return {"accounts": _csv("accounts", rows), "notes": _csv("notes", notes),
            "statements": _csv("statements", statements), "payments": _csv("payments", payments)}
