"""The console's ticket pages (TKT-1, PKG-4, PKG-10, CAN-8, CON-8, DLQ-7) and the NOC
desk (NET-1): each answer form, the refusals on the form with their status, notes,
reassigning, the list's filters."""
from __future__ import annotations

import pytest
from django.urls import reverse

from lastmile.cancellations.models import Cancellation
from lastmile.core import ispconfig
from lastmile.core.models import TimelineEntry
from lastmile.network.models import NocRequest
from lastmile.simulation.state import simulation
from lastmile.tickets.models import Ticket
from lastmile.tickets.services import ticket_open
from tests.tickets import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim_manual(today, catalog):
    with simulation(), ispconfig.override(noc_auto_confirm=False) as settings:
        yield settings


def page(client, ticket):
    return client.get(reverse("console:ticket", args=[ticket.pk])).content.decode()


def answer(client, ticket, **data):
    return client.post(reverse("console:ticket_answer", args=[ticket.pk]), data)


# --- premium_availability (PKG-4) ---------------------------------------------------
def test_pkg4_ticket_shows_question_facts_and_the_form_to_an_admin(console_as, today, catalog):
    account, ticket = builders.premium_ticket()
    html = page(console_as("admin"), ticket)
    assert "Is Premium available at 12 Elm St, Orem (UT-10042)?" in html
    assert "Classic ($" in html and "Premium ($" in html and "UT-10042" in html
    assert reverse("console:account", args=[account.number]) in html
    assert 'id="answer-form"' in html and 'name="premium_available"' in html
    assert 'id="close-form"' not in html  # it waits on an answer, not on "Close"


def test_pkg4_others_see_who_must_answer(console_as, today, catalog):
    _, ticket = builders.premium_ticket()
    html = page(console_as("agent"), ticket)
    assert 'id="answer-form"' not in html
    assert "Waiting on an admin to answer." in html


def test_pkg4_admin_answers_yes_and_the_plan_is_premium(console_as, today, catalog):
    account, ticket = builders.premium_ticket()
    response = answer(console_as("admin"), ticket, premium_available="yes")
    assert response.status_code == 302
    account.refresh_from_db()
    ticket.refresh_from_db()
    assert account.package.code == "premium" and ticket.status == "closed"


def test_pkg4_admin_answers_no_and_the_change_is_declined(console_as, today, catalog):
    account, ticket = builders.premium_ticket()
    answer(console_as("admin"), ticket, premium_available="no")
    account.refresh_from_db()
    assert account.package.code == "classic"


def test_pkg4_an_agent_posting_the_answer_is_refused_with_the_sentence(console_as, today, catalog):
    _, ticket = builders.premium_ticket()
    response = answer(console_as("agent"), ticket, premium_available="yes")
    assert response.status_code == 403
    assert "answering a Premium availability ticket needs the role admin" in response.content.decode()


def test_pkg4_no_choice_is_422(console_as, today, catalog):
    _, ticket = builders.premium_ticket()
    response = answer(console_as("admin"), ticket)
    assert response.status_code == 422 and "Say whether it is available." in response.content.decode()


# --- utopia_admin (PKG-10, CAN-8) ---------------------------------------------------
def test_pkg10_done_with_utopia_applies_the_change_with_the_note(console_as, today, catalog):
    account, ticket = builders.utopia_plan_ticket()
    client = console_as("admin")
    assert "Has the change to Basic been done with UTOPIA for Fay Ruiz?" in page(client, ticket)
    answer(client, ticket, outcome="done", note="UTOPIA case 88")
    account.refresh_from_db()
    assert account.package.code == "basic"
    assert "Done with UTOPIA: UTOPIA case 88" in page(client, ticket)


def test_pkg10_done_needs_the_note(console_as, today, catalog):
    _, ticket = builders.utopia_plan_ticket()
    response = answer(console_as("admin"), ticket, outcome="done", note="")
    assert response.status_code == 422
    assert "Write what was done, or the reason it was declined." in response.content.decode()


