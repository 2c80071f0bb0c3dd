"""Issue 9: arrangements that cover the debt (DLQ-4), a call queue that stays true
(DLQ-2, DLQ-3), "where is my payment?" details (DLQ-6), and the scenario autopay bug."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lastmile.accounts.models import Account
from lastmile.billing.services import payment_post
from lastmile.core import clock
from lastmile.core.actors import with_role
from lastmile.core.errors import InvalidInput, PermissionRefused, RuleRefusal
from lastmile.delinquency import selectors
from lastmile.delinquency.models import Arrangement, ArrangementStatus, Case, PaymentClaim
from lastmile.delinquency.services import (
    arrangement_approve,
    arrangement_create,
    arrangement_decline,
    arrangement_propose,
    payment_claim_record,
)
from lastmile.tickets.choices import TaskStatus
from lastmile.tickets.models import CallTask
from lastmile.tickets.services import call_outcome_record
from tests.mixins import of_type, run_scenario_text

pytestmark = pytest.mark.django_db

# utopia-billing: notice Wed Sep 16, warning call Thu Sep 17, suspend Fri Sep 18
SCENARIO = """
start: 2026-09-01
end: {end}
settings:
  policies: {{utopia: utopia-billing}}
accounts:
  - ref: kim
    name: Kim Ng
    kind: residential
    network: utopia
    plan: classic
    address: {{line1: "3 Birch Ct", city: Orem, state: UT, postal_code: "84057", address_id: "UT-50001"}}
    phones: ["801-555-0801", "801-555-0802"]
    emails: ["kim@example.test"]
    service_start: 2025-01-01
