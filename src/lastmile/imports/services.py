"""Importing another system's export (IMP-1, IMP-2, CON-8, BIL-6, TKT-2, AUD-1).

`import_files` validates every row of every file first; a file with any problem
writes nothing and says so (one transaction per file). New records are written
set-based (core/bulk.py: plain tuples to executemany, as the bill run does), so
100,000 accounts with a year of history fit in the issue's two minutes; an updated
row goes through the services, and each change is on the timeline with its old and
new value. (source, kind, source id) is the natural key, with a unique constraint:
importing the same file again changes nothing.

History (the old system's statements and payments) lives in this app, never in
the ledger: the opening balance stays the source of truth, and no delinquency case
opens on history, because cases open only on lastmile's statements. The one
exception the issue asks for: an opening balance the export marks past due
(`opening_past_due_on`) gets a lastmile statement carrying it, due that day, so a
case can open on it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, connection, transaction

from lastmile.accounts.models import Account, Email, Note, PaymentCard, Phone, ServiceAddress
from lastmile.billing.choices import ChargeKind, EntryType
from lastmile.billing.cycle import is_cycle_day, next_cycle_date, period_containing
from lastmile.billing.models import LedgerEntry, Statement
from lastmile.cancellations.choices import ContractStatus
from lastmile.cancellations.models import AccountContractStatus, Contract
from lastmile.catalog.models import Package
from lastmile.core import bulk, clock, ispconfig, timeline
from lastmile.core.actors import Actor
from lastmile.core.choices import Role
from lastmile.core.errors import PermissionRefused
from lastmile.core.models import TimelineEntry

from . import reader
from .layouts import KINDS
from .models import FirstBill, HistoryPayment, HistoryStatement, ImportRun, SourceRecord
from .reader import ParsedFile, Problem

CHUNK = 5000
Progress = Callable[[str, int, int], None]


@dataclass
class FileReport:
    name: str
    kind: str | None
    ok: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def sentence(self, dry_run: bool) -> str:
        if not self.ok:
            return (f"{self.name}: {len(self.problems)} problem(s); nothing of this file was imported"
                    if not dry_run else f"{self.name}: {len(self.problems)} problem(s); it would not be imported")
        verb = "would create" if dry_run else "created"
        verb2 = "would update" if dry_run else "updated"
        return (f"{self.name} ({self.kind}): {verb} {self.created}, {verb2} {self.updated}, "
                f"{self.unchanged} unchanged")


@dataclass
class Report:
    source: str
    dry_run: bool
    files: list[FileReport] = field(default_factory=list)
    run_id: int | None = None
    first_bill_on: dt.date | None = None

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

    def counts(self) -> dict:
        return {f.name: {"kind": f.kind, "ok": f.ok, "created": f.created, "updated": f.updated,
                         "unchanged": f.unchanged, "problems": len(f.problems)} for f in self.files}


class _DryRun(Exception):
    """Raised to roll the whole dry run back once every file has been tried."""


def _require_admin(actor: Actor) -> None:
    if not (actor.automation or Role.ADMIN in actor.roles):
        raise PermissionRefused(f"importing another system's data needs the role admin; {actor.name} has "
                                f"{', '.join(sorted(actor.roles)) or 'no role'}")


def package_names() -> dict[str, str]:
    names = {}
    for code, name in Package.objects.values_list("code", "name"):
        names[code.lower()] = code
        names[name.lower()] = code
    return names


def import_files(*, source: str, files: list[tuple[str, str]], actor: Actor, dry_run: bool = False,
                 mapping: dict | None = None, progress: Progress | None = None) -> Report:
    """Import `files` ((name, CSV text) pairs) of `source`'s layout; see the module docstring.

    A dry run does everything inside one transaction and rolls it back, so its counts
    and problems are exactly what the real import would give.
    """
    _require_admin(actor)
    report = Report(source=source, dry_run=dry_run)
    packages = package_names()
    parsed = [reader.parse(name, text, source=source, mapping=mapping, packages=packages)
              for name, text in files]
    order = {k: i for i, k in enumerate(KINDS)}
    parsed.sort(key=lambda p: order.get(p.kind or "", -1))
    if dry_run:
        try:
            with transaction.atomic():
                _run(source, parsed, actor, report, progress, dry_run=True)
                raise _DryRun
        except _DryRun:
            pass
        return report
    _run(source, parsed, actor, report, progress, dry_run=False)
    return report


def _run(source, parsed: list[ParsedFile], actor, report: Report, progress, *, dry_run: bool) -> None:
    now = clock.now()
    run = ImportRun.objects.create(source=source, files="\n".join(p.name for p in parsed), actor=str(actor),
                                   started_at=now, dry_run=dry_run)
    ctx = _Context(source=source, actor=actor, run=run, progress=progress)
    for pf in parsed:
        fr = FileReport(name=pf.name, kind=pf.kind, problems=list(pf.problems), warnings=list(pf.warnings))
        report.files.append(fr)
        if not fr.problems:
            try:
                with transaction.atomic():
                    _WRITERS[pf.kind](ctx, pf, fr)
                    if fr.problems:
                        raise _FileRefused
                fr.ok = True
            except _FileRefused:
                fr.created = fr.updated = fr.unchanged = 0
            except IntegrityError as exc:
                fr.problems.append(Problem(pf.name, None, None, f"the database refused the file ({exc}); "
                                                                "nothing of it was imported"))
                fr.created = fr.updated = fr.unchanged = 0
    first = FirstBill.objects.filter(done=False).order_by("on").values_list("on", flat=True).first()
    report.first_bill_on = first
    report.run_id = run.pk
    ImportRun.objects.filter(pk=run.pk).update(
        finished_at=clock.now(), ok=report.ok, counts=report.counts(), first_bill_on=first,
        problems=[p.as_dict() for p in report.problems][:1000],
    )


class _FileRefused(Exception):
    pass


@dataclass
class _Context:
    source: str
    actor: Actor
    run: ImportRun
    progress: Progress | None
    _accounts: dict[str, int] | None = None

    def accounts(self) -> dict[str, int]:
        """source id -> account id of every account this source brought (so far)."""
        if self._accounts is None:
            self._accounts = dict(SourceRecord.objects.filter(source=self.source, kind="account")
                                  .values_list("source_id", "account_id"))
        return self._accounts

    def tick(self, what: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(what, done, total)

    @property
    def why(self) -> str:
        return f"IMP-1: {self.source} import #{self.run.pk}"


# --------------------------------------------------------------------------- accounts
_ACCOUNT_COLS = ["number", "name", "kind", "network", "status", "package", "bill_cycle_day",
                 "portal_access", "autopay", "service_start", "prorate_final_month", "created_at"]
_ADDRESS_COLS = ["account", "line1", "line2", "city", "state", "postal_code", "address_id", "premium_available"]
_TIMELINE_COLS = ["account", "date", "at", "type", "data", "actor", "reason"]
_LEDGER_COLS = ["account", "entry_type", "kind", "amount", "posted_on", "posted_at", "method", "key",
                "description", "reference", "actor", "reason"]
_STATEMENT_COLS = ["account", "period_start", "period_end", "issued_on", "due_on", "recurring", "balance",
                   "amount_due", "previous_entry_id", "through_entry_id"]
_CONTRACT_COLS = ["account", "kind", "source", "start", "months", "monthly", "signed", "etf_override",
                  "recorded_at", "recorded_by"]


def first_bill(cycle_day: int, through: dt.date | None, today: dt.date) -> tuple[dt.date, str]:
    """IMP-2: the first cycle date the old system did not bill (see FirstBill)."""
    if through is not None:
        day, basis = through + dt.timedelta(days=1), "given"
    else:
        day, basis = next_cycle_date(today, cycle_day), "assumed"
    if not is_cycle_day(day, cycle_day):
        day = next_cycle_date(day, cycle_day)
    return day, basis


def _write_accounts(ctx: _Context, pf: ParsedFile, fr: FileReport) -> None:
    known = dict(SourceRecord.objects.filter(source=ctx.source, kind="account")
                 .values_list("source_id", "pk"))
    new, changed = [], []
    for rowno, row in pf.rows:
        pk = known.get(row["source_id"])
        if pk is None:
            new.append((rowno, row))
        else:
            changed.append((rowno, row, pk))
    given = [(rowno, row["number"]) for rowno, row in new if row["number"]]
    if given:
        taken = set(Account.objects.filter(number__in=[n for _, n in given]).values_list("number", flat=True))
        for rowno, number in given:
            if number in taken:
                fr.problems.append(Problem(pf.name, rowno, "number",
                                           f"account number {number} is already another account's"))
    if fr.problems:
        return
    for i in range(0, len(new), CHUNK):
        _create_accounts(ctx, pf, new[i:i + CHUNK])
        ctx.tick(f"{pf.name}: accounts", min(i + CHUNK, len(new)), len(new))
    fr.created = len(new)
    if changed:
        records = SourceRecord.objects.in_bulk([pk for _, _, pk in changed])
        for rowno, row, pk in changed:
            if _update_account(ctx, pf, fr, rowno, row, records[pk]):
                fr.updated += 1
            else:
                fr.unchanged += 1
    ctx._accounts = None


def _create_accounts(ctx: _Context, pf: ParsedFile, rows: list[tuple[int, dict]]) -> None:
    settings = ispconfig.current()
    now, today = clock.now(), clock.today()
    packages = {p.code: p for p in Package.objects.all()}
    before = Account.objects.order_by("-id").values_list("id", flat=True).first() or 0
    given = {row["number"] for _, row in rows if row["number"]}
    next_no = 100001 + before
    # numbers as account_create gives them (100001 + the last id), skipping any in use
    wanted = len(rows) + len(given)
    used = set()
    while True:
        candidates = [str(x) for x in range(next_no, next_no + wanted + len(used))]
        used = set(Account.objects.filter(number__in=candidates).values_list("number", flat=True)) if len(
            candidates) < 900 else set(Account.objects.filter(
                number__gte=candidates[0], number__lte=candidates[-1]).values_list("number", flat=True))
        used &= set(candidates)
        if len(candidates) - len(used | (given & set(candidates))) >= len(rows):
            break
    at = bulk.db_datetime(now, Account)
    account_rows = []
    for _rowno, row in rows:
        number = row["number"]
        if not number:
            while str(next_no) in used or str(next_no) in given:
                next_no += 1
            number = str(next_no)
            next_no += 1
            row["number"] = number
        cycle = row["bill_cycle_day"] or settings.bill_cycle_day
        row["bill_cycle_day"] = cycle
        row["service_start"] = row["service_start"] or today
        account_rows.append((
            number, row["name"], row["kind"], row["network"], row["status"], packages[row["package"]].pk,
            cycle, True, False, bulk.db_date(row["service_start"], Account), False, at,
        ))
    bulk.insert(Account, _ACCOUNT_COLS, account_rows)
    ids = dict(Account.objects.filter(id__gt=before).values_list("number", "id"))
    addresses, phones, emails, cards, ledger, timeline_rows, records = [], [], [], [], [], [], []
    statuses, contracts, firsts, past_due = [], [], [], []
    day, tat = bulk.db_date(now.date(), TimelineEntry), bulk.db_datetime(now, TimelineEntry)
    actor = str(ctx.actor)
    why = f"{ctx.why}, {pf.name}"
    for _rowno, row in rows:
        pk = ids[row["number"]]
        addresses.append((pk, row["line1"], row["line2"], row["city"], row["state"], row["postal_code"],
                          row["address_id"], row["premium_available"]))
        phones.extend((pk, p, i) for i, p in enumerate(row["phones"]))
        emails.extend((pk, e, i) for i, e in enumerate(row["emails"]))
        if row["card_token"]:
            cards.append((pk, row["card_token"], row["card_last4"], row["card_brand"], tat, actor))
            timeline_rows.append((pk, day, tat, "card.added",
                                  bulk.json_text({"last4": row["card_last4"]}), actor, why))
        opening = row["opening_balance"]
        if opening != 0:
            ledger.append((pk, EntryType.CHARGE.value if opening > 0 else EntryType.CREDIT.value,
                           ChargeKind.OPENING_BALANCE.value, opening, bulk.db_date(today, LedgerEntry),
                           bulk.db_datetime(now, LedgerEntry), "", f"opening:{pk}", "opening balance (migration)",
                           "", actor, why))
        parsed_contracts = row["_contracts"]
        if parsed_contracts in ("none", "unknown"):
            status = parsed_contracts
        else:
            status = ContractStatus.KNOWN.value
            for c in parsed_contracts:
                contracts.append((pk, c["kind"], c["source"] or "", bulk.db_date(c["start"], Contract),
                                  c["months"], c["monthly"], bulk.db_date(c["signed"], Contract),
                                  c["etf_override"], tat, actor))
        statuses.append((pk, status, tat))
        on, basis = first_bill(row["bill_cycle_day"], row["last_billed_through"], today)
        firsts.append((pk, bulk.db_date(on, FirstBill), basis, bulk.db_date(row["last_billed_through"], FirstBill),
                       False))
        if row["opening_past_due_on"] is not None and opening > 0:
            past_due.append((pk, on, row))
        timeline_rows.append((pk, day, tat, "account.created", bulk.json_text({
            "number": row["number"], "plan": row["package"], "network": row["network"], "status": row["status"],
            "source": ctx.source, "source_id": row["source_id"], "opening_balance": f"{opening:.2f}",
            "contract": status, "first_bill_on": on.isoformat(),
        }), actor, why))
        data = reader.comparable(row, "accounts")
        records.append((ctx.source, "account", row["source_id"], pk, pk, reader.checksum(data),
                        bulk.json_text(data), ctx.run.pk))
    bulk.insert(ServiceAddress, _ADDRESS_COLS, addresses)
    bulk.insert(Phone, ["account", "number", "position"], phones)
    bulk.insert(Email, ["account", "address", "position"], emails)
    bulk.insert(PaymentCard, ["account", "token", "last4", "brand", "added_at", "added_by"], cards)
    ledger_before = LedgerEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    bulk.insert(LedgerEntry, _LEDGER_COLS, ledger)
    bulk.insert(AccountContractStatus, ["account", "status", "updated_at"], statuses)
    bulk.insert(Contract, _CONTRACT_COLS, contracts)
    bulk.insert(FirstBill, ["account", "on", "basis", "billed_through", "done"], firsts)
    bulk.insert(TimelineEntry, _TIMELINE_COLS, timeline_rows, json_fields={"data"})
    bulk.insert(SourceRecord, ["source", "kind", "source_id", "account", "object_id", "checksum", "data", "run"],
                records, json_fields={"data"})
    if past_due:
        _past_due_statements(past_due, ledger_before, ids)


def _past_due_statements(past_due, ledger_before, ids) -> None:
    """The issue's one exception to "no case on history": an opening balance the export
    marks past due is carried by a lastmile statement due that day (DLQ opens on it)."""
    opening_ids = dict(LedgerEntry.objects.filter(id__gt=ledger_before, kind=ChargeKind.OPENING_BALANCE)
                       .values_list("account_id", "id"))
    rows = []
    for pk, on, row in past_due:
        start, end = period_containing(on - dt.timedelta(days=1), row["bill_cycle_day"])
        opening = row["opening_balance"]
        rows.append((pk, bulk.db_date(start, Statement), bulk.db_date(end, Statement),
                     bulk.db_date(start, Statement), bulk.db_date(row["opening_past_due_on"], Statement),
                     Decimal("0.00"), opening, max(opening, Decimal("0.00")), 0, opening_ids[pk]))
    bulk.insert(Statement, _STATEMENT_COLS, rows)


_ACCOUNT_FIELDS = ("name", "kind", "network", "bill_cycle_day", "service_start")
_ADDRESS_FIELDS = ("line1", "line2", "city", "state", "postal_code", "address_id", "premium_available")


def _update_account(ctx, pf, fr, rowno, row, record: SourceRecord) -> bool:
    """An updated export: apply only what changed, each change on the timeline (AUD-1)."""
    from lastmile.accounts.services import account_status_set, card_add
    from lastmile.cancellations.services import contract_apply_spec

    new = reader.comparable(row, "accounts")
    checksum = reader.checksum(new)
    if checksum == record.checksum:
        return False
    old = record.data or {}
    if new.get("number") in ("", None):
        new["number"] = old.get("number")
    if new.get("bill_cycle_day") is None:
        new["bill_cycle_day"] = old.get("bill_cycle_day")
    if new.get("service_start") is None:
        new["service_start"] = old.get("service_start")
    changes = {f: {"old": old.get(f), "new": new.get(f)} for f in new if old.get(f) != new.get(f)}
    if not changes:
        return False
    account = Account.objects.select_related("address").get(pk=record.account_id)
    actor, why = ctx.actor, f"{ctx.why}, {pf.name} row {rowno}"
    fields = {}
    for f in _ACCOUNT_FIELDS:
        if f in changes:
            fields[f] = row[f] if f != "service_start" else reader.read_date(new[f])
    if "package" in changes:
        fields["package"] = Package.objects.get(code=row["package"])
    if fields:
        Account.objects.filter(pk=account.pk).update(**fields)
    addr = {f: row[f] for f in _ADDRESS_FIELDS if f in changes}
    if addr:
        ServiceAddress.objects.filter(account=account).update(**addr)
    if "phones" in changes:
        Phone.objects.filter(account=account).exclude(number__in=row["phones"]).delete()
        have = set(Phone.objects.filter(account=account).values_list("number", flat=True))
        Phone.objects.bulk_create([Phone(account=account, number=p, position=i)
                                   for i, p in enumerate(row["phones"]) if p not in have])
    if "emails" in changes:
        Email.objects.filter(account=account).exclude(address__in=row["emails"]).delete()
        have = set(Email.objects.filter(account=account).values_list("address", flat=True))
        Email.objects.bulk_create([Email(account=account, address=e, position=i)
                                   for i, e in enumerate(row["emails"]) if e not in have])
    for f in ("opening_balance", "opening_past_due_on"):
        if f in changes:
            fr.warnings.append(Problem(pf.name, rowno, f, (
                f"the {f.replace('_', ' ')} changed from {changes[f]['old']} to {changes[f]['new']}; it was not "
                "applied: after the import lastmile's ledger is the source of truth (post a correction instead)")))
            new[f] = old.get(f)
            changes.pop(f)
    if "last_billed_through" in changes and row["last_billed_through"] is not None:
        on, _basis = first_bill(new["bill_cycle_day"], row["last_billed_through"], clock.today())
        FirstBill.objects.filter(account=account, done=False).update(
            on=on, basis="given", billed_through=row["last_billed_through"])
    if "contract" in changes:
        contract_apply_spec(account=account, parsed=row["_contracts"], actor=actor, reason=why)
    if any(f in changes for f in ("card_token", "card_last4")) and row["card_token"]:
        card_add(account=account, token=row["card_token"], last4=row["card_last4"], brand=row["card_brand"],
                 actor=actor, why="the old system's export has a new card (BIL-6: a card is added, never edited)")
    if "status" in changes:
        account_status_set(account=account, to=row["status"], actor=actor, reason=why)
    if not changes:
        return False
    timeline.record("import.updated", account=account, actor=actor, why=why, source=ctx.source,
                    source_id=row["source_id"], changes=changes)
    SourceRecord.objects.filter(pk=record.pk).update(checksum=reader.checksum(new), data=new, run=ctx.run)
    return True


# --------------------------------------------------------------------------- notes
def _missing_account(pf, rowno, sid, ctx) -> Problem:
    return Problem(pf.name, rowno, "account_source_id",
                   f"no account with id {sid!r} in this or an earlier {ctx.source} import; import the accounts "
                   "file first (or in the same command)")


def _write_notes(ctx: _Context, pf: ParsedFile, fr: FileReport) -> None:
    accounts = ctx.accounts()
    known = dict(SourceRecord.objects.filter(source=ctx.source, kind="note").values_list("source_id", "checksum"))
    new = []
    for rowno, row in pf.rows:
        pk = accounts.get(row["account_source_id"])
        if pk is None:
            fr.problems.append(_missing_account(pf, rowno, row["account_source_id"], ctx))
            continue
        data = reader.comparable(row, "notes")
        sum_ = reader.checksum(data)
        old = known.get(row["source_id"])
        if old is None:
            new.append((pk, row, data, sum_))
        elif old == sum_:
            fr.unchanged += 1
        else:
            fr.unchanged += 1
            fr.warnings.append(Problem(pf.name, rowno, "body", (
                "this note differs from the one imported before; notes are never edited after saving (TKT-2), "
                "so the change was not applied")))
    if fr.problems:
        return
    before = Note.objects.order_by("-id").values_list("id", flat=True).first() or 0
    bulk.insert(Note, ["account", "body", "author", "written_at"], [
        (pk, row["body"], row["author"], bulk.db_datetime(row["written_at"], Note)) for pk, row, _d, _s in new])
    note_ids = list(Note.objects.filter(id__gt=before).order_by("id").values_list("id", flat=True))
    bulk.insert(SourceRecord, ["source", "kind", "source_id", "account", "object_id", "checksum", "data", "run"], [
        (ctx.source, "note", row["source_id"], pk, nid, s, bulk.json_text(d), ctx.run.pk)
        for (pk, row, d, s), nid in zip(new, note_ids, strict=True)], json_fields={"data"})
    fr.created = len(new)
    ctx.tick(f"{pf.name}: notes", len(new), len(new))


# --------------------------------------------------------------------------- history
_HISTORY = {
    "statements": (HistoryStatement, ["issued_on", "period_start", "period_end", "due_on", "amount"]),
    "payments": (HistoryPayment, ["paid_on", "amount", "method", "reference"]),
}


def _write_history(ctx: _Context, pf: ParsedFile, fr: FileReport) -> None:
    """IMP-2: statements and payments of the old system, as history beside the ledger."""
    model, cols = _HISTORY[pf.kind]
    accounts = ctx.accounts()
    known = {sid: (pk, s) for sid, pk, s in model.objects.filter(source=ctx.source)
             .values_list("source_id", "pk", "checksum")}
    new, changed = [], []
    touched: dict[int, int] = {}
    latest: dict[int, tuple] = {}
    for rowno, row in pf.rows:
        pk = accounts.get(row["account_source_id"])
        if pk is None:
            fr.problems.append(_missing_account(pf, rowno, row["account_source_id"], ctx))
            continue
        sum_ = reader.fast_checksum([row[c] for c in cols])
        old = known.get(row["source_id"])
        if old is None:
            new.append((pk, row, sum_))
            touched[pk] = touched.get(pk, 0) + 1
            if pf.kind == "statements":
                cur = latest.get(pk)
                if cur is None or row["issued_on"] > cur[0]:
                    latest[pk] = (row["issued_on"], row["period_end"])
        elif old[1] == sum_:
            fr.unchanged += 1
        else:
            changed.append((rowno, pk, row, old[0], sum_))
    if fr.problems:
        return
    date_cols = {"issued_on", "period_start", "period_end", "due_on", "paid_on"}
    source = ctx.source
    # dates arrive as validated ISO text, which both SQLite and COPY store as they are
    rows = [(source, row["source_id"], pk, *[row[c] for c in cols], sum_) for pk, row, sum_ in new]
    for i in range(0, len(rows), 50000):
        bulk.insert(model, ["source", "source_id", "account", *cols, "checksum"], rows[i:i + 50000])
        ctx.tick(f"{pf.name}: {pf.kind}", min(i + 50000, len(rows)), len(rows))
    fr.created = len(new)
    now = clock.now()
    day, tat = bulk.db_date(now.date(), TimelineEntry), bulk.db_datetime(now, TimelineEntry)
    why = f"{ctx.why}, {pf.name}"
    bulk.insert(TimelineEntry, _TIMELINE_COLS, [
        (pk, day, tat, "history.imported", bulk.json_text({"kind": pf.kind, "count": n, "source": ctx.source}),
         str(ctx.actor), why) for pk, n in touched.items()], json_fields={"data"})
    for rowno, pk, row, hist_pk, sum_ in changed:
        obj = model.objects.get(pk=hist_pk)
        diff = {}
        for c in cols:
            old_v, new_v = getattr(obj, c), row[c]
            if c in date_cols and new_v is not None:
                new_v = reader.read_date(new_v)
            if old_v != new_v:
                diff[c] = {"old": old_v, "new": new_v}
                setattr(obj, c, new_v)
        obj.checksum = sum_
        obj.save()
        timeline.record("history.updated", account=Account(pk=pk), actor=ctx.actor,
                        why=f"{why} row {rowno}", kind=pf.kind, source_id=row["source_id"], changes=diff)
        fr.updated += 1
    if latest:
        _first_bill_from_history(latest)


def _first_bill_from_history(latest: dict[int, tuple]) -> None:
    """The latest statement of the old system says what it billed (unless the
    accounts file said so itself): lastmile's first bill is the cycle after it."""
    cycles = dict(Account.objects.filter(pk__in=list(latest)).values_list("pk", "bill_cycle_day")) \
        if len(latest) < 900 else dict(Account.objects.values_list("pk", "bill_cycle_day"))
    current = {a: (on, basis) for a, on, basis in FirstBill.objects.filter(done=False)
               .exclude(basis="given").values_list("account_id", "on", "basis")} \
        if len(latest) >= 900 else {a: (on, basis) for a, on, basis in FirstBill.objects.filter(
            done=False, account_id__in=list(latest)).exclude(basis="given").values_list("account_id", "on", "basis")}
    updates = []
    for pk, (issued_on, period_end) in latest.items():
        if pk not in current:
            continue
        cycle = cycles[pk]
        issued_on = reader.read_date(issued_on)
        end = reader.read_date(period_end) if period_end else period_containing(issued_on, cycle)[1]
        on, _ = first_bill(cycle, end, issued_on)
        was, basis = current[pk]
        if basis == "history" and on <= was:
            continue
        updates.append((bulk.db_date(on, FirstBill), pk))
    if updates:
        table = bulk.table(FirstBill)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {connection.ops.quote_name('on')} = %s, basis = 'history' "
                               "WHERE account_id = %s", updates)


_WRITERS = {"accounts": _write_accounts, "notes": _write_notes, "statements": _write_history,
            "payments": _write_history}
