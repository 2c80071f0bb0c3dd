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
_STATE = re.compile(r"^[A-Za-z]{2}$")
_POSTAL = re.compile(r"^[0-9]{5}(-[0-9]{4})?$")
_ADDRESS_FIELDS = ("line1", "city", "state", "postal_code")
_ADDRESS_KEYS = ("line1", "line2", "city", "state", "postal_code", "address_id")
_LABELS = {"line1": "street line", "line2": "second line", "city": "city", "state": "state",
           "postal_code": "postal code", "address_id": "UTOPIA address ID"}
_MAX_LENGTH = {"line1": 200, "line2": 200, "city": 100, "address_id": 40}


def _next_number() -> str:
    last = Account.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return f"{100001 + last}"


def _clean_address(address, *, network: str, exclude_account=None, unique_id: bool = True) -> dict:
    """Every address field checked with a sentence naming it; the address ID is the
    key UTOPIA knows the premises by (NET-2), so two live accounts never share one."""
    if not isinstance(address, dict):
        raise InvalidInput("the service address must give line1, city, state and postal_code", field="address")
    for key in address:
        if key not in _ADDRESS_KEYS:
            raise InvalidInput(f"the service address has no field {key!r}; expected one of "
                               f"{', '.join(_ADDRESS_KEYS)}", field=f"address.{key}")
    clean = {k: str(address.get(k) or "").strip() for k in _ADDRESS_KEYS}
    for key in _ADDRESS_FIELDS:
        if not clean[key]:
            raise InvalidInput(f"the service address needs its {_LABELS[key]} ({key})", field=f"address.{key}")
    for key, limit in _MAX_LENGTH.items():
        if len(clean[key]) > limit:
            raise InvalidInput(f"the address {_LABELS[key]} is longer than {limit} characters",
                               field=f"address.{key}")
    if not _STATE.match(clean["state"]):
        raise InvalidInput(f"state {clean['state']!r} is not a two-letter state code such as UT",
                           field="address.state")
    clean["state"] = clean["state"].upper()
    if not _POSTAL.match(clean["postal_code"]):
        raise InvalidInput(f"postal code {clean['postal_code']!r} is not a ZIP code (84057 or 84057-1234)",
                           field="address.postal_code")
    if network == Network.UTOPIA and not clean["address_id"]:
        raise InvalidInput("a UTOPIA account needs its UTOPIA address ID", field="address.address_id")
    if clean["address_id"] and unique_id:
        _address_id_free(clean["address_id"], exclude_account=exclude_account)
    return clean


def _address_id_free(address_id: str, *, exclude_account=None) -> None:
    """NET-2: a suspend or a cancel goes to UTOPIA by address ID, so one ID names one
    live account. A cancelled account no longer holds its address (a new tenant may
    move in)."""
    qs = ServiceAddress.objects.filter(address_id__iexact=address_id).exclude(
        account__status=AccountStatus.CANCELLED
    ).select_related("account")
    if exclude_account is not None:
        qs = qs.exclude(account=exclude_account)
    holder = qs.first()
    if holder is not None:
        raise RuleRefusal(
            f"address ID {address_id} is already the service address of account {holder.account.number} "
            f"({holder.account.name})", field="address.address_id",
        )


def _clean_phones(phones) -> list[str]:
    if isinstance(phones, str) or not isinstance(phones, (list, tuple)):
        raise InvalidInput("phones must be a list of phone numbers", field="phones")
    clean = [str(p).strip() for p in phones if str(p).strip()]
    for phone in clean:
        if not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < 7:
            raise InvalidInput(f"{phone!r} is not a phone number (digits, spaces, + - ( ) and dots; "
                               "7 to 20 characters)", field="phones")
    return list(dict.fromkeys(clean))


