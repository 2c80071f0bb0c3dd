"""BIL-7 corrections (adjustment, void, payment reversal, refund), the manager limit,
the payment ceiling, and the BIL-4 invariants after any sequence of them (AUD-1:
every correction names who and why on the ledger and the timeline)."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from lastmile.billing import selectors
from lastmile.billing.billrun import bill_run
from lastmile.billing.models import LedgerEntry
from lastmile.billing.services import (
    adjustment_post,
    charge_post,
    charge_void,
    credit_refund,
    entry_void,
    payment_post,
    payment_reverse,
)
from lastmile.catalog.services import catalog_load
from lastmile.core import clock, ispconfig
from lastmile.core.actors import superuser, with_role
from lastmile.core.errors import InvalidInput, PermissionRefused, RuleRefusal
from lastmile.core.models import TimelineEntry
from lastmile.delinquency.models import Case
from lastmile.delinquency.services import cases_open
from tests.mixins import make_account

D = dt.date
pytestmark = pytest.mark.django_db


def _another(name: str, address_id: str):
    """A second account at its own address (a UTOPIA address ID belongs to one account)."""
    import datetime as _dt

    from lastmile.accounts.services import account_create
    from lastmile.catalog.models import Package

    return account_create(
        name=name, kind="residential", network="utopia", package=Package.objects.get(code="classic"),
        address={"line1": f"{address_id} Main St", "city": "Orem", "state": "UT", "postal_code": "84057",
                 "address_id": address_id},
        phones=["801-555-0199"], emails=[f"{address_id.lower()}@example.test"],
        service_start=_dt.date(2025, 6, 5), actor=superuser("test"))

AGENT = with_role("agent", "alice")
MANAGER = with_role("manager", "aaron")


def _timeline(account, type_):
    return list(TimelineEntry.objects.filter(account=account, type=type_).order_by("id"))


# --------------------------------------------------------------------------- adjustment
def test_bil7_adjustment_credit_with_reason_is_a_ledger_entry_and_a_timeline_record(today, catalog):
    account = make_account()
    bill_run(as_of=D(2026, 9, 1))
    recurring = LedgerEntry.objects.get(account=account, kind="recurring")
    credit = adjustment_post(account=account, amount="-20.00", reason="outage 3 days", actor=AGENT,
                             entry=recurring)
    assert (credit.entry_type, credit.kind, credit.amount) == ("credit", "adjustment", Decimal("-20.00"))
    assert credit.corrects_id == recurring.pk and credit.reason == "outage 3 days" and credit.actor == "alice"
    assert selectors.balance(account=account) == Decimal("45.00")
    [rec] = _timeline(account, "charge.posted")[-1:]
    assert (rec.actor, rec.reason, rec.data["amount"], rec.data["correction"]) == (
        "alice", "outage 3 days", "-20.00", "adjustment")


def test_bil7_adjustment_charge_raises_the_balance(today, catalog):
    account = make_account()
    adjustment_post(account=account, amount="12.50", reason="missed install fee", actor=AGENT)
    assert selectors.balance(account=account) == Decimal("12.50")


def test_bil7_adjustment_without_a_reason_is_refused(today, catalog):
    account = make_account()
    with pytest.raises(InvalidInput) as exc:
        adjustment_post(account=account, amount="-5.00", reason="  ", actor=AGENT)
    assert exc.value.field == "reason"
    assert exc.value.message == "say why: an adjustment needs a reason, and the reason stays on the ledger"
    assert not LedgerEntry.objects.filter(account=account).exists()


def test_bil7_adjustment_of_zero_or_nonsense_is_refused(today, catalog):
    account = make_account()
    with pytest.raises(InvalidInput, match=r"an adjustment of \$0.00 changes nothing"):
        adjustment_post(account=account, amount="0", reason="x", actor=AGENT)
    with pytest.raises(InvalidInput, match="is not an amount of money"):
        adjustment_post(account=account, amount="ten", reason="x", actor=AGENT)


def test_bil7_credit_larger_than_the_charge_it_adjusts_is_refused(today, catalog):
    account = make_account()
    bill_run(as_of=D(2026, 9, 1))
    recurring = LedgerEntry.objects.get(account=account, kind="recurring")
    adjustment_post(account=account, amount="-50.00", reason="outage", actor=AGENT, entry=recurring)
    with pytest.raises(RuleRefusal) as exc:
        adjustment_post(account=account, amount="-20.00", reason="again", actor=AGENT, entry=recurring)
    assert exc.value.message == ("a credit of $20.00 is more than what is left of the monthly service "
                                 "it adjusts ($15.00)")


def test_bil7_only_a_charge_is_adjusted(today, catalog):
    account = make_account()
    payment = payment_post(account=account, amount="10.00", method="cash", actor=AGENT)
    with pytest.raises(RuleRefusal, match="only a charge is adjusted; this entry is a payment"):
        adjustment_post(account=account, amount="-1.00", reason="x", actor=AGENT, entry=payment)


# --------------------------------------------------------------------------- manager limit
def test_bil7_agent_is_refused_a_correction_above_the_limit_with_the_sentence(today, catalog):
    account = make_account()
    with pytest.raises(PermissionRefused) as exc:
        adjustment_post(account=account, amount="-250.00", reason="goodwill", actor=AGENT)
    assert exc.value.message == "a correction of $250.00 is above $100.00 and needs a manager"
    assert exc.value.field == "amount"
    assert not LedgerEntry.objects.filter(account=account).exists()
    # a manager makes it
    adjustment_post(account=account, amount="-250.00", reason="goodwill", actor=MANAGER)
    assert selectors.balance(account=account) == Decimal("-250.00")


def test_bil7_exactly_the_limit_needs_no_manager_and_the_limit_is_configurable(today, catalog):
    account = make_account()
    adjustment_post(account=account, amount="-100.00", reason="at the limit", actor=AGENT)
    with ispconfig.override(correction_manager_above="20.00"):
        with pytest.raises(PermissionRefused, match=r"a correction of \$25.00 is above \$20.00 and needs a manager"):
            adjustment_post(account=account, amount="25.00", reason="x", actor=AGENT)


def test_bil7_noc_may_not_post_corrections(today, catalog):
    account = make_account()
    with pytest.raises(PermissionRefused, match="posting an adjustment needs the role"):
        adjustment_post(account=account, amount="-1.00", reason="x", actor=with_role("noc"))


# --------------------------------------------------------------------------- void
def test_bil7_void_a_charge_with_a_reason(today, catalog):
    account = make_account()
    fee = charge_post(account=account, kind="equipment_fee", amount="25.00", actor="automation")
    void = charge_void(entry=fee, reason="posted on the wrong account", actor=AGENT)
    assert (void.entry_type, void.voids_id, void.amount, void.reason) == (
        "void", fee.pk, Decimal("-25.00"), "posted on the wrong account")
    assert selectors.balance(account=account) == Decimal("0.00")
    assert _timeline(account, "charge.voided")[0].actor == "alice"


def test_bil7_void_of_a_payment_is_refused_it_is_a_reversal(today, catalog):
    account = make_account()
    payment = payment_post(account=account, amount="65.00", method="check", actor=AGENT)
    with pytest.raises(RuleRefusal) as exc:
        charge_void(entry=payment, reason="bounced", actor=AGENT)
    assert exc.value.message == (f"a payment is not voided: the payment of $65.00 on {payment.posted_on} can be "
                                 f"reversed instead (returned check, NSF or chargeback)")
    # the primitive refuses it too, whoever calls it
    with pytest.raises(RuleRefusal, match="a payment is not voided"):
        entry_void(entry=payment, reason="bounced", actor=superuser())


def test_bil7_void_twice_is_refused(today, catalog):
    account = make_account()
    fee = charge_post(account=account, kind="reactivation_fee", amount="35.00", actor="automation")
    charge_void(entry=fee, reason="waived", actor=AGENT)
    with pytest.raises(RuleRefusal) as exc:
        charge_void(entry=fee, reason="again", actor=AGENT)
    assert exc.value.message == (f"the reactivation fee of $35.00 posted {fee.posted_on} was already voided on "
                                 f"{fee.posted_on}")
    void = LedgerEntry.objects.get(voids=fee)
    with pytest.raises(RuleRefusal, match="a void is a correction already and cannot be voided"):
        charge_void(entry=void, reason="undo", actor=AGENT)


def test_bil7_void_without_a_reason_is_refused(today, catalog):
    account = make_account()
    fee = charge_post(account=account, kind="etf", amount="50.00", actor="automation")
    with pytest.raises(InvalidInput) as exc:
        charge_void(entry=fee, reason="", actor=AGENT)
    assert exc.value.message == "say why: a void needs a reason, and the reason stays on the ledger"
    with pytest.raises(InvalidInput, match="say why the entry is voided"):
        entry_void(entry=fee, reason=" ", actor=superuser())
    assert not LedgerEntry.objects.filter(voids=fee).exists()


def test_bil7_void_above_the_limit_needs_a_manager(today, catalog):
    account = make_account()
    etf = charge_post(account=account, kind="etf", amount="150.00", actor="automation")
    with pytest.raises(PermissionRefused, match=r"a correction of \$150.00 is above \$100.00 and needs a manager"):
        charge_void(entry=etf, reason="under no contract", actor=AGENT)
    charge_void(entry=etf, reason="under no contract", actor=MANAGER)
    assert selectors.balance(account=account) == Decimal("0.00")


def test_bil7_adjusted_charge_is_adjusted_again_not_voided(today, catalog):
    account = make_account()
    fee = charge_post(account=account, kind="equipment_fee", amount="25.00", actor="automation")
    adjustment_post(account=account, amount="-5.00", reason="scratched", actor=AGENT, entry=fee)
    with pytest.raises(RuleRefusal, match=r"has adjustments already; adjust what is left of it \(\$20.00\)"):
        charge_void(entry=fee, reason="returned", actor=AGENT)


# --------------------------------------------------------------------------- reversal
def _paid_september(today, account, method="check"):
    bill_run(as_of=D(2026, 9, 1))
    today.set_day(D(2026, 9, 3))
    return payment_post(account=account, amount="65.00", method=method, actor=AGENT, reference="chk 1001")


def test_bil7_reversal_reopens_what_the_payment_paid(today, catalog):
    account = make_account()
    payment = _paid_september(today, account)
    recurring = LedgerEntry.objects.get(account=account, kind="recurring")
    assert [a for _, a in selectors.open_charges(account=account)[0]] == [Decimal("0.00")]
    today.set_day(D(2026, 9, 10))
    reversal = payment_reverse(payment=payment, reason_code="returned_check", note="bank stamp 9/9",
                               actor=with_role("billing", "bea"))
    assert (reversal.entry_type, reversal.voids_id, reversal.amount, reversal.reason_code) == (
        "reversal", payment.pk, Decimal("65.00"), "returned_check")
    assert reversal.reason == "Returned check: bank stamp 9/9" and reversal.actor == "bea"
    assert selectors.balance(account=account) == Decimal("65.00")
    opened, unused = selectors.open_charges(account=account)
    assert [(e.pk, a) for e, a in opened] == [(recurring.pk, Decimal("65.00"))] and unused == 0
    assert selectors.owed_on_due_statements(account=account, as_of=D(2026, 9, 10)) == Decimal("65.00")
    [rec] = _timeline(account, "payment.reversed")
    assert (rec.actor, rec.reason, rec.data["amount"], rec.data["reason_code"]) == (
        "bea", "Returned check: bank stamp 9/9", "65.00", "returned_check")


def test_bil7_reversed_payment_of_a_paid_statement_opens_a_case_on_d(today, catalog):
    """DLQ: the reopened statement is unpaid past its due date, so D's case opening sees it."""
    reversed_, paid = make_account(name="Ana"), _another("Bo", "UT-20001")
    payment = _paid_september(today, reversed_)
    payment_post(account=paid, amount="65.00", method="check", actor=AGENT)
    today.set_day(D(2026, 9, 10))
    payment_reverse(payment=payment, reason_code="nsf", note="", actor=AGENT)
    today.set_day(D(2026, 9, 16))
    assert cases_open(as_of=D(2026, 9, 16)) == 1
    case = Case.objects.get()
    assert case.account_id == reversed_.pk and case.d == D(2026, 9, 16)
    reversed_.refresh_from_db()
    assert reversed_.status == "delinquent"


