"""Reading one export file into lastmile's fields, with every problem named (IMP-1).

A problem is (file, row, column, sentence): row is the line of the file (the header
is row 1), column is the file's own header, so the person fixing the export finds
it. Nothing here writes; the importer writes only a file without problems.
Pure apart from the package names it is given.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lastmile.core import ispconfig

from . import layouts
from .layouts import FIELDS, REQUIRED, Layout

_CARDLIKE = re.compile(r"^[0-9][0-9 -]{10,21}[0-9]$")
_PHONE = re.compile(r"^[0-9+()\-. ]{7,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DIGITS4 = re.compile(r"^[0-9]{4}$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
STATUSES = ("active", "delinquent", "suspended", "not_active", "uninstall", "cancelled")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    sentence: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.sentence}"

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "column": self.column, "sentence": self.sentence}


@dataclass
class ParsedFile:
    name: str
    source: str
    kind: str | None
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (row, our fields)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def looks_like_card_number(value: str) -> bool:
    """BIL-6 / IMP-1: 12 to 19 digits (spaces and dashes allowed) that pass Luhn."""
    if not value or not _CARDLIKE.match(value):
        return False
    digits = value.replace(" ", "").replace("-", "")
    return 12 <= len(digits) <= 19 and digits.isdigit() and luhn(digits)


def fast_checksum(values) -> str:
    """For history rows (a million a file): the values as read, joined."""
    return hashlib.sha1("\x1f".join(map(str, values)).encode()).hexdigest()


def checksum(data: dict) -> str:
    return hashlib.sha1(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# --- value readers: each returns the value or raises ValueError(sentence) ---------------
def read_date(text: str) -> dt.date:
    if len(text) == 10 and text[4] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    text = text.strip()
    m = _US_DATE.match(text)
    if m:
        return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD or MM/DD/YYYY)") from None


def read_iso(text: str) -> str:
    """A date, kept as its ISO text (history rows: a million a file, stored as text)."""
    if len(text) == 10 and text[4] == "-":
        try:
            dt.date.fromisoformat(text)
            return text
        except ValueError:
            pass
    return read_date(text).isoformat()


def read_datetime(text: str) -> dt.datetime:
    text = text.strip()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        value = dt.datetime.combine(read_date(text), dt.time(12))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def read_money(text: str) -> Decimal:
    raw = text.strip().replace("$", "").replace(",", "")
    if raw.startswith("(") and raw.endswith(")"):
        raw = "-" + raw[1:-1]
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount of money (like 65.00)") from None
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{text!r} has more than two decimals")
    return value.quantize(Decimal("0.01"))


def split_list(text: str, seps: str) -> list[str]:
    items = [text]
    for sep in seps + ";":
        items = [part for item in items for part in item.split(sep)]
    return list(dict.fromkeys(p.strip() for p in items if p.strip()))


# --- the file -------------------------------------------------------------------------
def parse(name: str, text: str, *, source: str, mapping: dict | None = None, packages: dict | None = None,
          kind: str | None = None) -> ParsedFile:
    """Read `text` (one CSV file) of `source`'s layout; `packages` maps lower-case code
    and name to the package code."""
    mapping = mapping or {}
    renames = {str(k): (v or None) for k, v in (mapping.get("columns") or {}).items()}
    value_maps = {f: {str(k).strip().lower(): str(v) for k, v in m.items()}
                  for f, m in (mapping.get("values") or {}).items()}
    out = ParsedFile(name=name, source=source, kind=None)
    if source not in layouts.SOURCES:
        out.problems.append(Problem(name, None, None, f"unknown source {source!r}; "
                                    f"use one of {', '.join(layouts.SOURCES)}"))
        return out
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        out.problems.append(Problem(name, None, None, "the file is empty; an export starts with its header row"))
        return out
    kind = kind or mapping.get("kind") or layouts.detect_kind(source, header, renames)
    if kind not in layouts.KINDS:
        out.problems.append(Problem(name, 1, None, (
            f"this header is not one of the {source} files lastmile reads (accounts, notes, statements, "
            "payments); check the source, or rename its columns with a mapping file")))
        return out
    out.kind = kind
    layout = layouts.LAYOUTS[(source, kind)]
    targets = []
    for h in header:
        if layout.strict and not layouts.known(layout, renames, h):
            out.problems.append(Problem(name, 1, h, (
                f"{h!r} is not a column of the lastmile {kind} file; rename it or ignore it in a mapping file")))
        targets.append(layouts.target(layout, renames, h))
    present = set(targets)
    for need in REQUIRED[kind]:
        alternatives = {"name": {"name", "_first", "_company"}}.get(need, {need})
        if not alternatives & present:
            out.problems.append(Problem(name, 1, None, f"the {kind} file has no column for {need!r}"))
    if out.problems:
        return out
    width = len(header)
    card_refused = False
    reader_fn = _ROW_READERS[kind]
    columns = {t: h for h, t in zip(header, targets, strict=True) if t is not None}
    pairs = [(i, t) for i, t in enumerate(targets) if t is not None]
    bad = _Bad(name, columns)
    packages = packages or {}
    for rowno, cells in enumerate(reader, start=2):
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if len(cells) != width:
            out.problems.append(Problem(name, rowno, None,
                                        f"the row has {len(cells)} cells; the header has {width}"))
            continue
        for i, cell in enumerate(cells):
            # the cheap test first: most cells are short or do not start with a digit
            if len(cell) >= 12 and (cell[0].isdigit() or cell[0] == " ") and looks_like_card_number(cell.strip()):
                card_refused = True
                out.problems.append(Problem(name, rowno, header[i], (
                    "this looks like a payment card number; lastmile stores only the processor's token and "
                    "the last four digits (BIL-6), so nothing of this file is imported. Remove the column "
                    "or replace the numbers with tokens")))
        if card_refused:
            continue
        raw = {t: cells[i].strip() for i, t in pairs}
        for f, m in value_maps.items():
            if f in raw and raw[f].lower() in m:
                raw[f] = m[raw[f].lower()]
        bad.rowno = rowno
        before = len(bad.problems)
        row = reader_fn(raw, layout, bad, packages)
        if len(bad.problems) == before:
            out.rows.append((rowno, row))
    out.problems.extend(bad.problems)
    seen: dict[str, int] = {}
    for rowno, row in out.rows:
        sid = row["source_id"]
        if sid in seen:
            out.problems.append(Problem(name, rowno, _column_of(header, targets, "source_id"),
                                        f"source id {sid!r} appears twice (first on row {seen[sid]})"))
        else:
            seen[sid] = rowno
    return out


class _Bad:
    """Collects the problems of a file; called as bad(field, sentence) for the current row."""

    __slots__ = ("name", "columns", "rowno", "problems")

    def __init__(self, name, columns):
        self.name, self.columns, self.rowno, self.problems = name, columns, 0, []

    def __call__(self, field_name, sentence):
        self.problems.append(Problem(self.name, self.rowno, self.columns.get(field_name, field_name), sentence))


def _column_of(header, targets, f):
    for h, t in zip(header, targets, strict=True):
        if t == f:
            return h
    return f


def _get(raw, f, bad, fn, required=False):
    value = raw.get(f, "")
    if value == "":
        if required:
            bad(f, f"{f.replace('_', ' ')} is empty; it is required")
        return None
    try:
        return fn(value)
    except ValueError as exc:
        bad(f, str(exc))
        return None


def _account_row(raw, layout: Layout, bad, packages) -> dict:
    row: dict = {}
    row["source_id"] = raw.get("source_id", "")
    if not row["source_id"]:
        bad("source_id", "the account has no id in the old system; every row needs one (IMP-1)")
    row["number"] = raw.get("number", "")
    name = raw.get("name") or raw.get("_company") or " ".join(
        p for p in (raw.get("_first", ""), raw.get("_last", "")) if p)
    if not name:
        bad("name", "the account has no name (nor company, first or last name)")
    row["name"] = name
    kind = (raw.get("kind") or "").lower()
    kind = layout.values.get("kind", {}).get(kind, kind)
    if not kind:
        kind = "commercial" if raw.get("_company") else "residential"
    if kind not in ("residential", "commercial"):
        bad("kind", f"{raw.get('kind')!r} is not an account kind; expected residential or commercial")
    row["kind"] = kind
    row["address_id"] = raw.get("address_id", "")
    network = (raw.get("network") or "").lower() or ("utopia" if row["address_id"] else "wireless")
    if network not in ("utopia", "wireless"):
        bad("network", f"{raw.get('network')!r} is not a network; expected utopia or wireless")
    if network == "utopia" and not row["address_id"]:
        bad("address_id", "a UTOPIA account needs its UTOPIA address ID (NET-2)")
    row["network"] = network
    status = (raw.get("status") or "active").lower()
    status = layout.values.get("status", {}).get(status, status)
    if status not in STATUSES:
        bad("status", f"{raw.get('status')!r} is not an account status; expected one of {', '.join(STATUSES)}"
                      " (or translate it in a mapping file)")
    row["status"] = status
    cycle = raw.get("bill_cycle_day", "")
    next_bill = _get(raw, "_next_bill", bad, read_date)
    if cycle:
        try:
            cycle_day = int(cycle) if cycle.isdigit() else read_date(cycle).day
        except ValueError:
            cycle_day = 0
        if not 1 <= cycle_day <= 31:
            bad("bill_cycle_day", f"{cycle!r} is not a bill-cycle day (1 to 31, or a date)")
        row["bill_cycle_day"] = cycle_day
    elif next_bill is not None:
        row["bill_cycle_day"] = next_bill.day
    else:
        row["bill_cycle_day"] = None
    package = raw.get("package", "")
    code = packages.get(package.strip().lower()) if package else None
    if not package:
        bad("package", "the account has no package")
    elif code is None:
        bad("package", f"no package called {package!r} in the catalog; add it, or map it to one "
                       "(values: package: in a mapping file)")
    row["package"] = code or package
    row["service_start"] = _get(raw, "service_start", bad, read_date)
    seps = layout.list_separators
    phones = split_list(raw.get("phones", ""), seps) + split_list(raw.get("_phone2", ""), seps)
    for p in phones:
        if not _PHONE.match(p):
            bad("phones", f"{p!r} is not a phone number")
    row["phones"] = list(dict.fromkeys(phones))
    emails = split_list(raw.get("emails", ""), seps)
    for e in emails:
        if not _EMAIL.match(e):
            bad("emails", f"{e!r} is not an email address")
    row["emails"] = emails
    for f in ("line1", "line2", "city", "state", "postal_code"):
        row[f] = raw.get(f, "")
    for f in ("line1", "city", "state", "postal_code"):
        if not row[f]:
            bad(f, f"the service address has no {f.replace('_', ' ')}")
    if row["state"] and len(row["state"]) != 2:
        bad("state", f"{row['state']!r} is not a two-letter state")
    premium = (raw.get("premium_available") or "unknown").lower()
    premium = {"true": "yes", "false": "no", "y": "yes", "n": "no"}.get(premium, premium)
    if premium not in ("yes", "no", "unknown"):
        bad("premium_available", f"{raw.get('premium_available')!r} is not yes, no or unknown (PKG-4)")
    row["premium_available"] = premium
    row["opening_balance"] = _get(raw, "opening_balance", bad, read_money) or Decimal("0.00")
    row["opening_past_due_on"] = _get(raw, "opening_past_due_on", bad, read_date)
    through = _get(raw, "last_billed_through", bad, read_date)
    if through is None and next_bill is not None:
        through = next_bill - dt.timedelta(days=1)
    row["last_billed_through"] = through
    contract = raw.get("contract", "")
    row["contract"] = contract or "unknown"  # CON-8: not given -> unknown, never month-to-month
    try:
        row["_contracts"] = parse_contract(row["contract"])
    except ValueError as exc:
        bad("contract", str(exc))
        row["_contracts"] = "unknown"
    row["card_token"] = raw.get("card_token", "")
    row["card_last4"] = raw.get("card_last4", "")
    row["card_brand"] = raw.get("card_brand", "")
    if row["card_token"] or row["card_last4"]:
        if not row["card_token"]:
            bad("card_token", "a card needs the processor's token (BIL-6)")
        if not _DIGITS4.match(row["card_last4"]):
            bad("card_last4", "card last4 must be the card's last four digits (BIL-6)")
    return row


def parse_contract(text: str):
    """The `contract` column: `unknown`, `none`, or contracts separated by `|`, each
    `KIND [SOURCE] key=value ...` (docs/import.md), read by contract_spec (CON-1..3)."""
    from lastmile.cancellations import contract_spec

    text = (text or "").strip()
    if text.lower() in (contract_spec.NONE, contract_spec.UNKNOWN):
        return text.lower()
    rows = []
    for part in text.split("|"):
        words = part.split()
        if not words:
            raise ValueError("an empty contract between two `|`")
        spec: dict = {"kind": words[0]}
        rest = words[1:]
        if rest and "=" not in rest[0]:
            spec["source"] = rest[0]
            rest = rest[1:]
        for word in rest:
            key, sep, value = word.partition("=")
            if not sep:
                raise ValueError(f"contract: {word!r} should be key=value (start=2026-01-05, months=12 ...)")
            if key == "months":
                if not value.isdigit():
                    raise ValueError(f"contract months: {value!r} is not a whole number")
                spec[key] = int(value)
            elif key == "signed" and "," in value:
                spec[key] = value.split(",")
            else:
                spec[key] = value
        rows.extend(contract_spec.parse(spec, default_lease_months=ispconfig.current().utopia_lease_months))
    return rows


def _history_keys(raw, bad, what: str) -> dict:
    """The natural key of a history row (IMP-1): its own id and its account's, both required."""
    row = {"source_id": raw.get("source_id", ""), "account_source_id": raw.get("account_source_id", "")}
    if not row["source_id"]:
        bad("source_id", f"the {what} has no id in the old system")
    if not row["account_source_id"]:
        bad("account_source_id", f"the {what} names no account")
    return row