events: {events}
"""


def _run(end: str, events: str = "[]") -> tuple[dict, Account]:
    result = run_scenario_text(SCENARIO.format(end=end, events=events))
    return result, Account.objects.get(name="Kim Ng")


def _on(day: str):
    return clock.use_clock(clock.FixedClock(dt.date.fromisoformat(day), hour=10))


def _plan(*items):
    return [{"on": dt.date.fromisoformat(on), "amount": amount} for on, amount in items]


AGENT, MANAGER = with_role("agent"), with_role("manager")


def test_dlq4_shortfall_is_refused_with_the_sentence():
    _, kim = _run("2026-09-18")  # suspended: 65.00 + 35.00 reactivation fee
    with _on("2026-09-18"), pytest.raises(RuleRefusal) as exc:
        arrangement_propose(account=kim, installments=_plan(("2026-09-25", "50.00")), actor=AGENT)
    assert "the installments add up to $50.00 but $100.00 is owed, fees included: $50.00 short" in str(exc.value)
    assert exc.value.field == "installments"
    with _on("2026-09-18"), pytest.raises(RuleRefusal, match=r"\$50.00 short"):
        arrangement_create(account=kim, installments=_plan(("2026-09-25", "50.00")), actor=MANAGER)
    assert not Arrangement.objects.exists()


def test_dlq4_first_installment_too_late_is_refused():
    _, kim = _run("2026-09-17")
    with _on("2026-09-17"), pytest.raises(RuleRefusal) as exc:
        arrangement_propose(account=kim, installments=_plan(("2026-10-02", "65.00")), actor=AGENT)
    assert "it must fall within 14 days of today, by 2026-10-01" in str(exc.value)


def test_dlq4_no_open_case_is_refused():
    _, kim = _run("2026-09-10")
    with _on("2026-09-10"), pytest.raises(RuleRefusal, match="no open delinquency case"):
        arrangement_propose(account=kim, installments=_plan(("2026-09-20", "65.00")), actor=AGENT)


def test_dlq4_agent_proposes_case_does_not_pause_and_one_proposal_per_case():
    result, kim = _run("2026-09-17")
    with _on("2026-09-17"):
        proposal = arrangement_create(account=kim, installments=_plan(("2026-09-25", "65.00")), actor=AGENT)
        assert proposal.status == ArrangementStatus.PROPOSED and proposal.proposed_by
        case = Case.objects.get(account=kim)
        assert case.paused is False
        with pytest.raises(RuleRefusal, match="already waiting for a manager's approval"):
            arrangement_propose(account=kim, installments=_plan(("2026-09-25", "65.00")), actor=AGENT)
    assert list(selectors.proposals()) == [proposal]


def test_dlq4_agent_may_not_approve_or_decline():
    _, kim = _run("2026-09-17")
    with _on("2026-09-17"):
        proposal = arrangement_propose(account=kim, installments=_plan(("2026-09-25", "65.00")), actor=AGENT)
        with pytest.raises(PermissionRefused, match="approving a payment arrangement"):
            arrangement_approve(arrangement=proposal, actor=AGENT)
        with pytest.raises(PermissionRefused):
            arrangement_decline(arrangement=proposal, actor=AGENT, reason="no")
    assert Arrangement.objects.get().status == ArrangementStatus.PROPOSED


def test_dlq4_dlq7_manager_approval_pauses_and_reinstates_a_suspended_customer():
    _, kim = _run("2026-09-18")
    assert Account.objects.get(pk=kim.pk).status == "suspended"
    with _on("2026-09-18"):
        proposal = arrangement_propose(account=kim, installments=_plan(("2026-09-25", "50.00"), ("2026-10-02", "50.00")),
                                       actor=AGENT)
        assert Case.objects.get(account=kim).paused is False
        approved = arrangement_approve(arrangement=proposal, actor=MANAGER)
    assert approved.status == ArrangementStatus.ACTIVE and approved.approved_by and approved.approved_at
    case = Case.objects.get(account=kim)
    assert case.paused is True and case.shut_off is False
    from lastmile.network.models import NocRequest

    assert NocRequest.objects.filter(account=kim, operation="unsuspend").exists()


def test_dlq4_approval_rechecks_the_balance_of_today():
    _, kim = _run("2026-09-17")
    with _on("2026-09-17"):
        proposal = arrangement_propose(account=kim, installments=_plan(("2026-09-25", "65.00")), actor=AGENT)
    from lastmile.billing.services import charge_post

    with _on("2026-09-18"):
        charge_post(account=kim, kind="reactivation_fee", amount=Decimal("35.00"), actor=MANAGER,
                    key="test-fee", description="fee", reason="test")
        with pytest.raises(RuleRefusal, match=r"add up to \$65.00 but \$100.00 is owed"):
            arrangement_approve(arrangement=proposal, actor=MANAGER)


def test_dlq4_decline_needs_a_reason_and_frees_the_case_for_a_new_proposal():
    _, kim = _run("2026-09-17")
    with _on("2026-09-17"):
        proposal = arrangement_propose(account=kim, installments=_plan(("2026-09-25", "65.00")), actor=AGENT)
        with pytest.raises(InvalidInput, match="say why"):
            arrangement_decline(arrangement=proposal, actor=MANAGER, reason="  ")
        declined = arrangement_decline(arrangement=proposal, actor=MANAGER, reason="call back Friday")
        assert declined.status == ArrangementStatus.DECLINED and declined.declined_reason == "call back Friday"
        with pytest.raises(RuleRefusal, match="not waiting for approval"):
            arrangement_approve(arrangement=proposal, actor=MANAGER)
        arrangement_propose(account=kim, installments=_plan(("2026-09-25", "65.00")), actor=AGENT)


def test_dlq4_manager_arrangement_supersedes_the_open_proposal():
    _, kim = _run("2026-09-17")
    with _on("2026-09-17"):
        proposal = arrangement_propose(account=kim, installments=_plan(("2026-09-25", "65.00")), actor=AGENT)
        mine = arrangement_create(account=kim, installments=_plan(("2026-09-24", "65.00")), actor=MANAGER)
    assert Arrangement.objects.get(pk=proposal.pk).status == ArrangementStatus.SUPERSEDED
    assert mine.status == ArrangementStatus.ACTIVE


def _tasks(kim):
    return list(CallTask.objects.filter(account=kim).order_by("phone"))


def test_dlq3_reached_ends_the_other_phone_and_sends_no_unanswered_email():
    result, kim = _run("2026-09-17")
    first, second = _tasks(kim)
    assert (first.status, second.status) == (TaskStatus.OPEN, TaskStatus.OPEN)
    with _on("2026-09-17"):
        call_outcome_record(task=first, outcome="reached", actor=AGENT, note="will pay Friday")
        with pytest.raises(RuleRefusal, match="no longer needed"):
            call_outcome_record(task=second, outcome="voicemail", actor=AGENT)
    first, second = _tasks(kim)
    assert first.note == "will pay Friday" and second.status == TaskStatus.NOT_NEEDED
    from lastmile.comms.models import OutboxMessage as OutboundEmail

    assert not OutboundEmail.objects.filter(account=kim, key__contains="warning_call").exists()


def test_dlq3_moving_past_the_step_ends_its_calls():
    _, kim = _run("2026-09-18")  # the suspend step ran: the warning calls are over
    assert {t.status for t in _tasks(kim)} == {TaskStatus.NOT_NEEDED}


def test_dlq3_paying_in_full_ends_the_calls():
    _, kim = _run("2026-09-17", '[{on: 2026-09-17, account: kim, do: payment, amount: "65.00", method: phone}]')
    assert {t.status for t in _tasks(kim)} == {TaskStatus.NOT_NEEDED}


def test_dlq3_approved_arrangement_ends_the_calls():
    _, kim = _run("2026-09-17")
    with _on("2026-09-17"):
        arrangement_create(account=kim, installments=_plan(("2026-09-25", "65.00")), actor=MANAGER)
    assert {t.status for t in _tasks(kim)} == {TaskStatus.NOT_NEEDED}


def test_dlq6_claim_details_show_until_a_payment_arrives():
    _, kim = _run("2026-09-18")
    with _on("2026-09-18"):
        payment_claim_record(account=kim, actor=AGENT, amount="65.00", sent_on="2026-09-14", method="bill_pay",
                             reference="1234")
        shown = selectors.open_claim(account=kim)
    assert shown["sentence"] == ("Customer says $65.00 was sent by bill pay on 2026-09-14, ref 1234; "
                                 "waiting until 2026-09-28")
    claim = PaymentClaim.objects.get()
    assert (claim.amount, claim.method, claim.reference) == (Decimal("65.00"), "bill_pay", "1234")
    with _on("2026-09-21"):
        payment_post(account=kim, amount=Decimal("65.00"), method="check", actor=AGENT)
        assert selectors.open_claim(account=kim) is None


def test_dlq6_claim_disappears_after_the_grace():
    _, kim = _run("2026-09-18")
    with _on("2026-09-18"):
        payment_claim_record(account=kim, actor=AGENT)
        assert selectors.open_claim(account=kim)["sentence"].startswith("Customer says a payment was sent")
    with _on("2026-09-29"):
        assert selectors.open_claim(account=kim) is None


def test_dlq6_claim_fields_are_checked():
    _, kim = _run("2026-09-18")
    with _on("2026-09-18"):
        with pytest.raises(InvalidInput, match="bill_pay"):
            payment_claim_record(account=kim, actor=AGENT, method="wire")
        with pytest.raises(InvalidInput, match="after today"):
            payment_claim_record(account=kim, actor=AGENT, sent_on="2026-09-30")
        with pytest.raises(InvalidInput) as exc:
            payment_claim_record(account=kim, actor=AGENT, amount="abc")
    assert exc.value.field == "amount"
    assert Case.objects.get(account=kim).status == "open"


def test_bil5_scenario_autopay_account_has_a_card_and_is_charged():
    """Issue 9 bug: `autopay: true` gives the card on file that enable_autopay gives."""
    text = SCENARIO.format(end="2026-09-06", events="[]").replace(
        "    service_start: 2025-01-01\n", "    service_start: 2025-01-01\n    autopay: true\n")
    result = run_scenario_text(text)
    paid = of_type(result, "payment.posted")
    assert [(p["date"], p["method"], p["amount"]) for p in paid] == [("2026-09-05", "card", "65.00")]
    assert not of_type(result, "payment.declined")
