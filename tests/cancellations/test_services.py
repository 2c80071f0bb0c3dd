"""Cancellation and contract services against the database (CAN-*, CON-*, BIL-6)."""
from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal

import pytest

from lastmile.accounts.models import PaymentCard
from lastmile.accounts.services import card_add
from lastmile.billing.selectors import balance, entries
from lastmile.cancellations import selectors
from lastmile.cancellations.choices import CancellationStatus, EquipmentState
from lastmile.cancellations.models import Contract
from lastmile.cancellations.services import (
    cancellation_request,
    contract_record,
    equipment_fee_job,
    equipment_returned,
    pickup_failed,
)
from lastmile.comms.models import OutboxMessage
from lastmile.core.actors import with_role
from lastmile.core.dayrun import run_day
from lastmile.core.errors import InvalidInput, NotFound, PermissionRefused, RuleRefusal
from lastmile.core.models import ScheduledEvent
from lastmile.network.models import NocRequest
from lastmile.simulation import scenario
from lastmile.simulation.yamlload import ScenarioError
from lastmile.tickets.models import Task, Ticket, TicketNote
from lastmile.tickets.services import open_ticket_of_kind, ticket_resolve
from tests.mixins import make_account, of_type, run_scenario_text

D = dt.date


@pytest.fixture
def wireless(db, today, isp, catalog):
    return make_account(network="wireless", service_start=D(2024, 1, 10))


@pytest.fixture
def utopia(db, today, isp, catalog):
    return make_account(network="utopia", service_start=D(2025, 6, 5))


# --- CAN-1 refusals ---
def test_can1_last_day_and_reason_are_required(wireless, agent):
    with pytest.raises(InvalidInput) as exc:
        cancellation_request(account=wireless, last_day=None, reason="moving", actor=agent)
    assert exc.value.field == "last_day"
    with pytest.raises(InvalidInput) as exc:
        cancellation_request(account=wireless, last_day=D(2026, 9, 30), reason="  ", actor=agent)
    assert exc.value.field == "reason"


def test_can1_last_day_in_the_past_is_refused(wireless, agent, today):
    with pytest.raises(RuleRefusal, match="in the past"):
        cancellation_request(account=wireless, last_day=D(2026, 8, 31), reason="moving", actor=agent)


def test_can1_last_day_today_is_allowed(wireless, agent):
    cancellation = cancellation_request(account=wireless, last_day=D(2026, 9, 1), reason="moving", actor=agent)
    assert cancellation.uninstall_on == D(2026, 9, 2)


def test_can1_a_noc_user_cannot_cancel(wireless):
    with pytest.raises(PermissionRefused):
        cancellation_request(account=wireless, last_day=D(2026, 9, 30), reason="moving", actor=with_role("noc"))


def test_can1_uninstall_scheduled_the_day_after_and_service_end_set(wireless, agent, today):
    cancellation_request(account=wireless, last_day=D(2026, 9, 30), reason="moving", actor=agent)
    wireless.refresh_from_db()
    assert wireless.service_end == D(2026, 9, 30)
    assert wireless.status == "active"
    today.set_day(D(2026, 10, 1))
    run_day(D(2026, 10, 1))
    wireless.refresh_from_db()
    assert wireless.status == "uninstall"
    assert not wireless.statements.filter(period_start=D(2026, 10, 1)).exists()


# --- CAN-2 the ticket and its notes ---
def test_can2_ticket_routing_and_notes_carry_reason_and_improvement(wireless, agent):
    cancellation_request(account=wireless, last_day=D(2026, 10, 30), reason="Too slow in the evening",
                         improve="Better evening speeds", actor=agent)
    ticket = Ticket.objects.get(account=wireless, kind="cancellation")
    assert (ticket.assignee, ticket.group, ticket.category, ticket.ticket_type) == ("NOC", "Billing", "Misc", "Transfer")
    body = TicketNote.objects.get(ticket=ticket).body
    assert "Too slow in the evening" in body and "Better evening speeds" in body
    assert ticket.data["short_notice"] is False  # 30 Oct is more than 30 days after 1 Sep