def test_can8_utopia_cancellation_done_and_declined(console_as, today, catalog):
    account, ticket = builders.utopia_cancel_ticket()
    client = console_as("admin")
    html = page(client, ticket)
    assert "Has Hal Moss&#x27;s cancellation been handled with UTOPIA?" in html
    assert "Moving to Denver" in html  # the reason is a fact
    answer(client, ticket, outcome="done", note="cancelled in the UTOPIA CRM")
    assert Cancellation.objects.get(account=account).status == "confirmed"
    other, ticket2 = builders.utopia_cancel_ticket(name="Jo Park", address_id="UT-20077")
    answer(client, ticket2, outcome="declined", note="the customer stays")
    assert Cancellation.objects.get(account=other).status == "declined"


# --- contract_lookup (CON-8) --------------------------------------------------------
def test_con8_billing_answers_no_contract(console_as, today, catalog):
    account, ticket = builders.contract_ticket()
    client = console_as("billing")
    assert "Does Tia Grant have a contract?" in page(client, ticket)
    response = answer(client, ticket, found="none")
    assert response.status_code == 302
    assert Cancellation.objects.get(account=account).status == "confirmed"


def test_con8_billing_answers_a_digital_contract(console_as, today, catalog):
    account, ticket = builders.contract_ticket()
    answer(console_as("billing"), ticket, found="contract", kind="residential", source="digital",
           start="2026-01-10", months="12", monthly="50.00")
    cancellation = Cancellation.objects.get(account=account)
    assert cancellation.status == "confirmed" and cancellation.under_contract


def test_con8_a_bad_contract_shows_the_sentence(console_as, today, catalog):
    _, ticket = builders.contract_ticket()
    response = answer(console_as("manager"), ticket, found="contract", kind="residential", source="digital",
                      start="2026-01-10", months="13")
    assert response.status_code == 422
    assert "residential terms never exceed 12 months" in response.content.decode()


# --- noc_followup (DLQ-7) -----------------------------------------------------------
def test_dlq7_noc_confirms_with_the_restored_vlan(console_as, sim_manual, today):
    account, request, ticket = builders.noc_ticket(today)
    client = console_as("noc")
    html = page(client, ticket)
    assert "Expected VLAN" in html and "552" in html and 'name="vlan"' in html
    assert "Sep 1, 2026 at 09:00" in html  # the ISP's local time, not UTC
    answer(client, ticket, outcome="confirmed", vlan="552")
    account.refresh_from_db()
    assert account.status == "active"


def test_dlq7_wrong_vlan_stays_open_and_the_page_says_so(console_as, sim_manual, today):
    account, request, ticket = builders.noc_ticket(today)
    client = console_as("noc")
    response = client.post(reverse("console:ticket_answer", args=[ticket.pk]),
                           {"outcome": "confirmed", "vlan": "10"}, follow=True)
    html = response.content.decode()
    assert "stays open" in html and "the ONT reports VLAN 10, not 552" in html
    ticket.refresh_from_db()
    account.refresh_from_db()
    assert ticket.status == "open" and account.status == "suspended"


def test_dlq7_noc_failed_needs_a_note_and_stays_open(console_as, sim_manual, today):
    _, _, ticket = builders.noc_ticket(today)
    client = console_as("noc")
    response = answer(client, ticket, outcome="failed", note="")
    assert response.status_code == 422 and "Say what the NOC could not do." in response.content.decode()
    answer(client, ticket, outcome="failed", note="NOC line down")
    ticket.refresh_from_db()
    assert ticket.status == "open" and "NOC line down" in ticket.notes.last().body


def test_dlq7_confirm_needs_the_vlan(console_as, sim_manual, today):
    _, _, ticket = builders.noc_ticket(today)
    response = answer(console_as("noc"), ticket, outcome="confirmed")
    assert response.status_code == 422 and "Type the VLAN read from the ONT." in response.content.decode()