def _note_row(raw, layout, bad, packages) -> dict:
    row = _history_keys(raw, bad, "note")
    row["written_at"] = _get(raw, "written_at", bad, read_datetime, required=True)
    row["author"] = raw.get("author", "") or "unknown (imported)"
    row["body"] = raw.get("body", "")
    if not row["body"]:
        bad("body", "the note is empty")
    return row


def _statement_row(raw, layout, bad, packages) -> dict:
    row = _history_keys(raw, bad, "statement")
    row["issued_on"] = _get(raw, "issued_on", bad, read_iso, required=True)
    row["period_start"] = _get(raw, "period_start", bad, read_iso)
    row["period_end"] = _get(raw, "period_end", bad, read_iso)
    row["due_on"] = _get(raw, "due_on", bad, read_iso)
    row["amount"] = _get(raw, "amount", bad, read_money, required=True)
    return row


def _payment_row(raw, layout, bad, packages) -> dict:
    row = _history_keys(raw, bad, "payment")
    row["paid_on"] = _get(raw, "paid_on", bad, read_iso, required=True)
    amount = _get(raw, "amount", bad, read_money, required=True)
    row["amount"] = abs(amount) if amount is not None else None
    row["method"] = raw.get("method", "")
    row["reference"] = raw.get("reference", "")
    return row


_ROW_READERS = {"accounts": _account_row, "notes": _note_row, "statements": _statement_row,
                "payments": _payment_row}


def comparable(row: dict, kind: str) -> dict:
    """The row as stored for comparison (JSON-able, no helper keys)."""
    out = {}
    for f in FIELDS[kind]:
        v = row.get(f)
        if isinstance(v, (dt.date, dt.datetime, Decimal)):
            v = v.isoformat() if not isinstance(v, Decimal) else f"{v:.2f}"
        out[f] = v
    return out
