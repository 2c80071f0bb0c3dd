"""The column layouts lastmile reads (docs/import.md cites where each comes from).

Every layout turns a file's header into lastmile's own field names (the `lastmile`
layout, documented in docs/import.md), one file kind at a time: accounts, notes,
statements, payments. A file's kind is recognised from its header. Values that
differ between systems (statuses, categories) are translated here too; a mapping
file (--mapping) can rename or ignore columns and translate values for any layout.
Pure: no Django.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SOURCES = ("lastmile", "sonar", "powercode", "splynx")
KINDS = ("accounts", "notes", "statements", "payments")

ACCOUNT_FIELDS = (
    "source_id", "number", "name", "kind", "network", "status", "bill_cycle_day", "package",
    "service_start", "phones", "emails", "line1", "line2", "city", "state", "postal_code",
    "address_id", "premium_available", "opening_balance", "opening_past_due_on",
    "last_billed_through", "contract", "card_token", "card_last4", "card_brand",
)
NOTE_FIELDS = ("source_id", "account_source_id", "written_at", "author", "body")
STATEMENT_FIELDS = (
    "source_id", "account_source_id", "issued_on", "period_start", "period_end", "due_on", "amount",
)
PAYMENT_FIELDS = ("source_id", "account_source_id", "paid_on", "amount", "method", "reference")
FIELDS = {
    "accounts": ACCOUNT_FIELDS, "notes": NOTE_FIELDS, "statements": STATEMENT_FIELDS,
    "payments": PAYMENT_FIELDS,
}
REQUIRED = {
    "accounts": ("source_id", "name", "package", "line1", "city", "state", "postal_code"),
    "notes": ("source_id", "account_source_id", "written_at", "body"),
    "statements": ("source_id", "account_source_id", "issued_on", "amount"),
    "payments": ("source_id", "account_source_id", "paid_on", "amount"),
}
# helper fields a vendor layout fills and `combine` folds into the fields above
HELPERS = ("_first", "_last", "_company", "_phone2", "_next_bill")


@dataclass
class Layout:
    source: str
    kind: str
    columns: dict[str, str]  # their header -> our field ("" = ignored)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # our field -> their value -> ours
    strict: bool = False  # an unknown column is a problem (our own layout), not ignored
    list_separators: str = ";"


_US_STATUS = {
    "active": "active", "delinquent": "delinquent", "suspended": "suspended",
    "inactive": "not_active", "pending": "not_active", "pending install": "not_active",
    "cancelled": "cancelled", "canceled": "cancelled", "uninstall": "uninstall",
    "not active": "not_active", "not_active": "not_active",
}

LAYOUTS: dict[tuple[str, str], Layout] = {}


def _add(layout: Layout) -> None:
    LAYOUTS[(layout.source, layout.kind)] = layout


# --- lastmile: our own names, nothing translated, unknown columns refused -------------
for _kind, _fields in FIELDS.items():
    _add(Layout("lastmile", _kind, {f: f for f in _fields}, strict=True))

# --- Sonar (the columns of Sonar's importer templates; see docs/import.md) --------------
_add(Layout("sonar", "accounts", {
    "Account ID": "source_id", "Name": "name", "Account Type": "kind", "Account Status": "status",
    "Email Address": "emails", "Phone Number": "phones", "Line 1": "line1", "Line 2": "line2",
    "City": "city", "State": "state", "ZIP": "postal_code", "Service Name": "package",
    "Next Bill Date": "_next_bill", "Balance": "opening_balance", "Activation Date": "service_start",
    "UTOPIA Address ID": "address_id", "Contact Name": "", "Role": "", "County": "", "Country": "",
    "Latitude": "", "Longitude": "", "Account Groups": "",
}, values={"kind": {"residential": "residential", "commercial": "commercial", "business": "commercial"},
           "status": _US_STATUS}))
_add(Layout("sonar", "notes", {
    "Note ID": "source_id", "Account ID": "account_source_id", "Created At": "written_at",
    "User": "author", "Message": "body",
}))
_add(Layout("sonar", "statements", {
    "Invoice ID": "source_id", "Account ID": "account_source_id", "Date": "issued_on",
    "Due Date": "due_on", "Amount": "amount", "Remaining Due": "",
}))
_add(Layout("sonar", "payments", {
    "Payment ID": "source_id", "Account ID": "account_source_id", "Date": "paid_on", "Amount": "amount",
    "Payment Method": "method", "Reference": "reference",
}))

# --- Powercode (the Customer sheet of Powercode's customer data import/export) ---------
_add(Layout("powercode", "accounts", {
    "CustomerID": "source_id", "Company Name": "_company", "First Name": "_first", "Last Name": "_last",
    "Home Phone": "phones", "Mobile Phone": "_phone2", "Email": "emails", "Physical Street": "line1",
    "Physical Street2": "line2", "Physical City": "city", "Physical State": "state",
    "Physical Zip": "postal_code", "Status": "status", "Open Balance": "opening_balance",
    "Service Name": "package", "Invoice Date": "bill_cycle_day", "UTOPIA Address ID": "address_id",
    "Username": "", "Tax Zone": "", "Service ID": "", "Service quantity": "", "Due Date": "",
    "Latitude": "", "Longitude": "",
}, values={"status": _US_STATUS}))
_add(Layout("powercode", "notes", {
    "NoteID": "source_id", "CustomerID": "account_source_id", "Date": "written_at", "User": "author",
    "Note": "body",
}))
_add(Layout("powercode", "statements", {
    "InvoiceID": "source_id", "CustomerID": "account_source_id", "InvoiceDate": "issued_on",
    "DueDate": "due_on", "Amount": "amount",
}))
_add(Layout("powercode", "payments", {
    "PaymentID": "source_id", "CustomerID": "account_source_id", "PaymentDate": "paid_on",
    "Amount": "amount", "PaymentType": "method", "Reference": "reference",
}))

# --- Splynx (Customers -> List export; the fields of Splynx's customer page) -----------
_add(Layout("splynx", "accounts", {
    "ID": "source_id", "Full name": "name", "Category": "kind", "Status": "status",
    "Email": "emails", "Phone number": "phones", "Street": "line1", "City": "city", "ZIP code": "postal_code",
    "State": "state", "Tariff": "package", "Billing day": "bill_cycle_day", "Account balance": "opening_balance",
    "Date added": "service_start", "UTOPIA Address ID": "address_id", "Portal login": "", "Billing type": "",
    "Billing email": "", "Partner": "", "Location": "", "Geo Data": "",
}, values={"kind": {"person": "residential", "private person": "residential", "company": "commercial"},
           "status": {"new": "not_active", "active": "active", "blocked": "suspended",
                      "inactive": "not_active", "disabled": "not_active"}},
    list_separators=","))
_add(Layout("splynx", "notes", {
    "ID": "source_id", "Customer ID": "account_source_id", "Date": "written_at",
    "Administrator": "author", "Comment": "body",
}))
_add(Layout("splynx", "statements", {
    "Number": "source_id", "Customer ID": "account_source_id", "Date created": "issued_on",
    "Date till": "due_on", "Total": "amount", "Status": "",
}))
_add(Layout("splynx", "payments", {
    "ID": "source_id", "Customer ID": "account_source_id", "Date": "paid_on", "Amount": "amount",
    "Payment type": "method", "Receipt number": "reference",
}))


def detect_kind(source: str, header: list[str], renames: dict[str, str | None] | None = None) -> str | None:
    """The kind of file whose header this is: the kind with the most matching columns,
    of the kinds whose id columns are all there."""
    renames = renames or {}
    best, best_score = None, 0
    for kind in KINDS:
        layout = LAYOUTS[(source, kind)]
        ours = {_target(layout, renames, h) for h in header}
        ours.discard(None)
        needed = {"source_id"} | ({"account_source_id"} if kind != "accounts" else set())
        key = {"notes": "body", "statements": "issued_on", "payments": "paid_on", "accounts": "name"}[kind]
        if not needed <= ours:
            continue
        score = len(ours & set(FIELDS[kind]) | ours & set(HELPERS)) + (100 if key in ours else 0)
        if kind == "accounts" and not ({"name", "_first", "_company"} & ours):
            continue
        if score > best_score:
            best, best_score = kind, score
    return best


def _target(layout: Layout, renames: dict, header: str) -> str | None:
    if header in renames:
        return renames[header] or None
    target = layout.columns.get(header)
    if target is None and not layout.strict and header in FIELDS[layout.kind]:
        return header  # our own name is understood in every layout
    return target or None


def target(layout: Layout, renames: dict, header: str) -> str | None:
    """Our field for their column, None when it is ignored or unknown."""
    return _target(layout, renames, header)


def known(layout: Layout, renames: dict, header: str) -> bool:
    return header in renames or header in layout.columns or header in FIELDS[layout.kind]
