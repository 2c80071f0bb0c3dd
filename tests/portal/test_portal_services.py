"""The customer portal's services (POR-1, POR-2, DLQ-8, BIL-5, BIL-6, PKG-1..10): each
refusal is read by its sentence."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lastmile.accounts.models import PaymentCard
from lastmile.accounts.services import portal_access_set
from lastmile.billing.models import LedgerEntry
from lastmile.billing.services import charge_post
from lastmile.comms.models import OutboxMessage
from lastmile.core.actors import automation
from lastmile.core.errors import InvalidInput, NotFound, RuleRefusal
from lastmile.core.models import TimelineEntry
from lastmile.plans.models import PlanChange
from lastmile.portal import services
from lastmile.portal.models import PortalLogin
from lastmile.tickets.models import Ticket
from tests.mixins import make_account
from tests.portal.conftest import PASSWORD, link_token

ATTEMPT = "0123456789abcdef0123456789abcdef"


def _owes(account, amount="65.00"):
    charge_post(account=account, kind="recurring", amount=amount, actor="automation", description="September")


def _shut_off(account):
    portal_access_set(account=account, enabled=False, actor=automation("test"), reason="shut off (DLQ-8)")


def _card(account, token="tok_test_1"):
    return services.card_add(account=account, token=token, last4="4242", brand="visa")


# --- POR-1: the emailed one-time link -------------------------------------------------------
def test_por1_the_link_is_emailed_through_the_outbox_and_keeps_only_a_hash(db, today, catalog):
    account = make_account()
    assert services.password_link_send(number=account.number, email="ANA@example.test",
                                       link_base="http://isp.example/portal/password/set/")
    message = OutboxMessage.objects.get(template="portal_set_password")
    assert message.to == ["ana@example.test"] and "works once, for 24 hours" in message.body
    token = link_token(account)
    assert token not in str(list(PortalLogin.objects.values())) and len(token) > 30
    assert services.password_link_check(token=token) == account


def test_por1_no_link_for_an_address_not_on_file(db, today, catalog):
    account = make_account()
    assert services.password_link_send(number=account.number, email="someone@else.test", link_base="http://x/portal/password/set/") is False
    assert services.password_link_send(number="999999", email="ana@example.test", link_base="http://x/portal/password/set/") is False
    assert not OutboxMessage.objects.filter(template="portal_set_password").exists()
    with pytest.raises(InvalidInput, match="give your account number"):
        services.password_link_send(number=" ", email="a@b.test", link_base="http://x/portal/password/set/")


def test_por1_the_link_works_once(customer):
    with pytest.raises(RuleRefusal, match="this link was already used; ask for a new one"):
        services.password_set(token=link_token(customer), password="another pass 9", again="another pass 9")


def test_por1_the_link_expires_after_24_hours(db, today, catalog):
    account = make_account()
    services.password_link_send(number=account.number, email="ana@example.test", link_base="http://x/portal/password/set/")
    today.advance(hours=24)
    with pytest.raises(RuleRefusal, match=r"this link expired \(a link works for 24 hours\); ask for a new one"):
        services.password_set(token=link_token(account), password=PASSWORD, again=PASSWORD)
    with pytest.raises(NotFound, match="this link is not valid"):
        services.password_link_check(token="made-up")


def test_por1_password_rules(db, today, catalog):
    account = make_account()
    services.password_link_send(number=account.number, email="ana@example.test", link_base="http://x/portal/password/set/")
    token = link_token(account)
    with pytest.raises(InvalidInput, match="the two passwords are not the same"):
        services.password_set(token=token, password=PASSWORD, again=PASSWORD + "x")
    with pytest.raises(InvalidInput, match="use at least 10 characters"):
        services.password_set(token=token, password="short", again="short")
    assert services.password_set(token=token, password=PASSWORD, again=PASSWORD) == account


# --- sign-in and its rate limit ---------------------------------------------------------------
def test_por1_sign_in_with_the_account_number_and_password(customer):
    assert services.sign_in(number=customer.number, password=PASSWORD, ip="127.0.0.1") == customer
    with pytest.raises(InvalidInput, match="the account number or the password is not right"):
        services.sign_in(number=customer.number, password="wrong one!", ip="127.0.0.1")


def test_por1_five_failures_in_15_minutes_lock_the_sign_in(customer, today):
    for _ in range(5):
        with pytest.raises(InvalidInput):
            services.sign_in(number=customer.number, password="guess", ip="10.9.9.9")
    with pytest.raises(RuleRefusal, match="too many failed sign-ins; wait 15 minutes and try again, or call us at"):
        services.sign_in(number=customer.number, password=PASSWORD, ip="127.0.0.1")
    today.advance(minutes=16)
    assert services.sign_in(number=customer.number, password=PASSWORD, ip="127.0.0.1") == customer


def test_por1_a_staff_login_is_no_portal_login(customer, django_user_model):
    django_user_model.objects.create_user("alice", "alice@example.test", "pw alice 42", is_staff=True)
    with pytest.raises(InvalidInput, match="the account number or the password is not right"):
        services.sign_in(number="alice", password="pw alice 42")


# --- paying ---------------------------------------------------------------------------------------
def test_por1_pay_the_balance_with_the_default_card(customer):
    _owes(customer)
    _card(customer)
    result, entry = services.payment_make(account=customer, amount=None, attempt=ATTEMPT)
    assert result.approved and entry.amount == Decimal("-65.00") and entry.method == "card"
    assert entry.actor == f"customer {customer.number} (portal)"
    # the same form sent again is the same attempt: nothing more is charged or posted
    services.payment_make(account=customer, amount=None, attempt=ATTEMPT)
    assert LedgerEntry.objects.filter(account=customer, entry_type="payment").count() == 1


def test_por1_pay_a_chosen_amount_and_a_declined_card_posts_nothing(customer):
    _owes(customer)
    _card(customer)
    _result, entry = services.payment_make(account=customer, amount="20.00", attempt=ATTEMPT)
    assert entry.amount == Decimal("-20.00")
    _card(customer, token="decline_test_1")  # BIL-6: the new card is the default
    result, entry = services.payment_make(account=customer, amount="45.00", attempt="f" * 32)
    assert entry is None and result.message == "card declined"
    assert TimelineEntry.objects.filter(account=customer, type="payment.declined").count() == 1


def test_por1_payment_refusals(customer):
    with pytest.raises(RuleRefusal, match=r"there is nothing to pay: your balance is \$0.00 or in credit"):
        services.payment_make(account=customer, amount=None, attempt=ATTEMPT)
    _owes(customer)
    with pytest.raises(RuleRefusal, match="add a card first, then pay"):
        services.payment_make(account=customer, amount="10", attempt=ATTEMPT)
    with pytest.raises(InvalidInput, match=r"the amount must be more than \$0.00"):
        services.payment_make(account=customer, amount="0", attempt=ATTEMPT)
    with pytest.raises(InvalidInput, match="the payment form is out of date; open it again"):
        services.payment_make(account=customer, amount="10", attempt="../../x")


def test_por2_dlq8_no_payment_no_card_no_autopay_no_change_while_shut_off(customer):
    _owes(customer)
    _card(customer)
    _shut_off(customer)
    sentence = "is not possible online while your service is shut off; call us at 801-555-0100 to restore service"
    with pytest.raises(RuleRefusal, match=f"a payment {sentence}"):
        services.payment_make(account=customer, amount=None, attempt=ATTEMPT)
    with pytest.raises(RuleRefusal, match=f"adding a card {sentence}"):
        _card(customer, token="tok_test_2")
    with pytest.raises(RuleRefusal, match=f"changing autopay {sentence}"):
        services.autopay_set(account=customer, enabled=True)
    with pytest.raises(RuleRefusal, match=f"a plan change {sentence}"):
        services.plan_change_ask(account=customer, to="basic")
    assert not LedgerEntry.objects.filter(account=customer, entry_type="payment").exists()
    assert PaymentCard.objects.filter(account=customer).count() == 1 and not PlanChange.objects.exists()


# --- autopay and cards ---------------------------------------------------------------------------------
def test_bil5_autopay_on_needs_a_card_and_turns_off(customer):
    with pytest.raises(RuleRefusal, match="autopay needs a card on file"):
        services.autopay_set(account=customer, enabled=True)
    _card(customer)
    assert services.autopay_set(account=customer, enabled=True) is True
    customer.refresh_from_db()
    assert customer.autopay
    assert services.autopay_set(account=customer, enabled=False) is True
    customer.refresh_from_db()
    assert not customer.autopay
    assert TimelineEntry.objects.filter(account=customer, type="autopay.disabled").count() == 1


def test_bil6_a_new_card_is_added_and_becomes_the_default(customer):
    first = _card(customer, token="tok_test_a")
    second = services.card_add(account=customer, token="tok_test_b", last4="1111")
    cards = list(PaymentCard.objects.filter(account=customer).order_by("-added_at", "-id"))
    assert cards[0] == second and first in cards  # nothing edited or removed
    with pytest.raises(InvalidInput, match="that looks like a card number"):
        services.card_add(account=customer, token="4242424242424242", last4="4242")


# --- plan changes (PKG-1..10) ---------------------------------------------------------------------------
def test_pkg6_a_portal_change_records_written_consent_from_the_customer_portal(customer):
    change = services.plan_change_ask(account=customer, to="basic")
    assert change.status == "applied" and change.consent == "written"
    assert change.consent_reference == "customer portal" and change.identity_verified
    customer.refresh_from_db()
    assert customer.package.code == "basic"


def test_pkg3_premium_asks_the_reason_and_speed_problems_become_a_ticket(customer):
    with pytest.raises(RuleRefusal, match="record the reason before upgrading"):
        services.plan_change_ask(account=customer, to="premium", reason="")
    change = services.plan_change_ask(account=customer, to="premium", reason="slow evenings", speed_issues=True)
    assert change.status == "refused"
    assert Ticket.objects.get(account=customer, kind="troubleshooting").pk == change.ticket_id


def test_pkg10_a_utopia_request_becomes_a_ticket_for_an_admin(db, today, catalog):
    account = make_account(network="utopia")
    change = services.plan_change_ask(account=account, to="basic")
    assert change.status == "pending" and change.pending_on == "utopia_admin"


def test_statements_are_the_customers_own(customer, today):
    from lastmile.core.dayrun import run_day
    from lastmile.portal.selectors import statement_of

    other = make_account(name="Bo Other", emails=("bo@example.test",))
    run_day(dt.date(2026, 10, 1))
    mine = customer.statements.first()
    theirs = other.statements.first()
    assert statement_of(account=customer, statement_id=mine.pk) == mine
    with pytest.raises(NotFound, match="there is no such statement on your account"):
        statement_of(account=customer, statement_id=theirs.pk)