def test_can3_short_notice_boundary(wireless, agent, catalog):
    # 30 days after 1 Sep is 1 Oct: a last day of 30 Sep is short notice, 1 Oct is not
    other = make_account(network="wireless", name="Bo Chen", emails=("bo@example.test",))
    a = cancellation_request(account=wireless, last_day=D(2026, 9, 30), reason="moving", actor=agent)
    b = cancellation_request(account=other, last_day=D(2026, 10, 1), reason="moving", actor=agent)
    assert a.short_notice is True
    assert b.short_notice is False
    assert Ticket.objects.get(account=other, kind="cancellation").data["short_notice"] is False


# --- CAN-5 pickup in float and the customer's instructions ---
def test_can5_pickup_first_weekday_and_poe_instructions(wireless, agent):
    # last day Fri 9 Oct -> uninstall Sat 10 Oct -> pickup Mon 12 Oct
    cancellation = cancellation_request(account=wireless, last_day=D(2026, 10, 9), reason="moving",
                                        moved_out=True, actor=agent)
    assert cancellation.pickup_on == D(2026, 10, 12)
    task = Task.objects.get(account=wireless, kind="equipment_pickup")
    assert task.due_on == D(2026, 10, 12)
    mail = OutboxMessage.objects.get(account=wireless, template="cancellation_confirmation")
    assert "plastic bag on the porch" in mail.body
    assert "25.00" in mail.body


def test_can5_no_fee_warning_when_not_moved_out(wireless, agent):
    cancellation_request(account=wireless, last_day=D(2026, 10, 9), reason="moving", actor=agent)
    mail = OutboxMessage.objects.get(account=wireless, template="cancellation_confirmation")
    assert "replacement fee" not in mail.body


# --- CAN-6 equipment ---
def test_can6_fee_job_charges_once_after_14_days(wireless, agent, today):
    cancellation = cancellation_request(account=wireless, last_day=D(2026, 9, 15), reason="moving", actor=agent)
    assert equipment_fee_job(as_of=D(2026, 9, 29)) == 0  # uninstall 16 Sep + 14 = 30 Sep
    today.set_day(D(2026, 9, 30))
    assert equipment_fee_job(as_of=D(2026, 9, 30)) == 1
    assert equipment_fee_job(as_of=D(2026, 9, 30)) == 0
    assert equipment_fee_job(as_of=D(2026, 10, 5)) == 0
    assert [e.amount for e in entries(account=wireless, kind="equipment_fee")] == [Decimal("25.00")]
    cancellation.refresh_from_db()
    assert cancellation.equipment == EquipmentState.FEE_CHARGED
    assert Task.objects.get(account=wireless, kind="equipment_pickup").status == "done"


def test_can6_fee_job_only_for_the_given_accounts(wireless, agent, today):
    cancellation_request(account=wireless, last_day=D(2026, 9, 15), reason="moving", actor=agent)
    assert equipment_fee_job(as_of=D(2026, 9, 30), account_ids=[wireless.pk + 1000]) == 0
    assert equipment_fee_job(as_of=D(2026, 9, 30), account_ids=[wireless.pk]) == 1


def test_can6_equipment_fee_is_configurable(wireless, agent, today):
    from lastmile.core import ispconfig

    cancellation_request(account=wireless, last_day=D(2026, 9, 15), reason="moving", actor=agent)
    with ispconfig.override(equipment_fee="40.00", equipment_return_days=7):
        assert equipment_fee_job(as_of=D(2026, 9, 23)) == 1
    assert [e.amount for e in entries(account=wireless, kind="equipment_fee")] == [Decimal("40.00")]


def test_can6_returned_after_the_fee_voids_it(wireless, agent, today):
    cancellation_request(account=wireless, last_day=D(2026, 9, 15), reason="moving", actor=agent)
    pickup_failed(account=wireless, actor=agent)
    assert balance(account=wireless) == Decimal("25.00")
    equipment_returned(account=wireless, actor=agent)
    assert balance(account=wireless) == Decimal("0.00")
    with pytest.raises(RuleRefusal):
        pickup_failed(account=wireless, actor=agent)


