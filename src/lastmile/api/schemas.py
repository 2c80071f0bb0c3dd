"""Request and response shapes of `/api/v1/`. Money is a string with two decimals."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, ValidationInfo, WithJsonSchema

from lastmile.core.money import MONEY_PATTERN, MoneyError, money_text


def _money(value: str, info: ValidationInfo) -> str:
    try:
        return money_text(value, field=info.field_name or "amount")
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


# issue 15: every money field of a request. A string of dollars with at most two decimals and
# at most 10 digits before the point (the DecimalField bounds): "1e309", "1E2", "NaN",
# "Infinity", "1.005" and "99999999999.00" are a 422 naming the field, never a 500
Money = Annotated[str, AfterValidator(_money), WithJsonSchema(
    {"type": "string", "pattern": f"^({MONEY_PATTERN[1:-1]})?$", "examples": ["42.50"]})]


class ErrorOut(Schema):
    detail: str
    field: str | None = None


class PlanOut(Schema):
    code: str
    name: str
    monthly: Decimal


class AddressOut(Schema):
    line1: str
    line2: str = ""
    city: str
    state: str
    postal_code: str
    address_id: str = ""
    one_line: str
    premium_available: str


class AccountOut(Schema):
    number: str
    name: str
    kind: str
    network: str
    status: str
    plan: str
    address: str
    address_id: str


class CardOut(Schema):
    """BIL-6: only the last four digits and the brand ever leave the system."""

    last4: str
    brand: str
    added_at: dt.datetime
    added_by: str
    default: bool


class AccountDetailOut(Schema):
    number: str
    name: str
    kind: str
    network: str
    status: str
    plan: PlanOut
    balance: Decimal
    portal_access: bool
    autopay: bool
    bill_cycle_day: int
    service_start: dt.date
    service_end: dt.date | None
    address: AddressOut | None
    phones: list[str]
    emails: list[str]
    cards: list[CardOut]
    open_tickets: int
    open_call_tasks: int


class TimelineOut(Schema):
    """One timeline record (the simulator prints the same rows)."""

    id: int
    date: dt.date
    at: dt.datetime
    type: str
    actor: str
    why: str
    data: dict[str, Any]


class NoteIn(Schema):
    body: str


class NoteOut(Schema):
    id: int
    body: str
    author: str
    written_at: dt.datetime


class CardIn(Schema):
    """The card processor's token and the last four digits; never a card number (BIL-6)."""

    token: str
    last4: str
    brand: str = ""
    why: str = ""


class LedgerEntryOut(Schema):
    id: int
    entry_type: str
    kind: str
    amount: Decimal
    posted_on: dt.date
    method: str
    description: str
    reference: str
    voids: int | None
    actor: str


class StatementOut(Schema):
    period_start: dt.date
    period_end: dt.date
    issued_on: dt.date
    due_on: dt.date
    recurring: Decimal
    balance: Decimal
    amount_due: Decimal
    lines: list[LedgerEntryOut]


class PaymentIn(Schema):
    amount: Money
    method: str
    reference: str = ""


class PaymentOut(Schema):
    entry: LedgerEntryOut
    balance: Decimal
    status: str


class TicketOut(Schema):
    id: int
    account: str
    kind: str
    subject: str
    assignee: str
    group: str
    category: str
    ticket_type: str
    status: str
    opened_on: dt.date
    closed_on: dt.date | None


class TicketNoteOut(Schema):
    body: str
    author: str
    written_at: dt.datetime


class TicketDetailOut(TicketOut):
    notes: list[TicketNoteOut]
    data: dict[str, Any]
    # what resolving takes for this kind (POST /tickets/{id}/resolve), null when closed by hand
    answer: dict[str, Any] | None = None
    question: str = ""


class TicketResolveIn(Schema):
    """The fields depend on the kind (GET /tickets/{id} says which): premium_available;
    approved + note; contract (`none` or a mapping, CON-1..3); vlan, or failed + note."""

    premium_available: bool | None = None
    approved: bool | None = None
    contract: Any = None
    vlan: int | None = None
    failed: bool | None = None
    note: str = ""