def test_bil7_payment_is_reversed_once(today, catalog):
    account = make_account()
    payment = _paid_september(today, account)
    payment_reverse(payment=payment, reason_code="chargeback", note="dispute 77", actor=AGENT)
    with pytest.raises(RuleRefusal) as exc:
        payment_reverse(payment=payment, reason_code="chargeback", note="again", actor=AGENT)
    assert exc.value.message == ("the payment of $65.00 on 2026-09-03 was already reversed on 2026-09-03 "
                                 "(Chargeback); a payment is reversed once")
    assert LedgerEntry.objects.filter(entry_type="reversal").count() == 1


def test_bil7_reversal_refusals(today, catalog):
    account = make_account()
    payment = _paid_september(today, account)
    recurring = LedgerEntry.objects.get(account=account, kind="recurring")
    with pytest.raises(RuleRefusal, match="only a payment can be reversed; this entry is a charge"):
        payment_reverse(payment=recurring, reason_code="nsf", actor=AGENT)
    with pytest.raises(InvalidInput) as exc:
        payment_reverse(payment=payment, reason_code="changed_mind", actor=AGENT)
    assert exc.value.message == "choose why the payment came back: returned check, NSF or chargeback"
    assert exc.value.field == "reason_code"
    with pytest.raises(RuleRefusal, match="a payment reversal is a correction already"):
        charge_void(entry=payment_reverse(payment=payment, reason_code="nsf", actor=AGENT), reason="x",
                    actor=AGENT)