# --- any ticket: notes, reassigning, closing by hand, the list ------------------------
def test_tkt1_note_without_closing(console_as, today, catalog):
    _, ticket = builders.premium_ticket()
    client = console_as("agent")
    response = client.post(reverse("console:ticket_note", args=[ticket.pk]), {"body": "Customer called again"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.notes.last().body == "Customer called again"
    assert client.post(reverse("console:ticket_note", args=[ticket.pk]), {"body": ""}).status_code == 422


def test_tkt1_reassign_to_a_user_and_a_team(console_as, today, catalog):
    account, ticket = builders.premium_ticket()
    client = console_as("agent")
    other = console_as("admin").user
    client.post(reverse("console:ticket_assign", args=[ticket.pk]), {"user": other.pk})
    ticket.refresh_from_db()
    assert ticket.assignee_user == other
    client.post(reverse("console:ticket_assign", args=[ticket.pk]), {"team": "NOC"})
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.assignee_user) == ("NOC", None)
    assert TimelineEntry.objects.filter(account=account, type="ticket.assigned").count() == 2
    response = client.post(reverse("console:ticket_assign", args=[ticket.pk]), {})
    assert response.status_code == 422 and "Choose a person or a team" in response.content.decode()


def test_tkt1_close_by_hand_only_for_tickets_without_an_answer(console_as, today, catalog):
    account, waiting = builders.premium_ticket()
    client = console_as("agent")
    response = client.post(reverse("console:ticket", args=[waiting.pk]), {"confirm": "on"})
    assert response.status_code == 409 and "this ticket waits on an answer" in response.content.decode()
    slow = ticket_open(account=account, kind="troubleshooting", subject="Slow speeds", actor="t")
    assert 'id="close-form"' in page(client, slow)
    client.post(reverse("console:ticket", args=[slow.pk]), {"confirm": "on"})
    slow.refresh_from_db()
    assert slow.status == "closed"


def test_tkt1_list_filters_mine_and_my_team(console_as, today, catalog):
    account, premium = builders.premium_ticket()
    slow = ticket_open(account=account, kind="troubleshooting", subject="Slow speeds", actor="t")
    admin = console_as("admin")
    url = reverse("console:tickets")
    html = admin.get(url, {"scope": "team"}).content.decode()
    assert premium.subject in html and "Slow speeds" not in html
    agent = console_as("agent")
    assert "Slow speeds" in agent.get(url, {"scope": "team"}).content.decode()
    Ticket.objects.filter(pk=slow.pk).update(assignee_user=agent.user, assignee=agent.user.username)
    html = agent.get(url, {"scope": "mine"}).content.decode()
    assert "Slow speeds" in html and premium.subject not in html
    html = agent.get(url, {"kind": "premium_availability", "status": "all"}).content.decode()
    assert premium.subject in html and "Slow speeds" not in html


# --- the NOC desk (NET-1, DLQ-7) ----------------------------------------------------
def test_net1_noc_desk_lists_sent_requests_oldest_first(console_as, sim_manual, today):
    account, request = builders.shut_off_and_paid()
    client = console_as("noc")
    html = client.get(reverse("console:noc")).content.decode()
    assert "UT-10042" in html and "12 Elm St" in html and "Ana Lopez" in html
    assert html.index("Suspend") < html.index("Unsuspend")  # oldest first
    assert 'id="nav-noc"' in html


def test_net1_noc_desk_is_for_noc_and_admin(console_as, sim_manual, today):
    agent = console_as("agent")
    response = agent.get(reverse("console:noc"))
    assert response.status_code == 403 and "the NOC desk needs the role admin, noc" in response.content.decode()
    assert 'id="nav-noc"' not in agent.get(reverse("console:home")).content.decode()
    assert console_as("admin").get(reverse("console:noc")).status_code == 200


def test_dlq7_noc_desk_confirm_restores_and_fail_needs_a_note(console_as, sim_manual, today):
    account, request = builders.shut_off_and_paid()
    client = console_as("noc")
    url = reverse("console:noc_record", args=[request.pk, "confirm"])
    response = client.post(url, {})
    assert response.status_code == 422 and "type the VLAN read from the ONT" in response.content.decode()
    response = client.post(url, {"vlan": "552"}, follow=True)
    assert "service is restored" in response.content.decode()
    account.refresh_from_db()
    assert account.status == "active"
    suspend = NocRequest.objects.get(account=account, operation="suspend")
    response = client.post(reverse("console:noc_record", args=[suspend.pk, "fail"]), {"note": ""})
    assert response.status_code == 422 and "Say what the NOC could not do." in response.content.decode()
    client.post(reverse("console:noc_record", args=[suspend.pk, "fail"]), {"note": "wrong port"})
    suspend.refresh_from_db()
    assert suspend.state == "failed"
    assert Ticket.objects.filter(account=account, kind="noc_followup", status="open").exists()
