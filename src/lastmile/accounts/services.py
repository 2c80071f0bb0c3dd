"""Every write to an account. Each records who, when and why (AUD-1)."""
from __future__ import annotations

import datetime as dt
import re

from django.db import transaction

from lastmile.core import clock, hooks, timeline
from lastmile.core.actors import Actor
from lastmile.core.choices import AccountKind, AccountStatus, Network
from lastmile.core.errors import InvalidInput, RuleRefusal
from lastmile.core.money import ZERO, money

from .choices import PremiumAvailability
from .models import Account, Email, Note, PaymentCard, Phone, ServiceAddress

_PHONE = re.compile(r"^[0-9+()\-. ]{7,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ADDRESS_FIELDS = ("line1", "city", "state", "postal_code")


def _next_number() -> str:
    last = Account.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return f"{100001 + last}"


@transaction.atomic
def account_create(
    *, name: str, kind: str, network: str, package, address: dict, service_start: dt.date,
    actor: Actor, phones=(), emails=(), autopay: bool = False, opening_balance=ZERO,
    bill_cycle_day: int | None = None, number: str | None = None,
    premium_available: str = PremiumAvailability.UNKNOWN, status: str = AccountStatus.ACTIVE,
) -> Account:
    """Open an account; a migrated one may bring an opening balance (issue 2)."""
    from lastmile.billing.services import opening_balance_post
    from lastmile.core import ispconfig

    actor.require("account.change", "opening an account")
    if not name or not name.strip():
        raise InvalidInput("an account needs the customer's name", field="name")
    if kind not in AccountKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(AccountKind.values)}", field="kind")
    if network not in Network.values:
        raise InvalidInput(f"network must be one of {', '.join(Network.values)}", field="network")
    if status not in AccountStatus.values:
        raise InvalidInput(f"status must be one of {', '.join(AccountStatus.values)}", field="status")
    if premium_available not in PremiumAvailability.values:
        raise InvalidInput("premium_available must be yes, no or unknown", field="premium_available")
    for key in _ADDRESS_FIELDS:
        if not str(address.get(key) or "").strip():
            raise InvalidInput(f"the service address needs {key}", field=f"address.{key}")
    if network == Network.UTOPIA and not str(address.get("address_id") or "").strip():
        raise InvalidInput("a UTOPIA account needs its UTOPIA address ID", field="address.address_id")
    for phone in phones:
        if not _PHONE.match(str(phone)):
            raise InvalidInput(f"{phone!r} is not a phone number", field="phones")
    for email in emails:
        if not _EMAIL.match(str(email)):
            raise InvalidInput(f"{email!r} is not an email address", field="emails")
    cycle = bill_cycle_day or ispconfig.current().bill_cycle_day
    if not 1 <= cycle <= 31:
        raise InvalidInput("the bill-cycle day must be 1 to 31", field="bill_cycle_day")
    opening = money(opening_balance)

    account = Account.objects.create(
        number=number or _next_number(), name=name.strip(), kind=kind, network=network,
        status=status, package=package, bill_cycle_day=cycle, autopay=autopay,
        service_start=service_start, created_at=clock.now(),
    )
    ServiceAddress.objects.create(
        account=account, line1=address["line1"], line2=address.get("line2", "") or "",
        city=address["city"], state=address["state"], postal_code=str(address["postal_code"]),
        address_id=str(address.get("address_id") or ""), premium_available=premium_available,
    )
    Phone.objects.bulk_create(
        [Phone(account=account, number=str(p), position=i) for i, p in enumerate(dict.fromkeys(phones))]
    )
    Email.objects.bulk_create(
        [Email(account=account, address=e, position=i) for i, e in enumerate(dict.fromkeys(emails))]
    )
    timeline.record(
        "account.created", account=account, actor=actor, number=account.number,
        plan=package.code, network=network, status=status,
    )
    if opening != ZERO:
        opening_balance_post(account=account, amount=opening, actor=actor)
    return account


@transaction.atomic
def account_status_set(*, account: Account, to: str, actor: Actor | str, reason: str = "") -> bool:
    """Change the status and record `account.status_changed`; no-op when already there."""
    if to not in AccountStatus.values:
        raise InvalidInput(f"status must be one of {', '.join(AccountStatus.values)}", field="status")
    account.refresh_from_db(fields=["status"])
    if account.status == to:
        return False
    previous = account.status
    Account.objects.filter(pk=account.pk).update(status=to)
    account.status = to
    timeline.record(
        "account.status_changed", account=account, actor=actor, why=reason,
        **{"from": previous, "to": to},
    )
    hooks.publish(hooks.STATUS_CHANGED, account=account, previous=previous, to=to, actor=actor)
    return True


