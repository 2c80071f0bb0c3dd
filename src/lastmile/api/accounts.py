"""Accounts: search, detail, timeline, notes (TKT-2), cards (BIL-6); onboarding and
account care (issue 9): open, change contacts and address, contracts, emails as sent."""
from __future__ import annotations

from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from lastmile.accounts import services as account_services
from lastmile.accounts.selectors import account_get
from lastmile.cancellations import services as can_services

from . import selectors
from .auth import actor_of
from .common import ERRORS, account_detail, account_out, card_out, responses, timeline_out
from .schemas import (
    AccountDetailOut,
    AccountIn,
    AccountOut,
    AccountPatchIn,
    CardIn,
    CardOut,
    ContractIn,
    ContractOut,
    EmailOut,
    NoteIn,
    NoteOut,
    TimelineOut,
)

router = Router(tags=["accounts"])


@router.get("/accounts", response=list[AccountOut])
@paginate(LimitOffsetPagination)
def accounts_list(request, q: str = ""):
    """Search by name, address, UTOPIA address ID or account number (every account without `q`)."""
    return [account_out(a) for a in selectors.account_list(query=q)]


@router.get("/accounts/{number}", response=responses(AccountDetailOut))
def account_detail_get(request, number: str):
    return account_detail(account_get(number=number))


@router.get("/accounts/{number}/timeline", response={200: list[TimelineOut], **ERRORS})
@paginate(LimitOffsetPagination)
def account_timeline(request, number: str, type: str = "", newest_first: bool = False):
    """The account's timeline: the records the simulator prints (AUD-1), oldest first.

    `type` filters by one or more comma-separated types (`payment.posted,charge.posted`).
    """
    account = account_get(number=number)
    types = [t.strip() for t in type.split(",") if t.strip()] or None
    return [timeline_out(r) for r in selectors.account_timeline(account=account, newest_first=newest_first,
                                                                types=types)]


@router.get("/accounts/{number}/notes", response=responses(list[NoteOut]))
def notes_list(request, number: str):
    """TKT-2: dated, signed, never edited (there is no endpoint to change one)."""
    return list(selectors.account_notes(account=account_get(number=number)))


@router.post("/accounts/{number}/notes", response=responses(NoteOut, 201))
def note_add(request, number: str, payload: NoteIn):
    note = account_services.note_add(account=account_get(number=number), body=payload.body,
                                     actor=actor_of(request))
    return Status(201, note)


@router.get("/accounts/{number}/cards", response=responses(list[CardOut]))
def cards_list(request, number: str):
    """BIL-6: the newest card is the default; only last4 and brand are shown."""
    cards = selectors.account_cards(account=account_get(number=number))
    return [card_out(c, default=i == 0) for i, c in enumerate(cards)]


@router.post("/accounts/{number}/cards", response=responses(CardOut, 201))
def card_add(request, number: str, payload: CardIn):
    """BIL-6: adds a card and makes it the default; a card number instead of a token is refused."""
    card = account_services.card_add(
        account=account_get(number=number), token=payload.token, last4=payload.last4,
        brand=payload.brand, why=payload.why, actor=actor_of(request),
    )
    return Status(201, card_out(card, default=True))


@router.post("/accounts/{number}/autopay", response=responses(AccountDetailOut))
def autopay_enable(request, number: str):
    """BIL-5: autopay charges the default card on the due date (needs a card on file)."""
    account = account_get(number=number)
    account_services.autopay_enable(account=account, actor=actor_of(request))
    return account_detail(account_get(number=number))


# --- onboarding and account care (issue 9) ---
def _premium(value: str) -> str:
    return {"true": "yes", "false": "no"}.get(str(value).strip().lower(), str(value).strip().lower())