def test_bil7_reversal_above_the_limit_needs_a_manager(today, catalog):
    account = make_account()
    payment = payment_post(account=account, amount="300.00", method="check", actor=AGENT)
    with pytest.raises(PermissionRefused, match=r"a correction of \$300.00 is above \$100.00 and needs a manager"):
        payment_reverse(payment=payment, reason_code="returned_check", actor=AGENT)
    payment_reverse(payment=payment, reason_code="returned_check", actor=MANAGER)
    assert selectors.balance(account=account) == Decimal("0.00")


# --------------------------------------------------------------------------- refund
def test_bil7_refund_of_a_credit_balance(today, catalog):
    account = make_account()
    payment_post(account=account, amount="80.00", method="check", actor=AGENT)
    refund = credit_refund(account=account, amount="30.00", method="check", reason="customer asked", actor=AGENT)
    assert (refund.entry_type, refund.amount, refund.method) == ("refund", Decimal("30.00"), "check")
    assert selectors.balance(account=account) == Decimal("-50.00")
    assert _timeline(account, "credit.refunded")[0].data == {"amount": "30.00", "method": "check"}


def test_bil7_refund_above_the_credit_balance_is_refused(today, catalog):
    account = make_account()
    payment_post(account=account, amount="40.00", method="check", actor=AGENT)
    with pytest.raises(RuleRefusal) as exc:
        credit_refund(account=account, amount="40.01", method="card", reason="moving", actor=AGENT)
    assert exc.value.message == ("a refund of $40.01 is more than the credit balance ($40.00); "
                                 "refund at most $40.00")
    assert exc.value.field == "amount"


