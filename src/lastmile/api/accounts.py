"""Accounts: search, detail, timeline, notes (TKT-2), cards (BIL-6)."""
from __future__ import annotations

from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from lastmile.accounts import services as account_services
from lastmile.accounts.selectors import account_get

from . import selectors
from .auth import actor_of
from .common import ERRORS, account_detail, account_out, card_out, responses, timeline_out
from .schemas import AccountDetailOut, AccountOut, CardIn, CardOut, NoteIn, NoteOut, TimelineOut

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