def test_can6_equipment_verbs_need_a_cancellation(wireless, agent):
    with pytest.raises(NotFound):
        equipment_returned(account=wireless, actor=agent)
    with pytest.raises(NotFound):
        pickup_failed(account=wireless, actor=agent)


# --- CAN-4 asked in time, statement issued while the admin handled UTOPIA ---
def test_can4_in_time_request_credited_when_the_statement_came_out_while_waiting(utopia, agent, today):
    cancellation = cancellation_request(account=utopia, last_day=D(2026, 10, 15), reason="moving",
                                        prorate_final_month=True, actor=agent)
    assert cancellation.status == CancellationStatus.WAITING_UTOPIA
    utopia.refresh_from_db()
    assert utopia.service_end is None  # CAN-8: nothing changes before the admin
    today.set_day(D(2026, 10, 1))
    run_day(D(2026, 10, 1))
    assert utopia.statements.get(period_start=D(2026, 10, 1)).recurring == Decimal("65.00")
    today.set_day(D(2026, 10, 2))
    ticket_resolve(ticket=open_ticket_of_kind(account=utopia, kind="utopia_admin"), actor=agent, answer={})
    # 65.00 - 65.00 x 15/31 (31.45) = 33.55 back
    assert [e.amount for e in entries(account=utopia, kind="proration")] == [Decimal("-33.55")]


def test_can8_admin_approving_after_the_last_day_uninstalls_at_once(utopia, agent, today):
    cancellation_request(account=utopia, last_day=D(2026, 9, 5), reason="moving", actor=agent)
    today.set_day(D(2026, 9, 8))
    ticket_resolve(ticket=open_ticket_of_kind(account=utopia, kind="utopia_admin"), actor=agent, answer={})
    utopia.refresh_from_db()
    assert utopia.status == "uninstall"
    assert NocRequest.objects.filter(account=utopia, operation="cancel").count() == 1
    assert not ScheduledEvent.objects.filter(account=utopia, action="uninstall").exists()


def test_can8_a_second_request_while_waiting_is_refused(utopia, agent):
    cancellation_request(account=utopia, last_day=D(2026, 10, 15), reason="moving", actor=agent)
    with pytest.raises(RuleRefusal, match="already under way"):
        cancellation_request(account=utopia, last_day=D(2026, 10, 20), reason="moving", actor=agent)


def test_can8_utopia_options_email_says_utopia_charges_its_fee(utopia, agent):
    contract_record(account=utopia, kind="utopia_lease", start=D(2025, 12, 5), months=12, actor=agent)
    cancellation_request(account=utopia, last_day=D(2026, 9, 30), reason="moving", actor=agent)
    body = OutboxMessage.objects.get(account=utopia, template="utopia_options").body
    assert "charged by UTOPIA, not by us" in body
    assert "take over" in body


# --- CON-2 contracts are kept; renewals append; residential never over 12 months ---
def test_con2_renewal_appends_and_the_latest_signature_counts(wireless, agent):
    first = contract_record(account=wireless, kind="residential", source="paper", start=D(2024, 5, 1),
                            signed=D(2024, 5, 1), months=12, actor=agent)
    contract_record(account=wireless, kind="residential", source="paper", start=D(2026, 2, 10),
                    signed=D(2026, 2, 10), months=12, actor=agent)
    assert Contract.objects.filter(account=wireless).count() == 2
    assert selectors.current_contract(account=wireless).start == D(2026, 2, 10)
    with pytest.raises(PermissionError):
        first.save()


def test_con2_residential_term_over_12_months_is_refused(wireless, agent):
    with pytest.raises(RuleRefusal, match="never exceed 12 months"):
        contract_record(account=wireless, kind="residential", source="digital", start=D(2026, 1, 1),
                        months=24, actor=agent)