def test_bil7_refund_without_a_credit_balance_is_refused(today, catalog):
    account = make_account()
    charge_post(account=account, kind="etf", amount="10.00", actor="automation")
    with pytest.raises(RuleRefusal, match=r"there is no credit balance to refund: the balance is \$10.00"):
        credit_refund(account=account, amount="5.00", method="check", reason="x", actor=AGENT)


def test_bil7_refund_input_and_limit(today, catalog):
    account = make_account()
    payment_post(account=account, amount="500.00", method="check", actor=AGENT)
    with pytest.raises(InvalidInput, match=r"refund by check or back to the card"):
        credit_refund(account=account, amount="5.00", method="bitcoin", reason="x", actor=AGENT)
    with pytest.raises(InvalidInput, match="a refund needs a reason"):
        credit_refund(account=account, amount="5.00", method="check", reason="", actor=AGENT)
    with pytest.raises(PermissionRefused, match=r"a correction of \$400.00 is above \$100.00 and needs a manager"):
        credit_refund(account=account, amount="400.00", method="check", reason="x", actor=AGENT)
    credit_refund(account=account, amount="400.00", method="check", reason="x", actor=MANAGER)
    assert selectors.balance(account=account) == Decimal("-100.00")


# --------------------------------------------------------------------------- payment ceiling
def test_bil7_payment_above_balance_plus_margin_is_refused_as_a_typing_error(today, catalog):
    account = make_account()
    bill_run(as_of=D(2026, 9, 1))
    with pytest.raises(InvalidInput) as exc:
        payment_post(account=account, amount="99999999999.00", method="phone", actor=AGENT)
    assert exc.value.message == ("$99,999,999,999.00 is more than the balance ($65.00) plus $1,000.00: "
                                 "probably a typing error; check the amount")
    assert exc.value.field == "amount"
    with pytest.raises(InvalidInput, match=r"\$1,065.01 is more than the balance \(\$65.00\) plus \$1,000.00"):
        payment_post(account=account, amount="1065.01", method="phone", actor=AGENT)
    payment_post(account=account, amount="1065.00", method="phone", actor=AGENT)  # exactly the ceiling
    assert selectors.balance(account=account) == Decimal("-1000.00")
    with ispconfig.override(payment_ceiling_margin="0.00"):
        with pytest.raises(InvalidInput, match=r"\$0.01 is more than the balance \(-\$1,000.00\) plus \$0.00"):
            payment_post(account=account, amount="0.01", method="phone", actor=AGENT)


