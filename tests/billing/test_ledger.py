"""BIL-1, BIL-4, BIL-5, DLQ-9 on the database: the balance is always the ledger's sum."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from lastmile.accounts.services import account_status_set, autopay_enable, card_add
from lastmile.billing import selectors
from lastmile.billing.billrun import bill_run
from lastmile.billing.models import LedgerEntry, Statement
from lastmile.billing.services import charge_post, entry_void, payment_post
from lastmile.catalog.services import catalog_load
from lastmile.core import clock
from lastmile.core.actors import superuser, with_role
from lastmile.core.dayrun import run_day
from lastmile.core.errors import InvalidInput, PermissionRefused, RuleRefusal
from tests.mixins import make_account

D = dt.date


@pytest.mark.django_db
def test_bil1_statement_in_advance_due_four_days_later(today, catalog):
    account = make_account(plan="classic", opening_balance="10.00")
    today.set_day(D(2026, 9, 1))
    assert bill_run(as_of=D(2026, 9, 1)) == 1
    stmt = Statement.objects.get(account=account)
    assert (stmt.period_start, stmt.period_end, stmt.due_on) == (D(2026, 9, 1), D(2026, 9, 30), D(2026, 9, 5))
    assert stmt.recurring == Decimal("65.00")
    assert stmt.amount_due == Decimal("75.00")  # earlier unpaid amounts included
    lines = list(selectors.statement_lines(statement=stmt))
    assert [line.kind for line in lines] == ["opening_balance", "recurring"]


@pytest.mark.django_db
def test_bil1_bill_run_twice_bills_once(today, catalog):
    make_account()
    today.set_day(D(2026, 9, 1))
    run_day(D(2026, 9, 1))
    run_day(D(2026, 9, 1))
    assert Statement.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="recurring").count() == 1


@pytest.mark.django_db
def test_bil1_credit_balance_lowers_amount_due_never_below_zero(today, catalog, agent):
    account = make_account(plan="basic", opening_balance="-80.00")
    bill_run(as_of=D(2026, 9, 1))
    stmt = Statement.objects.get(account=account)
    assert stmt.amount_due == Decimal("0.00")
    assert stmt.balance == Decimal("-30.00")


@pytest.mark.django_db
def test_bil1_cycle_day_31_bills_on_the_last_day_of_february(catalog):
    account = make_account(bill_cycle_day=31)
    assert bill_run(as_of=D(2026, 2, 27)) == 0
    assert bill_run(as_of=D(2026, 2, 28)) == 1
    stmt = Statement.objects.get(account=account)
    assert (stmt.period_start, stmt.period_end) == (D(2026, 2, 28), D(2026, 3, 30))


@pytest.mark.django_db
@pytest.mark.parametrize("status, billed", [
    ("active", True), ("delinquent", True), ("suspended", True),
    ("not_active", False), ("uninstall", False), ("cancelled", False),
])
def test_dlq9_statements_only_for_billed_statuses(catalog, agent, status, billed):
    account = make_account()
    account_status_set(account=account, to=status, actor=agent)
    assert bill_run(as_of=D(2026, 9, 1)) == (1 if billed else 0)


@pytest.mark.django_db
def test_bil1_no_statement_before_service_starts(catalog):
    make_account(service_start=D(2026, 9, 15))
    assert bill_run(as_of=D(2026, 9, 1)) == 0
    assert bill_run(as_of=D(2026, 10, 1)) == 1


@pytest.mark.django_db
def test_bil4_owed_on_due_statements_uses_oldest_first(today, catalog, agent):
    account = make_account(plan="classic")
    bill_run(as_of=D(2026, 9, 1))
    today.set_day(D(2026, 9, 10))
    charge_post(account=account, kind="adjustment", amount="-10.00", actor=agent)
    assert selectors.owed_on_due_statements(account=account, as_of=D(2026, 9, 4)) == Decimal("0.00")
    assert selectors.owed_on_due_statements(account=account, as_of=D(2026, 9, 10)) == Decimal("55.00")
    payment_post(account=account, amount="55.00", method="phone", actor=agent)
    assert selectors.owed_on_due_statements(account=account, as_of=D(2026, 9, 10)) == Decimal("0.00")
    assert selectors.balance(account=account) == Decimal("0.00")


@pytest.mark.django_db
def test_payment_refusals_name_the_field(today, catalog, agent):
    account = make_account()
    with pytest.raises(InvalidInput) as exc:
        payment_post(account=account, amount="-5", method="phone", actor=agent)
    assert exc.value.field == "amount"
    with pytest.raises(InvalidInput) as exc:
        payment_post(account=account, amount="5", method="bitcoin", actor=agent)
    assert exc.value.field == "method"
    with pytest.raises(PermissionRefused):
        payment_post(account=account, amount="5", method="cash", actor=with_role("noc"))
    assert not LedgerEntry.objects.filter(account=account).exists()


@pytest.mark.django_db
def test_void_cancels_a_charge_once(today, catalog, agent):
    account = make_account()
    fee = charge_post(account=account, kind="reactivation_fee", amount="35.00", actor=agent)
    entry_void(entry=fee, actor=agent, reason="waived")
    assert selectors.balance(account=account) == Decimal("0.00")
    with pytest.raises(RuleRefusal):
        entry_void(entry=fee, actor=agent, reason="again")


@pytest.mark.django_db
def test_bil5_autopay_charges_the_card_on_the_due_date(today, catalog, agent):
    account = make_account(plan="classic")
    card_add(account=account, token="tok_ok_1", last4="4242", actor=agent)
    autopay_enable(account=account, actor=agent)
    run_day(D(2026, 9, 1))
    run_day(D(2026, 9, 4))
    assert selectors.balance(account=account) == Decimal("65.00")
    run_day(D(2026, 9, 5))
    run_day(D(2026, 9, 5))
    payment = LedgerEntry.objects.get(account=account, kind="payment")
    assert (payment.amount, payment.method, payment.posted_on) == (Decimal("-65.00"), "card", D(2026, 9, 5))
    assert selectors.balance(account=account) == Decimal("0.00")


@pytest.mark.django_db
def test_bil5_a_declined_card_leaves_the_statement_unpaid(today, catalog, agent):
    account = make_account(plan="classic")
    card_add(account=account, token="decline_me", last4="0002", actor=agent)
    autopay_enable(account=account, actor=agent)
    run_day(D(2026, 9, 1))
    run_day(D(2026, 9, 5))
    assert selectors.balance(account=account) == Decimal("65.00")
    assert account.timeline.filter(type="payment.declined").count() == 1


@pytest.mark.django_db
def test_bil6_cards_are_append_only_and_never_numbers(today, catalog, agent):
    account = make_account()
    first = card_add(account=account, token="tok_a", last4="1111", actor=agent)
    second = card_add(account=account, token="tok_b", last4="2222", actor=agent, why="New card by phone.")
    from lastmile.accounts.selectors import default_card

    assert default_card(account=account) == second
    assert account.cards.count() == 2 and first.pk != second.pk
    assert account.notes.filter(body__contains="2222").exists()
    with pytest.raises(InvalidInput):
        card_add(account=account, token="4111 1111 1111 1111", last4="1111", actor=agent)
    with pytest.raises(PermissionError):
        first.delete()


class LedgerProperty(HypothesisTestCase):
    """BIL-4: whatever is posted, the balance equals the ledger sum and the due-owed
    amount is never negative nor more than the balance."""

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(st.sampled_from(["charge", "credit", "payment", "bill"]),
                              st.integers(min_value=1, max_value=20_000)), max_size=12))
    def test_bil4_balance_is_always_the_ledger_sum(self, ops):
        catalog_load()
        agent = superuser("prop")
        with clock.use_clock(clock.FixedClock(D(2026, 9, 1))) as fixed:
            account = make_account()
            expected = Decimal("0.00")
            day = D(2026, 9, 1)
            for op, cents in ops:
                amount = Decimal(cents) / 100
                if op == "charge":
                    charge_post(account=account, kind="adjustment", amount=amount, actor=agent)
                    expected += amount
                elif op == "credit":
                    charge_post(account=account, kind="adjustment", amount=-amount, actor=agent)
                    expected -= amount
                elif op == "payment":
                    payment_post(account=account, amount=amount, method="cash", actor=agent)
                    expected -= amount
                else:
                    if bill_run(as_of=day):
                        expected += Decimal("65.00")
                    day = D(day.year + (day.month == 12), day.month % 12 + 1, 1)
                    fixed.set_day(day)
            balance = selectors.balance(account=account)
            assert balance == expected
            owed = selectors.owed_on_due_statements(account=account, as_of=D(2030, 1, 1))
            assert owed >= 0
            assert owed <= max(balance, Decimal("0.00"))


@pytest.mark.django_db
def test_bil4_a_voided_fee_does_not_pay_the_statement(today, catalog, agent):
    """Voiding a fee posted after the statement leaves the statement owed in full."""
    account = make_account(plan="basic")
    bill_run(as_of=D(2026, 9, 1))
    today.set_day(D(2026, 9, 18))
    fee = charge_post(account=account, kind="reactivation_fee", amount="35.00", actor=agent)
    assert selectors.owed_on_due_statements(account=account, as_of=D(2026, 9, 18)) == Decimal("50.00")
    entry_void(entry=fee, actor=agent, reason="claim")
    assert selectors.owed_on_due_statements(account=account, as_of=D(2026, 9, 18)) == Decimal("50.00")
    assert selectors.balance(account=account) == Decimal("50.00")
