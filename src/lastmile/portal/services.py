"""What a customer does in the portal (POR-1, POR-2): every write checks that the
portal is open for the account (DLQ-8) and acts only on the signed-in account.

The customer acts as `customer <number> (portal)`: an actor with the agent's
capabilities, which the portal's views only ever use on the customer's own account,
so the services' own rules (BIL-6, BIL-7, PKG-1..10) apply to the customer exactly
as to an agent on the phone.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from decimal import Decimal

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from lastmile.accounts import services as account_services
from lastmile.accounts.models import Account
from lastmile.accounts.selectors import default_card, email_addresses
from lastmile.billing.processors import ChargeResult
from lastmile.billing.processors.models import AttemptPurpose, AttemptStatus, ProcessorPayment
from lastmile.billing.processors.services import card_payment_take
from lastmile.billing.selectors import balance
from lastmile.comms.services import email_send
from lastmile.core import clock, ispconfig, timeline
from lastmile.core.actors import Actor
from lastmile.core.choices import Role
from lastmile.core.errors import InvalidInput, NotFound, RuleRefusal
from lastmile.core.money import ZERO, MoneyError, money, money_text
from lastmile.plans.choices import Consent
from lastmile.plans.services import plan_change_request

from .models import PasswordLink, PortalLogin, SignInFailure

LINK_HOURS = 24
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
CONSENT_REFERENCE = "customer portal"
_ATTEMPT = re.compile(r"^[0-9a-f]{32}$")


def customer_actor(account: Account) -> Actor:
    return Actor(name=f"customer {account.number} (portal)", roles=frozenset({Role.AGENT}))


def shut_off_sentence() -> str:
    return f"call us at {ispconfig.current().isp_phone} to restore service"


def require_open(account: Account, what: str) -> None:
    """POR-2 / DLQ-8: while portal access is off the customer sees the balance only."""
    account.refresh_from_db(fields=["portal_access"])
    if not account.portal_access:
        raise RuleRefusal(f"{what} is not possible online while your service is shut off; "
                          f"{shut_off_sentence()}", field="portal")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- the password link -------------------------------------------------------------
@transaction.atomic
def password_link_send(*, number: str, email: str, link_base: str) -> bool:
    """Email a one-time link to set the password, if `email` is one of the account's
    addresses. The caller shows the same sentence either way (no one learns which
    accounts or addresses exist); True when a link was sent."""
    number, email = (number or "").strip(), (email or "").strip().lower()
    if not number:
        raise InvalidInput("give your account number (it is on your statement)", field="number")
    if not email:
        raise InvalidInput("give the email address we have on file for you", field="email")
    account = Account.objects.filter(number=number).first()
    if account is None or email not in [a.lower() for a in email_addresses(account=account)]:
        return False
    now = clock.now()
    login, _ = PortalLogin.objects.get_or_create(account=account, defaults={"created_at": now})
    token = secrets.token_urlsafe(32)
    link = PasswordLink.objects.create(login=login, token_hash=_hash(token), sent_to=email, created_at=now,
                                       expires_at=now + dt.timedelta(hours=LINK_HOURS))
    email_send(template="portal_set_password", to=[email], account=account, actor=customer_actor(account),
               context={"link": f"{link_base.rstrip('/')}/{token}/", "hours": LINK_HOURS},
               key=f"portal_link:{link.pk}", reason="the customer asked for a portal password link")
    return True


def _link(token: str) -> PasswordLink:
    link = PasswordLink.objects.select_related("login__account").filter(token_hash=_hash(token or "")).first()
    if link is None:
        raise NotFound("this link is not valid; ask for a new one", field="token")
    if link.used_at is not None:
        raise RuleRefusal("this link was already used; ask for a new one if you need to set your password again",
                          field="token")
    if clock.now() >= link.expires_at:
        raise RuleRefusal(f"this link expired (a link works for {LINK_HOURS} hours); ask for a new one",
                          field="token")
    return link


def password_link_check(*, token: str) -> Account:
    return _link(token).login.account


@transaction.atomic
def password_set(*, token: str, password: str, again: str) -> Account:
    """POR-1: the link works once and for 24 hours; the password is kept hashed."""
    link = _link(token)
    if password != again:
        raise InvalidInput("the two passwords are not the same", field="again")
    if len(password or "") < 10:
        raise InvalidInput("use at least 10 characters", field="password")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from None
    now = clock.now()
    claimed = PasswordLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now)
    if not claimed:
        raise RuleRefusal("this link was already used; ask for a new one", field="token")
    PortalLogin.objects.filter(pk=link.login_id).update(password=make_password(password), password_set_at=now)
    PasswordLink.objects.filter(login_id=link.login_id, used_at__isnull=True).update(used_at=now)
    account = link.login.account
    timeline.record("portal.password_set", account=account, actor=customer_actor(account))
    return account


# --- sign-in ------------------------------------------------------------------------
def _too_many(number: str, ip: str) -> bool:
    since = clock.now() - FAILURE_WINDOW
    recent = SignInFailure.objects.filter(at__gte=since)
    return (recent.filter(account_number=number).count() >= MAX_FAILURES
            or (bool(ip) and recent.filter(ip=ip).count() >= MAX_FAILURES * 4))


def sign_in(*, number: str, password: str, ip: str = "") -> Account:
    """The customer's account for a right number and password; 5 failures in 15
    minutes for an account lock it for the rest of the window (20 for one address)."""
    number = (number or "").strip()
    if _too_many(number, ip):
        logging.getLogger("lastmile.security").warning(  # issue 15: a lock is logged
            "portal sign-in locked: too many failures in %s for account %r from %s", FAILURE_WINDOW, number[:40], ip)
        raise RuleRefusal(f"too many failed sign-ins; wait 15 minutes and try again, or call us at "
                          f"{ispconfig.current().isp_phone}", field="password")
    login = PortalLogin.objects.select_related("account").filter(account__number=number).first()
    if login is None or not login.password or not check_password(password or "", login.password):
        SignInFailure.objects.create(account_number=number[:40], ip=ip[:64], at=clock.now())
        raise InvalidInput("the account number or the password is not right", field="password")
    PortalLogin.objects.filter(pk=login.pk).update(last_sign_in_at=clock.now())
    return login.account


# --- what the customer does -----------------------------------------------------------
def payment_make(*, account: Account, amount, attempt: str) -> tuple:
    """POR-1: pay the balance or a chosen amount with the default card (BIL-6).

    `attempt` comes with the form, so a double click or a reload of the same form is
    one charge (it is the processor's idempotency key and the ledger's natural key).
    """
    require_open(account, "a payment")
    if not _ATTEMPT.match(attempt or ""):
        raise InvalidInput("the payment form is out of date; open it again", field="attempt")
    key = f"portal:{account.pk}:{attempt}"
    done = ProcessorPayment.objects.filter(idempotency_key=key).first()
    if done is not None:  # the same form sent again: what became of it, and nothing more
        return ChargeResult(done.status == AttemptStatus.SUCCEEDED, done.intent_id or "", done.message,
                            pending=done.status == AttemptStatus.PENDING), None
    if amount is None or (isinstance(amount, str) and not amount.strip()):
        amount = balance(account=account)
        if amount <= ZERO:
            raise RuleRefusal("there is nothing to pay: your balance is $0.00 or in credit", field="amount")
    try:
        amount = money(money_text(amount) if isinstance(amount, str) else amount)  # issue 15
    except MoneyError as exc:
        raise InvalidInput(str(exc), field="amount") from None
    if amount <= ZERO:
        raise InvalidInput("the amount must be more than $0.00", field="amount")
    card = default_card(account=account)
    if card is None:
        raise RuleRefusal("add a card first, then pay", field="card")
    actor = customer_actor(account)
    return card_payment_take(account=account, amount=Decimal(amount), card=card,
                             idempotency_key=key, actor=actor,
                             purpose=AttemptPurpose.PORTAL, reason="paid by the customer in the portal")


def card_add(*, account: Account, token: str, last4: str, brand: str = ""):
    """BIL-6: the new card is added and becomes the default; nothing is edited."""
    require_open(account, "adding a card")
    return account_services.card_add(account=account, token=token, last4=last4, brand=brand,
                                     actor=customer_actor(account), why="Added by the customer in the portal.")


@transaction.atomic
def autopay_set(*, account: Account, enabled: bool) -> bool:
    """BIL-5: the customer turns autopay on (a card is needed) or off."""
    require_open(account, "changing autopay")
    actor = customer_actor(account)
    if enabled:
        return account_services.autopay_enable(account=account, actor=actor)
    account.refresh_from_db(fields=["autopay"])
    if not account.autopay:
        return False
    Account.objects.filter(pk=account.pk).update(autopay=False)
    account.autopay = False
    timeline.record("autopay.disabled", account=account, actor=actor, why="turned off by the customer in the portal")
    return True


def plan_change_ask(*, account: Account, to: str, reason: str = "", speed_issues: bool = False):
    """PKG-1..10 as for an agent: consent `written`, referenced as the customer portal;
    the customer is signed in, so identity is verified (PKG-6)."""
    require_open(account, "a plan change")
    return plan_change_request(account=account, to=to, actor=customer_actor(account), reason=reason,
                               speed_issues=speed_issues, consent=Consent.WRITTEN,
                               consent_reference=CONSENT_REFERENCE, identity_verified=True)