def test_bil7_amount_the_ledger_cannot_hold_is_refused_not_a_crash(today, catalog):
    account = make_account()
    with ispconfig.override(payment_ceiling_margin="999999999999.00"):
        with pytest.raises(InvalidInput) as exc:
            payment_post(account=account, amount="99999999999.00", method="phone", actor=AGENT)
    assert exc.value.message == ("$99,999,999,999.00 is more than the ledger can hold (at most "
                                 "$9,999,999,999.99); check the amount")
    with pytest.raises(InvalidInput, match="more than the ledger can hold"):
        adjustment_post(account=account, amount="-10000000000", reason="x", actor=MANAGER)
    with pytest.raises(InvalidInput, match="more than the ledger can hold"):
        charge_post(account=account, kind="etf", amount="10000000000.00", actor="automation")
    assert not LedgerEntry.objects.filter(account=account).exists()


# --------------------------------------------------------------------------- invariants
def _check_invariants(account):
    """BIL-4: the balance is the ledger's sum; open charges are the newest ones."""
    entries = list(LedgerEntry.objects.filter(account=account).order_by("id"))
    total = sum((e.amount for e in entries), Decimal("0.00"))
    assert selectors.balance(account=account) == total
    rows = selectors.ledger_rows(account=account)
    assert (rows[-1]["running"] if rows else Decimal("0.00")) == total
    opened, unused = selectors.open_charges(account=account)
    assert sum((a for _, a in opened), Decimal("0.00")) - unused == total
    # oldest paid first: once a charge is (partly) open, every later one is fully open
    seen_open = False
    for entry, left in opened:
        assert Decimal("0.00") <= left <= entry.amount
        if seen_open:
            assert left == entry.amount, "a newer charge is paid while an older one is open"
        if left > 0:
            seen_open = True
    if unused > 0:
        assert all(left == 0 for _, left in opened)
    # a reversed payment pays nothing, a voided charge is not open
    gone = {e.voids_id for e in entries if e.voids_id}
    assert all(e.pk not in gone for e, _ in opened)