def _clean_emails(emails) -> list[str]:
    if isinstance(emails, str) or not isinstance(emails, (list, tuple)):
        raise InvalidInput("emails must be a list of email addresses", field="emails")
    clean = [str(e).strip() for e in emails if str(e).strip()]
    for email in clean:
        if not _EMAIL.match(email) or len(email) > 254:
            raise InvalidInput(f"{email!r} is not an email address", field="emails")
    return list(dict.fromkeys(clean))


def _clean_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("an account needs the customer's name", field="name")
    if len(name.strip()) > 200:
        raise InvalidInput("the customer's name is longer than 200 characters", field="name")
    return name.strip()


@transaction.atomic
def account_create(
    *, name: str, kind: str, network: str, package, address: dict, service_start: dt.date,
    actor: Actor, phones=(), emails=(), autopay: bool = False, opening_balance=ZERO,
    bill_cycle_day: int | None = None, number: str | None = None,
    premium_available: str = PremiumAvailability.UNKNOWN, status: str = AccountStatus.ACTIVE,
    unique_address_id: bool = False,
) -> Account:
    """Open an account; a migrated one may bring an opening balance (issue 2). A
    contract given at opening is recorded by `cancellations.services.account_open`
    (contracts belong to that context, which sits above this one).

    Everything is checked before the first row is written, and it is all one
    transaction: a refusal leaves nothing behind. A person onboarding a customer
    (`account_open`) may not reuse a live account's address ID; the scenario loader,
    the demo and the test builders keep their old freedom (scenarios.md stays
    compatible)."""
    from lastmile.billing.services import opening_balance_post
    from lastmile.core import ispconfig
    from lastmile.core.money import MoneyError

    actor.require("account.create", "opening an account")
    name = _clean_name(name)
    if kind not in AccountKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(AccountKind.values)}", field="kind")
    if network not in Network.values:
        raise InvalidInput(f"network must be one of {', '.join(Network.values)}", field="network")
    if status not in AccountStatus.values:
        raise InvalidInput(f"status must be one of {', '.join(AccountStatus.values)}", field="status")
    if premium_available not in PremiumAvailability.values:
        raise InvalidInput("premium_available must be yes, no or unknown", field="premium_available")
    if package is None:
        raise InvalidInput("an account needs a plan", field="plan")
    if not isinstance(service_start, dt.date) or isinstance(service_start, dt.datetime):
        raise InvalidInput("the service start must be a date (YYYY-MM-DD)", field="service_start")
    clean_address = _clean_address(address, network=network, unique_id=unique_address_id)
    phones = _clean_phones(list(phones))
    emails = _clean_emails(list(emails))
    cycle = ispconfig.current().bill_cycle_day if bill_cycle_day is None else bill_cycle_day
    if isinstance(cycle, bool) or not isinstance(cycle, int) or not 1 <= cycle <= 31:
        raise InvalidInput(f"the bill-cycle day must be a day of the month, 1 to 31, not {cycle!r}",
                           field="bill_cycle_day")
    try:
        opening = money(opening_balance)
    except MoneyError as exc:
        raise InvalidInput(f"opening balance: {exc}", field="opening_balance") from None
    if number is not None and Account.objects.filter(number=number).exists():
        raise RuleRefusal(f"there is already an account {number}", field="number")

    account = Account.objects.create(
        number=number or _next_number(), name=name, kind=kind, network=network,
        status=status, package=package, bill_cycle_day=cycle, autopay=autopay,
        service_start=service_start, created_at=clock.now(),
    )
    ServiceAddress.objects.create(account=account, premium_available=premium_available, **clean_address)
    Phone.objects.bulk_create([Phone(account=account, number=p, position=i) for i, p in enumerate(phones)])
    Email.objects.bulk_create([Email(account=account, address=e, position=i) for i, e in enumerate(emails)])
    timeline.record(
        "account.created", account=account, actor=actor, number=account.number,
        plan=package.code, network=network, status=status,
    )
    if opening != ZERO:
        opening_balance_post(account=account, amount=opening, actor=actor)
    return account