@transaction.atomic
def portal_access_set(*, account: Account, enabled: bool, actor: Actor | str, reason: str = "") -> bool:
    """DLQ-8: the portal is off while service is shut off, so no online payment is taken."""
    account.refresh_from_db(fields=["portal_access"])
    if account.portal_access == enabled:
        return False
    Account.objects.filter(pk=account.pk).update(portal_access=enabled)
    account.portal_access = enabled
    timeline.record("portal.changed", account=account, actor=actor, why=reason, enabled=enabled)
    return True


@transaction.atomic
def note_add(*, account: Account, body: str, actor: Actor | str) -> Note:
    """TKT-2: notes are dated, signed and never edited."""
    if isinstance(actor, Actor):
        actor.require("ticket.work", "adding a note")
    if not body or not body.strip():
        raise InvalidInput("a note needs some text", field="body")
    return Note.objects.create(account=account, body=body.strip(), author=str(actor), written_at=clock.now())


_PAN = re.compile(r"^[0-9 -]{12,23}$")


@transaction.atomic
def card_add(
    *, account: Account, token: str, last4: str, actor: Actor, brand: str = "", why: str = ""
) -> PaymentCard:
    """BIL-6: a new card becomes the default; no card is ever edited or removed.

    The token comes from the card processor; a card number is refused outright.
    """
    actor.require("account.change", "adding a payment card")
    token = (token or "").strip()
    if not token:
        raise InvalidInput("a card needs the processor's token", field="token")
    if _PAN.match(token):
        raise InvalidInput("that looks like a card number; store only the processor's token", field="token")
    if not re.fullmatch(r"[0-9]{4}", str(last4 or "")):
        raise InvalidInput("last4 must be the card's last four digits", field="last4")
    card = PaymentCard.objects.create(
        account=account, token=token, last4=str(last4), brand=brand, added_at=clock.now(),
        added_by=str(actor),
    )
    note_add(
        account=account, actor=actor,
        body=f"Added card ending {last4}; it is now the default card. {why}".strip(),
    )
    timeline.record("card.added", account=account, actor=actor, why=why, last4=str(last4))
    return card


@transaction.atomic
def autopay_enable(*, account: Account, actor: Actor, card: PaymentCard | None = None) -> bool:
    """BIL-5 autopay; DLQ-5 lets an agent waive a reactivation fee when it is set up."""
    from .selectors import default_card

    actor.require("account.change", "setting up autopay")
    if card is None and default_card(account=account) is None:
        raise RuleRefusal("autopay needs a card on file; add the customer's card first", field="card")
    account.refresh_from_db(fields=["autopay"])
    if account.autopay:
        return False
    Account.objects.filter(pk=account.pk).update(autopay=True)
    account.autopay = True
    timeline.record("autopay.enabled", account=account, actor=actor)
    hooks.publish(hooks.CUSTOMER_CONTACTED, account=account, how="autopay", actor=actor)
    hooks.publish(hooks.AUTOPAY_ENABLED, account=account, actor=actor)
    return True


@transaction.atomic
def customer_contact_record(*, account: Account, how: str, actor: Actor) -> None:
    """DLQ-2: the customer was reached (called in, answered a call)."""
    actor.require("calltask.record", "recording that the customer was reached")
    timeline.record("customer.contacted", account=account, actor=actor, how=how)
    hooks.publish(hooks.CUSTOMER_CONTACTED, account=account, how=how, actor=actor)


@transaction.atomic
def premium_availability_set(*, account: Account, available: bool, actor: Actor, reason: str = "") -> None:
    """PKG-4: an admin's answer about the top package at this address."""
    actor.require("premium.review", "recording Premium availability")
    value = PremiumAvailability.YES if available else PremiumAvailability.NO
    ServiceAddress.objects.filter(account=account).update(premium_available=value)
    note_add(
        account=account, actor=actor,
        body=f"Premium is {'available' if available else 'not available'} at this address. {reason}".strip(),
    )