def test_con2_scenario_with_a_13_month_residential_contract_is_rejected_at_load():
    text = textwrap.dedent("""\
        start: 2026-09-01
        end: 2026-09-02
        accounts:
          - ref: ana
            name: Ana Lopez
            kind: residential
            network: wireless
            plan: classic
            address: {line1: "12 Elm St", city: Orem, state: UT, postal_code: "84057"}
            contract: {kind: residential, source: digital, start: 2026-01-01, months: 13, monthly: "65.00"}
        """)
    with pytest.raises(ScenarioError) as exc:
        scenario.parse(text)
    assert exc.value.line == 10
    assert "never exceed 12 months" in exc.value.message


# --- CON-8 lookup permissions ---
def test_con8_only_contract_lookup_roles_answer_the_lookup(wireless, agent):
    from lastmile.cancellations.services import contract_status_set

    contract_status_set(account=wireless, status="unknown", actor=agent)
    cancellation = cancellation_request(account=wireless, last_day=D(2026, 10, 31), reason="moving", actor=agent)
    assert cancellation.status == CancellationStatus.WAITING_CONTRACT
    ticket = open_ticket_of_kind(account=wireless, kind="contract_lookup")
    with pytest.raises(PermissionRefused):
        ticket_resolve(ticket=ticket, actor=with_role("agent"), answer={"contract": "none"})
    with pytest.raises(InvalidInput):
        ticket_resolve(ticket=ticket, actor=with_role("billing"), answer={"contract": {"kind": "x"}})
    ticket_resolve(ticket=ticket, actor=with_role("billing"), answer={"contract": "none"})
    cancellation.refresh_from_db()
    assert cancellation.status == CancellationStatus.CONFIRMED
    assert selectors.contract_status(account=wireless) == "none"


# --- BIL-6 cards are untouched by a cancellation; an update adds a card and a note ---
def test_bil6_cancellation_leaves_cards_alone_and_an_update_adds_a_card(wireless, agent):
    old = card_add(account=wireless, token="tok_old", last4="1111", actor=agent)
    cancellation_request(account=wireless, last_day=D(2026, 9, 30), reason="moving", actor=agent)
    assert list(PaymentCard.objects.filter(account=wireless)) == [old]
    new = card_add(account=wireless, token="tok_new", last4="2222", actor=agent,
                   why="Customer updated the card during the cancellation call.")
    cards = list(PaymentCard.objects.filter(account=wireless).order_by("id"))
    assert cards == [old, new]
    assert (cards[0].token, cards[0].last4) == ("tok_old", "1111")  # never edited
    assert wireless.notes.filter(body__contains="ending 2222").exists()
    with pytest.raises(PermissionError):
        old.delete()


# --- CAN-7 / idempotency through the simulator ---
def test_can7_final_bill_preview_lists_every_statement_before_the_last_day(db):
    result = run_scenario_text("""
        start: 2026-09-02
        end: 2026-09-02
        accounts:
          - ref: bo
            name: Bo Chen
            kind: residential
            network: wireless
            plan: basic
            address: {line1: "4 Oak Ave", city: Provo, state: UT, postal_code: "84601"}
            opening_balance: "20.00"
            contract: {kind: residential, source: digital, start: 2026-06-01, months: 12, monthly: "50.00"}
        events:
          - {on: 2026-09-02, account: bo, do: request_cancellation, last_day: 2026-11-10, reason: "moving", prorate_final_month: true}
    """)
    [quote] = of_type(result, "cancellation.quoted", "bo")
    # ETF: 2026-06-01 + 12 = 2027-06-01; from 2 Sep: 9 months, 9/2 x 50 = 225 -> capped 150
    assert quote["etf"] == "150.00" and quote["months_remaining"] == 9
    assert quote["final_bill"] == {
        "balance": "20.00", "etf": "150.00",
        "statements": [
            {"date": "2026-10-01", "recurring": "50.00", "amount": "220.00"},
            {"date": "2026-11-01", "recurring": "16.67", "amount": "236.67"},  # 50 x 10/30
        ],
        "final_balance": "236.67",
    }