def _changed(account, actor, field: str, old, new) -> None:
    """AUD-1: every change names its field with the value before and after."""
    timeline.record("account.changed", account=account, actor=actor, field=field, old=old, new=new)


def _joined(values) -> str:
    return ", ".join(values) if values else "(none)"


@transaction.atomic
def account_contacts_update(*, account: Account, actor: Actor, phones=None, emails=None) -> list[str]:
    """Replace the phones and/or emails (in the order given; the first is the one
    called and written to first). Returns the fields that changed."""
    from .selectors import email_addresses, phone_numbers

    actor.require("account.change", "changing contact details")
    Account.objects.select_for_update().filter(pk=account.pk).first()
    changed = []
    if phones is not None:
        new = _clean_phones(phones)
        old = phone_numbers(account=account)
        if new != old:
            # a number kept keeps what is known of it: whether it takes texts (NOT-1)
            mobile = set(Phone.objects.filter(account=account, mobile=True).values_list("number", flat=True))
            Phone.objects.filter(account=account).delete()
            Phone.objects.bulk_create([Phone(account=account, number=p, position=i, mobile=p in mobile)
                                       for i, p in enumerate(new)])
            _changed(account, actor, "phones", _joined(old), _joined(new))
            changed.append("phones")
    if emails is not None:
        new = _clean_emails(emails)
        old = email_addresses(account=account)
        if new != old:
            Email.objects.filter(account=account).delete()
            Email.objects.bulk_create([Email(account=account, address=e, position=i) for i, e in enumerate(new)])
            _changed(account, actor, "emails", _joined(old), _joined(new))
            changed.append("emails")
    return changed


@transaction.atomic
def account_address_update(*, account: Account, actor: Actor, address: dict) -> list[str]:
    """Change the service address; fields not given keep their value. The address ID
    stays unique (NET-2) and a UTOPIA account keeps one."""
    actor.require("account.change", "changing the service address")
    Account.objects.select_for_update().filter(pk=account.pk).first()
    if not isinstance(address, dict):
        raise InvalidInput("the service address must be a mapping of its fields", field="address")
    current = ServiceAddress.objects.filter(account=account).first()
    before = {k: getattr(current, k) for k in _ADDRESS_KEYS} if current else dict.fromkeys(_ADDRESS_KEYS, "")
    merged = {**before, **{k: v for k, v in address.items() if v is not None}}
    clean = _clean_address(merged, network=account.network, exclude_account=account)
    if clean == before:
        return []
    changed = []
    if current is None:
        current = ServiceAddress.objects.create(account=account, **clean)
    else:
        ServiceAddress.objects.filter(pk=current.pk).update(**clean)
        current.refresh_from_db()
    old_line = ServiceAddress(**{k: before[k] for k in _ADDRESS_KEYS}).one_line()
    if old_line != current.one_line():
        _changed(account, actor, "address", old_line, current.one_line())
        changed.append("address")
    if before["address_id"] != clean["address_id"]:
        _changed(account, actor, "address_id", before["address_id"] or "(none)", clean["address_id"] or "(none)")
        changed.append("address_id")
    account._state.fields_cache.pop("address", None)  # the next read sees the new address
    return changed


@transaction.atomic
def account_update(*, account: Account, actor: Actor, name=None, phones=None, emails=None,
                   address=None) -> list[str]:
    """One change of any of name, phones, emails and address (the API's PATCH): all of
    it or none of it. Returns the fields that changed."""
    actor.require("account.change", "changing an account")
    changed = []
    if name is not None:
        new = _clean_name(name)
        account.refresh_from_db(fields=["name"])
        if new != account.name:
            old = account.name
            Account.objects.filter(pk=account.pk).update(name=new)
            account.name = new
            _changed(account, actor, "name", old, new)
            changed.append("name")
    if phones is not None or emails is not None:
        changed += account_contacts_update(account=account, actor=actor, phones=phones, emails=emails)
    if address is not None:
        changed += account_address_update(account=account, actor=actor, address=address)
    return changed


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