class TicketNoteIn(Schema):
    body: str


class TicketAssignIn(Schema):
    user: str | None = None  # a username
    team: str | None = None


class NocDeskConfirmIn(Schema):
    vlan: int | None = None  # required for an unsuspend (DLQ-7)
    note: str = ""


class NocFailIn(Schema):
    note: str


class NocDeskOut(Schema):
    id: int
    operation: str
    channel: str
    state: str
    account: str | None
    name: str
    address_id: str
    address: str
    sent_at: dt.datetime
    confirmed_at: dt.datetime | None
    attempts: int
    restore_pending: bool
    detail: str


class TicketCloseIn(Schema):
    note: str = ""


class CallTaskOut(Schema):
    id: int
    account: str
    name: str
    phone: str
    purpose: str
    created_on: dt.date
    status: str
    outcome: str


class OutcomeIn(Schema):
    outcome: str
    note: str = ""  # what the customer said, kept with the outcome (DLQ-3)


class DayRunIn(Schema):
    as_of: dt.date | None = None


class DayRunOut(Schema):
    as_of: dt.date
    counts: dict[str, int]


class Done(Schema):
    """What a procedure did: its sentence for the agent and the account's state after it."""

    detail: str
    account: str | None = None
    status: str | None = None
    data: dict[str, Any] = {}


class PlanPreviewOut(Schema):
    """PKG-6: read this to the customer before asking for consent."""

    package: str
    package_name: str
    monthly: Decimal
    prorated: Decimal
    next_statement_on: dt.date
    next_statement_amount: Decimal


class PlanChangeIn(Schema):
    """PKG-3/PKG-6/PKG-7: consent is `written` or `verbal_recorded`, with its reference."""

    to: str
    reason: str = ""
    speed_issues: bool = False
    consent: str
    consent_reference: str
    identity_verified: bool
    effective: dt.date | None = None


class TrialIn(Schema):
    to: str
    consent: str
    consent_reference: str
    identity_verified: bool


class TrialRevertIn(Schema):
    consent: str = "verbal_recorded"
    consent_reference: str = "customer called to revert the trial"
    identity_verified: bool = True


class PlanChangeOut(Schema):
    id: int
    kind: str
    status: str
    pending_on: str
    from_plan: str
    to: str
    effective_on: dt.date | None
    applied_on: dt.date | None
    ticket_id: int | None
    outcome: str
    account_plan: str


class FinalStatementOut(Schema):
    date: dt.date
    recurring: Decimal
    amount: Decimal


class FinalBillOut(Schema):
    balance: Decimal
    etf: Decimal
    statements: list[FinalStatementOut]
    final_balance: Decimal


class UtopiaOptionsOut(Schema):
    penalty_free_on: dt.date | None
    months_left: int
    etf: Decimal
    recommend: str
    has_lease: bool


class CancellationPreviewOut(Schema):
    """CAN-7: the quote and the final-bill preview, shown before confirming."""

    last_day: dt.date
    contract_status: str
    under_contract: bool
    etf: Decimal
    months_remaining: int
    contract_end: dt.date | None
    prorate_final_month: bool
    prorate_too_late: bool
    short_notice: bool
    final_bill: FinalBillOut
    utopia: UtopiaOptionsOut | None
    address_id: str
    address: str


class CancellationIn(Schema):
    """CAN-1; NET-2: `confirm_address_id` must be the account's address ID."""

    last_day: dt.date
    reason: str
    improve: str = ""
    prorate_final_month: bool = False
    moved_out: bool = False
    confirm_address_id: str


class CancellationOut(Schema):
    id: int
    status: str
    last_day: dt.date
    under_contract: bool
    etf: Decimal
    months_remaining: int
    uninstall_on: dt.date | None
    pickup_on: dt.date | None
    short_notice: bool
    equipment: str


class InstallmentIn(Schema):
    on: dt.date
    amount: Money


class ArrangementIn(Schema):
    installments: list[InstallmentIn]