OPS = ("charge", "pay", "reverse", "void", "credit", "debit", "refund")


class TestCorrectionSequences(HypothesisTestCase):
    """Any sequence of charges, payments, reversals, voids, adjustments and refunds."""

    @classmethod
    def setUpTestData(cls):
        catalog_load()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(min_value=1, max_value=9000)), max_size=14))
    def test_bil4_bil7_balance_is_the_ledger_and_open_charges_are_the_newest(self, ops):
        with clock.use_clock(clock.FixedClock(D(2026, 9, 1), hour=9)):
            account = make_account()
            for op, cents in ops:
                amount = Decimal(cents) / 100
                try:
                    self._apply(account, op, amount)
                except (InvalidInput, RuleRefusal):
                    pass
                _check_invariants(account)

    @staticmethod
    def _apply(account, op, amount):
        live = LedgerEntry.objects.filter(account=account, voided_by__isnull=True)
        if op == "charge":
            charge_post(account=account, kind="equipment_fee", amount=amount, actor="automation")
        elif op == "pay":
            payment_post(account=account, amount=amount, method="check", actor=MANAGER)
        elif op == "reverse":
            payment = live.filter(entry_type="payment").first()
            if payment is not None:
                payment_reverse(payment=payment, reason_code="nsf", actor=MANAGER)
        elif op == "void":
            charge = live.filter(entry_type="charge", corrections__isnull=True).first()
            if charge is not None:
                charge_void(entry=charge, reason="mistake", actor=MANAGER)
        elif op == "credit":
            adjustment_post(account=account, amount=-amount, reason="goodwill", actor=MANAGER)
        elif op == "debit":
            adjustment_post(account=account, amount=amount, reason="missed charge", actor=MANAGER)
        elif op == "refund":
            credit_refund(account=account, amount=amount, method="check", reason="asked", actor=MANAGER)


def test_bil4_bil7_grid_of_orders(today, catalog):
    """Every order of one reversal, one void and one credit after two charges and two payments."""
    steps = ("reverse", "void", "credit")
    for n, order in enumerate(itertools.permutations(steps)):
        account = _another(f"Grid {n}", f"UT-3000{n}")
        first = charge_post(account=account, kind="equipment_fee", amount="40.00", actor="automation")
        charge_post(account=account, kind="etf", amount="60.00", actor="automation")
        pay1 = payment_post(account=account, amount="30.00", method="check", actor=MANAGER)
        payment_post(account=account, amount="50.00", method="card", actor=MANAGER)
        for step in order:
            if step == "reverse":
                payment_reverse(payment=pay1, reason_code="returned_check", actor=MANAGER)
            elif step == "void":
                charge_void(entry=first, reason="wrong account", actor=MANAGER)
            else:
                adjustment_post(account=account, amount="-15.00", reason="goodwill", actor=MANAGER)
            _check_invariants(account)
        # 100 charged - 40 voided - 80 paid + 30 reversed - 15 credited
        assert selectors.balance(account=account) == Decimal("-5.00")
        opened, unused = selectors.open_charges(account=account)
        assert [(e.kind, a) for e, a in opened] == [("etf", Decimal("0.00"))] and unused == Decimal("5.00")
