"""Tickets that ask, and take the answer (TKT-1, PKG-4, PKG-10, CAN-8, CON-8, DLQ-7):
ticket_assign, ticket_answer and the NOC desk's noc_request_record, each refusal
read by its sentence."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from lastmile.cancellations.models import Cancellation
from lastmile.comms.models import OutboxMessage
from lastmile.core.actors import automation, with_role
from lastmile.core.errors import InvalidInput, PermissionRefused, RuleRefusal
from lastmile.core.models import TimelineEntry
from lastmile.network.models import NocRequest
from lastmile.network.services import noc_request_record, noc_requests_retry
from lastmile.plans.models import PlanChange
from lastmile.tickets import selectors
from lastmile.tickets.models import Ticket
from lastmile.tickets.services import ticket_answer, ticket_assign, ticket_open
from tests.tickets import builders

pytestmark = pytest.mark.django_db

ADMIN, NOC, BILLING, AGENT = (with_role(r, f"{r} user") for r in ("admin", "noc", "billing", "agent"))


def staff(username, role="agent", active=True):
    user = User.objects.create_user(username, f"{username}@example.test", "pw", is_active=active)
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


# --- ticket_assign (TKT-1) ----------------------------------------------------------
def test_tkt1_assign_to_a_user_records_from_and_to(today, catalog):
    account, ticket = builders.premium_ticket()
    maria = staff("maria")
    ticket = ticket_assign(ticket=ticket, actor=AGENT, user=maria)
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.assignee_user) == ("maria", maria)
    entry = TimelineEntry.objects.get(account=account, type="ticket.assigned")
    assert (entry.data["from"], entry.data["to"], entry.data["ticket"]) == ("Admin", "maria", ticket.pk)


def test_tkt1_assign_to_a_team_clears_the_user(today, catalog):
    _, ticket = builders.premium_ticket()
    ticket_assign(ticket=ticket, actor=AGENT, user=staff("maria"))
    ticket = ticket_assign(ticket=ticket, actor=AGENT, team="billing")
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.assignee_user) == ("Billing", None)


def test_tkt1_assign_refusals_read_their_sentence(today, catalog):
    _, ticket = builders.premium_ticket()
    with pytest.raises(InvalidInput, match="there is no team 'Sales'; teams are Admin, Billing, NOC") as err:
        ticket_assign(ticket=ticket, actor=AGENT, team="Sales")
    assert err.value.field == "team"
    with pytest.raises(InvalidInput, match="assign the ticket to a user or to a team"):
        ticket_assign(ticket=ticket, actor=AGENT)
    with pytest.raises(InvalidInput, match="gone is not an active staff member with a role"):
        ticket_assign(ticket=ticket, actor=AGENT, user=staff("gone", active=False))
    with pytest.raises(InvalidInput, match="norole is not an active staff member"):
        ticket_assign(ticket=ticket, actor=AGENT, user=staff("norole", role=None))
    with pytest.raises(PermissionRefused, match="reassigning a ticket needs the role"):
        ticket_assign(ticket=ticket, actor=with_role("agent").__class__(name="x"), team="NOC")
    ticket.status = "closed"
    Ticket.objects.filter(pk=ticket.pk).update(status="closed")
    with pytest.raises(RuleRefusal, match=f"ticket #{ticket.pk} is closed"):
        ticket_assign(ticket=ticket, actor=AGENT, team="NOC")
    assert not TimelineEntry.objects.filter(type="ticket.assigned").exists()


def test_tkt1_mine_and_my_team_filters(today, catalog):
    account, ticket = builders.premium_ticket()
    other = ticket_open(account=account, kind="delinquency", subject="Past due", actor="t")
    maria = staff("maria")
    ticket_assign(ticket=ticket, actor=AGENT, user=maria)
    assert list(selectors.ticket_queue(user=maria)) == [ticket]
    assert selectors.teams_of(BILLING) == ("Billing", "Onboarding specialist")
    assert list(selectors.ticket_queue(teams=selectors.teams_of(BILLING))) == [other]
    assert list(selectors.ticket_queue(teams=selectors.teams_of(ADMIN))) == []  # the Admin one is maria's now


# --- ticket_answer: every kind that waits on a person -------------------------------
def test_pkg4_answer_yes_applies_premium_and_the_customer_gets_the_summary(today, catalog):
    account, ticket = builders.premium_ticket()
    after = ticket_answer(ticket=ticket, actor=ADMIN, answer={"premium_available": True, "note": "map checked"})
    account.refresh_from_db()
    assert after.status == "closed" and account.package.code == "premium"
    assert OutboxMessage.objects.filter(account=account, template="plan_change_summary").exists()  # PKG-8
    assert "map checked" in [n.body for n in after.notes.all()]


def test_pkg4_answer_no_declines_and_the_customer_is_told(today, catalog):
    account, ticket = builders.premium_ticket()
    ticket_answer(ticket=ticket, actor=ADMIN, answer={"premium_available": False})
    account.refresh_from_db()
    assert account.package.code == "classic"
    assert PlanChange.objects.get(account=account).status == "declined"
    assert OutboxMessage.objects.filter(account=account, template="plan_change_declined").exists()


def test_pkg4_answer_refusals(today, catalog):
    _, ticket = builders.premium_ticket()
    with pytest.raises(PermissionRefused, match="answering a Premium availability ticket needs the role admin"):
        ticket_answer(ticket=ticket, actor=BILLING, answer={"premium_available": True})
    with pytest.raises(InvalidInput, match="say whether Premium is available at the address: yes or no"):
        ticket_answer(ticket=ticket, actor=ADMIN, answer={})


def test_pkg10_utopia_plan_change_done_applies_it_with_the_note(today, catalog):
    account, ticket = builders.utopia_plan_ticket()
    after = ticket_answer(ticket=ticket, actor=ADMIN, answer={"approved": True, "note": "UTOPIA portal case 88"})
    account.refresh_from_db()
    assert after.status == "closed" and account.package.code == "basic"
    assert "Done with UTOPIA: UTOPIA portal case 88" in [n.body for n in after.notes.all()]


def test_pkg10_utopia_plan_change_declined_keeps_the_plan_with_the_reason(today, catalog):
    account, ticket = builders.utopia_plan_ticket()
    after = ticket_answer(ticket=ticket, actor=ADMIN, answer={"approved": False, "note": "lease forbids it"})
    account.refresh_from_db()
    assert after.status == "closed" and account.package.code == "classic"
    assert "Declined: lease forbids it" in [n.body for n in after.notes.all()]


def test_pkg10_can8_utopia_answer_needs_the_note_and_an_admin(today, catalog):
    _, ticket = builders.utopia_plan_ticket()
    with pytest.raises(InvalidInput, match="say what was done with UTOPIA") as err:
        ticket_answer(ticket=ticket, actor=ADMIN, answer={"approved": True, "note": "  "})
    assert err.value.field == "note"
    with pytest.raises(InvalidInput, match="say why it was declined"):
        ticket_answer(ticket=ticket, actor=ADMIN, answer={"approved": False})
    with pytest.raises(InvalidInput, match="say whether it was done with UTOPIA or declined"):
        ticket_answer(ticket=ticket, actor=ADMIN, answer={"note": "x"})
    with pytest.raises(PermissionRefused, match="needs the role admin"):
        ticket_answer(ticket=ticket, actor=NOC, answer={"approved": True, "note": "x"})
    assert not ticket.notes.filter(body__startswith="Done").exists()  # nothing half done


def test_can8_utopia_cancellation_done_schedules_the_uninstall(today, catalog):
    from lastmile.core.models import ScheduledEvent

    account, ticket = builders.utopia_cancel_ticket()
    ticket_answer(ticket=ticket, actor=ADMIN, answer={"approved": True, "note": "cancelled in UTOPIA CRM"})
    cancellation = Cancellation.objects.get(account=account)
    assert cancellation.status == "confirmed"
    assert ScheduledEvent.objects.filter(account=account, action="uninstall").exists()


def test_can8_utopia_cancellation_declined(today, catalog):
    account, ticket = builders.utopia_cancel_ticket()
    after = ticket_answer(ticket=ticket, actor=ADMIN, answer={"approved": False, "note": "customer stays"})
    assert Cancellation.objects.get(account=account).status == "declined"
    assert "Declined: customer stays" in [n.body for n in after.notes.all()]


def test_con8_contract_none_lets_the_cancellation_go_on(today, catalog):
    account, ticket = builders.contract_ticket()
    after = ticket_answer(ticket=ticket, actor=BILLING, answer={"contract": "none"})
    assert after.status == "closed"
    assert Cancellation.objects.get(account=account).status == "confirmed"


def test_con8_contract_found_is_quoted(today, catalog):
    account, ticket = builders.contract_ticket()
    ticket_answer(ticket=ticket, actor=BILLING, answer={"contract": {
        "kind": "residential", "source": "digital", "start": "2026-01-10", "months": 12, "monthly": "50.00"}})
    cancellation = Cancellation.objects.get(account=account)
    assert cancellation.status == "confirmed" and cancellation.under_contract


def test_con8_contract_refusals(today, catalog):
    _, ticket = builders.contract_ticket()
    with pytest.raises(InvalidInput, match="answer `none` \\(month-to-month\\) or the contract found"):
        ticket_answer(ticket=ticket, actor=BILLING, answer={})
    with pytest.raises(InvalidInput, match="contract kind must be one of residential, commercial"):
        ticket_answer(ticket=ticket, actor=BILLING, answer={"contract": {"kind": "lease"}})
    with pytest.raises(PermissionRefused, match="answering a Contract lookup ticket needs the role admin, billing"):
        ticket_answer(ticket=ticket, actor=AGENT, answer={"contract": "none"})


def test_tkt1_a_ticket_closed_by_hand_has_no_answer(today, catalog):
    account, _ = builders.premium_ticket()
    ticket = ticket_open(account=account, kind="troubleshooting", subject="Slow", actor="t")
    assert selectors.answer_spec(ticket) is None
    with pytest.raises(RuleRefusal, match="a Troubleshooting ticket is closed by hand; it has no answer"):
        ticket_answer(ticket=ticket, actor=ADMIN, answer={})


def test_tkt1_answer_spec_names_the_fields(today, catalog):
    _, ticket = builders.premium_ticket()
    spec = selectors.answer_spec(ticket)
    assert spec["kind"] == "premium_availability" and "premium_available" in spec["fields"]
    assert selectors.ticket_facts(ticket)["question"] == "Is Premium available at 12 Elm St, Orem (UT-10042)?"


# --- noc_followup (DLQ-7) -----------------------------------------------------------
def test_dlq7_followup_confirmed_on_the_restored_vlan_reinstates(sim_manual, today):
    account, request, ticket = builders.noc_ticket(today)
    after = ticket_answer(ticket=ticket, actor=NOC, answer={"vlan": 552})
    account.refresh_from_db()
    request.refresh_from_db()
    assert after.status == "closed" and account.status == "active" and account.portal_access
    assert request.completed_at is not None and not request.restore_pending


def test_dlq7_followup_wrong_vlan_keeps_the_ticket_open_and_says_so(sim_manual, today):
    account, request, ticket = builders.noc_ticket(today)
    after = ticket_answer(ticket=ticket, actor=NOC, answer={"vlan": 10})
    account.refresh_from_db()
    request.refresh_from_db()
    assert after.status == "open" and account.status == "suspended" and request.restore_pending
    assert "the ONT reports VLAN 10, not 552" in after.notes.last().body
    assert Ticket.objects.filter(account=account, kind="noc_followup", status="open").count() == 1
    # the NOC moved it: the same ticket, answered again, completes the reinstatement
    after = ticket_answer(ticket=after, actor=NOC, answer={"vlan": 552})
    account.refresh_from_db()
    assert after.status == "closed" and account.status == "active"


def test_dlq7_followup_failed_stays_open_with_the_note(sim_manual, today):
    account, request, ticket = builders.noc_ticket(today)
    after = ticket_answer(ticket=ticket, actor=NOC, answer={"failed": True, "note": "NOC line busy"})
    request.refresh_from_db()
    assert after.status == "open" and request.state == "failed"
    assert "NOC line busy" in after.notes.last().body
    assert TimelineEntry.objects.filter(account=account, type="noc.failed").exists()


def test_dlq7_followup_refusals(sim_manual, today):
    _, _, ticket = builders.noc_ticket(today)
    with pytest.raises(InvalidInput, match="type the VLAN read from the ONT"):
        ticket_answer(ticket=ticket, actor=NOC, answer={"vlan": None})
    with pytest.raises(InvalidInput, match="say what the NOC could not do"):
        ticket_answer(ticket=ticket, actor=NOC, answer={"failed": True})
    with pytest.raises(InvalidInput, match="a VLAN is between 1 and 4094, not 9000"):
        ticket_answer(ticket=ticket, actor=NOC, answer={"vlan": 9000})
    with pytest.raises(PermissionRefused, match="needs the role admin, noc"):
        ticket_answer(ticket=ticket, actor=AGENT, answer={"vlan": 552})


# --- the NOC desk: noc_request_record (NET-1, DLQ-7) ---------------------------------
def test_net1_dlq7_desk_confirm_with_vlan_completes_the_reinstatement(sim_manual, today):
    account, request, ticket = builders.noc_ticket(today)
    noc_request_record(request=request, actor=NOC, confirmed=True, vlan=552)
    account.refresh_from_db()
    ticket.refresh_from_db()
    assert account.status == "active" and ticket.status == "closed"
    entry = TimelineEntry.objects.filter(account=account, type="noc.confirmed", data__auto=False).get()
    assert entry.data["vlan"] == 552


def test_net1_desk_confirm_of_a_suspend_needs_no_vlan(sim_manual, today):
    from lastmile.network.services import service_shut_off

    account = builders.make_account(name="Bo Chen")
    request = service_shut_off(account=account, operation="suspend", actor=automation("t"), key="s1")
    assert request.state == "sent"
    noc_request_record(request=request, actor=NOC, confirmed=True)
    request.refresh_from_db()
    assert request.state == "confirmed"
    with pytest.raises(RuleRefusal, match=f"the suspend request #{request.pk} is already confirmed"):
        noc_request_record(request=request, actor=NOC, confirmed=True)
    with pytest.raises(RuleRefusal, match="already confirmed; there is nothing left to fail"):
        noc_request_record(request=request, actor=NOC, confirmed=False, note="x")


def test_net1_desk_refusals(sim_manual, today):
    _, request = builders.shut_off_and_paid()
    with pytest.raises(InvalidInput, match="type the VLAN read from the ONT: an unsuspend is only complete"):
        noc_request_record(request=request, actor=NOC, confirmed=True)
    with pytest.raises(InvalidInput, match="the VLAN must be a whole number read from the ONT, not 'abc'"):
        noc_request_record(request=request, actor=NOC, confirmed=True, vlan="abc")
    with pytest.raises(InvalidInput, match="say what the NOC could not do \\(the note is required\\)"):
        noc_request_record(request=request, actor=NOC, confirmed=False, note="")
    with pytest.raises(PermissionRefused, match="recording the NOC's answer needs the role admin, noc"):
        noc_request_record(request=request, actor=BILLING, confirmed=True, vlan=552)


def test_net1_desk_failed_opens_a_followup_and_is_not_resent(sim_manual, today):
    account, request = builders.shut_off_and_paid()
    noc_request_record(request=request, actor=NOC, confirmed=False, note="ONT offline, truck needed")
    request.refresh_from_db()
    assert request.state == "failed"
    ticket = Ticket.objects.get(account=account, kind="noc_followup", status="open")
    assert "ONT offline, truck needed" in ticket.notes.first().body
    entry = TimelineEntry.objects.get(account=account, type="noc.failed")
    assert entry.data["note"] == "ONT offline, truck needed"
    today.advance(hours=2)
    assert noc_requests_retry() == 0  # a person said why: a person follows up
    # the follow-up, answered, completes the reinstatement
    ticket_answer(ticket=ticket, actor=NOC, answer={"vlan": 552})
    account.refresh_from_db()
    assert account.status == "active"
    assert NocRequest.objects.get(pk=request.pk).state == "confirmed"


def test_net1_desk_failed_twice_keeps_one_followup(sim_manual, today):
    account, request, ticket = builders.noc_ticket(today)
    noc_request_record(request=request, actor=NOC, confirmed=False, note="first try")
    noc_request_record(request=request, actor=NOC, confirmed=False, note="second try")
    assert Ticket.objects.filter(account=account, kind="noc_followup", status="open").count() == 1
    assert [n.body.split(": ", 1)[-1] for n in ticket.notes.order_by("id")][-2:] == ["first try", "second try"]


def test_net1_desk_failed_batch_cancel_opens_a_followup_per_account_and_confirm_closes_them(sim_manual, today):
    from lastmile.network.services import noc_batch_cancel

    ana = builders.make_account(name="Ana Lopez")
    bo = builders.make_account(name="Bo Chen", address_id="UT-20077")
    batch = noc_batch_cancel(accounts=[ana, bo], on=today.today(), actor=automation("month end"))
    assert batch.state == "sent" and batch.account is None
    noc_request_record(request=batch, actor=NOC, confirmed=False, note="the NOC mailbox bounced")
    followups = Ticket.objects.filter(kind="noc_followup", status="open").order_by("account_id")
    assert [t.account for t in followups] == [ana, bo]
    assert "the NOC mailbox bounced" in followups[0].notes.first().body
    assert TimelineEntry.objects.filter(type="noc.failed", account=None).exists()
    noc_request_record(request=batch, actor=NOC, confirmed=True)
    assert not Ticket.objects.filter(kind="noc_followup", status="open").exists()
    assert NocRequest.objects.get(pk=batch.pk).state == "confirmed"