@router.post("/accounts", response=responses(AccountDetailOut, 201))
def account_open(request, payload: AccountIn):
    """Open an account with every field of a scenario account (needs `account.create`).
    A UTOPIA address needs its address ID, unique among live accounts (409 names the
    account that holds it). Everything is checked first; a refusal creates nothing."""
    from lastmile.catalog.models import Package
    from lastmile.core import clock
    from lastmile.core.errors import InvalidInput

    package = Package.objects.filter(code=payload.plan).first()
    if package is None:
        known = ", ".join(Package.objects.order_by("monthly").values_list("code", flat=True))
        raise InvalidInput(f"there is no plan {payload.plan!r}; the plans are {known}", field="plan")
    contract = payload.contract.spec() if isinstance(payload.contract, ContractIn) else payload.contract
    account = can_services.account_open(
        name=payload.name, kind=payload.kind, network=payload.network, package=package,
        address=payload.address.dict(), phones=payload.phones, emails=payload.emails,
        service_start=payload.service_start or clock.today(), bill_cycle_day=payload.bill_cycle_day,
        opening_balance=payload.opening_balance, premium_available=_premium(payload.premium_available),
        contract=contract, actor=actor_of(request),
    )
    return Status(201, account_detail(account_get(number=account.number)))


@router.patch("/accounts/{number}", response=responses(AccountDetailOut))
def account_patch(request, number: str, payload: AccountPatchIn):
    """Change any of name, phones, emails and address (needs `account.change`); each
    change is an `account.changed` timeline record with its field, old and new value."""
    account = account_get(number=number)
    address = None if payload.address is None else {
        k: v for k, v in payload.address.dict().items() if v is not None}
    account_services.account_update(account=account, actor=actor_of(request), name=payload.name,
                                    phones=payload.phones, emails=payload.emails, address=address)
    return account_detail(account_get(number=number))


@router.get("/accounts/{number}/contracts", response=responses(list[ContractOut]))
def contracts_list(request, number: str):
    """CON-1..3 and CAN-8: every contract row, its end, the lease's penalty-free day, and
    which one counts (CON-2: the latest)."""
    from lastmile.accounts.selectors import contracts_on_file

    return contracts_on_file(account=account_get(number=number))


@router.post("/accounts/{number}/contracts", response=responses(list[ContractOut], 201))
def contract_add(request, number: str, payload: ContractIn):
    """Add a contract (CON-1..3) or a UTOPIA lease (CAN-8); answers with the rows added
    (a paper contract signed several times gives one row per signature)."""
    from lastmile.accounts.selectors import contracts_on_file
    from lastmile.cancellations.services import contract_add as add

    account = account_get(number=number)
    added = {c.pk for c in add(account=account, contract=payload.spec(), actor=actor_of(request))}
    return Status(201, [row for row in contracts_on_file(account=account) if row["id"] in added])


@router.get("/accounts/{number}/emails", response=responses(list[EmailOut]))
def emails_list(request, number: str):
    """The account's emails as written, newest first, with their delivery state."""
    from lastmile.comms.selectors import account_emails

    return list(account_emails(account=account_get(number=number)))


class TextsIn(Schema):
    mobile: list[str] | None = None  # the account's numbers that take texts; the others do not
    opted_out: bool | None = None  # the customer asked for no texts


class TextsOut(Schema):
    phones: list[str]
    mobile: list[str]
    opted_out: bool


@router.get("/accounts/{number}/texts", response=responses(TextsOut))
def texts_get(request, number: str):
    """Which of the account's numbers take the delinquency notices as texts (NOT-1)."""
    from lastmile.comms.selectors import text_preferences

    return text_preferences(account=account_get(number=number))


@router.put("/accounts/{number}/texts", response=responses(TextsOut))
def texts_put(request, number: str, payload: TextsIn):
    """Mark the mobile numbers and the customer's opt-out (needs `account.change`);
    opting out skips the texts not yet sent."""
    from lastmile.comms.selectors import text_preferences
    from lastmile.comms.services import texts_set

    account = account_get(number=number)
    texts_set(account=account, actor=actor_of(request), mobile=payload.mobile, opted_out=payload.opted_out)
    return text_preferences(account=account)