class ArrangementOut(Schema):
    id: int
    status: str
    installments: list[dict[str, Any]]
    approved_by: str


class ArrangementListOut(Schema):
    """DLQ-4: a row of GET /arrangements (the approval queue with status=proposed)."""

    id: int
    account: str
    account_name: str
    status: str
    installments: list[dict[str, Any]]
    total: str
    proposed_by: str
    proposed_at: dt.datetime | None
    approved_by: str
    created: dt.datetime


class FeeWaiverIn(Schema):
    kind: str = "reactivation_fee"


class NocConfirmIn(Schema):
    operation: str
    vlan: int | None = None


class NocRequestIn(Schema):
    """NET-2: the address ID must be typed back, never only the name."""

    operation: str
    confirm_address_id: str
    why: str = ""


class NocRequestOut(Schema):
    id: int
    operation: str
    channel: str
    state: str
    address_id: str
    address: str
    sent_at: dt.datetime
    confirmed_at: dt.datetime | None


# --- money corrections (BIL-7) ----------------------------------------------------------
class AdjustmentIn(Schema):
    """A charge (positive) or a credit (negative), optionally against one charge."""

    amount: Money = ""
    reason: str = ""
    entry: int | None = None


class VoidIn(Schema):
    reason: str = ""


class ReversalIn(Schema):
    """reason_code: returned_check | nsf | chargeback."""

    reason_code: str = ""
    note: str = ""


class RefundIn(Schema):
    """method: check | card."""

    amount: Money = ""
    method: str = ""
    reason: str = ""


class CorrectionEntryOut(LedgerEntryOut):
    reason: str
    reason_code: str | None
    corrects: int | None


class CorrectionOut(Schema):
    entry: CorrectionEntryOut
    balance: Decimal
    status: str


# --- onboarding and account care (issue 9) ---
class AddressIn(Schema):
    """NET-2: a UTOPIA address needs its address ID, unique among live accounts."""

    line1: str
    line2: str = ""
    city: str
    state: str
    postal_code: str
    address_id: str = ""


class AddressPatchIn(Schema):
    """Only the fields given change."""

    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    address_id: str | None = None


class ContractIn(Schema):
    """The scenario format's `contract:` (CON-1..3, CAN-8). kind: residential |
    commercial | utopia_lease. Residential digital: start, months (≤ 12), monthly;
    residential paper: signed; commercial: first_billing, months, monthly, etf_override;
    UTOPIA lease: start, months (default 12). Money is a string."""

    kind: str
    source: str | None = None
    start: dt.date | None = None
    months: int | None = None
    monthly: Money | None = None
    signed: dt.date | None = None
    first_billing: dt.date | None = None
    etf_override: Money | None = None

    def spec(self) -> dict:
        return {k: v for k, v in self.dict().items() if v is not None}


class AccountIn(Schema):
    """Every field of a scenario account. plan is a package code; premium_available is
    yes | no | unknown; contract is `none`, `unknown` or a ContractIn."""

    name: str
    kind: str
    network: str
    plan: str
    address: AddressIn
    phones: list[str] = []
    emails: list[str] = []
    service_start: dt.date | None = None
    bill_cycle_day: int | None = None
    opening_balance: Money = "0.00"
    premium_available: str = "unknown"
    contract: ContractIn | str | None = None


class AccountPatchIn(Schema):
    """Any of these; each change goes on the timeline with its old and new value (AUD-1)."""

    name: str | None = None
    phones: list[str] | None = None
    emails: list[str] | None = None
    address: AddressPatchIn | None = None


class ContractOut(Schema):
    id: int
    kind: str
    source: str
    start: dt.date
    months: int
    monthly: Decimal | None
    signed: dt.date | None
    etf_override: Decimal | None
    ends: dt.date
    penalty_free_on: dt.date | None
    current: bool


class EmailOut(Schema):
    """An email as written and its delivery state (pending, sent, failed)."""

    id: int
    to: list[str]
    cc: list[str]
    subject: str
    body: str
    status: str
    attempts: int
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
