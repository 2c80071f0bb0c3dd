"""The network services other contexts call: shut off, restore, confirm, batch
(NET-1, NET-2, DLQ-7, DLQ-8)."""
from __future__ import annotations

import datetime as dt

import pytest

from lastmile.accounts.models import ServiceAddress
from lastmile.comms.models import OutboxMessage
from lastmile.core import hooks, ispconfig
from lastmile.core.actors import automation, with_role
from lastmile.core.errors import InvalidInput, PermissionRefused, RuleRefusal
from lastmile.core.models import TimelineEntry
from lastmile.network.adapters import SimulatedNetwork
from lastmile.network.models import NocRequest
from lastmile.network.selectors import noc_followups, noc_requests_pending, restore_pending
from lastmile.network.services import (
    noc_batch_cancel,
    noc_followups_open,
    noc_request_confirm,
    noc_request_manual,
    service_restore,
    service_shut_off,
    was_shut_off,
)
from lastmile.simulation.state import simulation
from lastmile.tickets.models import Ticket
from tests.mixins import make_account

BOT = automation("test step")


def types(account, since=0):
    return [e.type for e in TimelineEntry.objects.filter(account=account, id__gt=since).order_by("id")]


def last_id():
    return TimelineEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def sim(today, catalog):
    """The simulated network, auto-confirming (the simulator's default)."""
    with simulation(), ispconfig.override(noc_auto_confirm=True) as settings:
        yield settings


@pytest.fixture
def sim_manual(today, catalog):
    with simulation(), ispconfig.override(noc_auto_confirm=False) as settings:
        yield settings


@pytest.fixture
def restored_events():
    seen = []

    def handler(account, actor):
        seen.append((account.pk, str(actor)))

    hooks.subscribe(hooks.SERVICE_RESTORED, handler)
    yield seen
    hooks._subscribers[hooks.SERVICE_RESTORED].remove(handler)


@pytest.mark.django_db
def test_dlq1_shut_off_utopia_requests_disables_portal_and_suspends_in_order(sim):
    account = make_account()
    since = last_id()
    request = service_shut_off(account=account, operation="suspend", actor=BOT, key="case1:suspend")
    account.refresh_from_db()
    assert account.status == "suspended" and account.portal_access is False
    assert request.address_id == "UT-10042" and "12 Elm St" in request.address  # NET-2
    seq = [t for t in types(account, since) if t != "noc.confirmed"]
    assert seq == ["noc.requested", "portal.changed", "account.status_changed"]
    requested = TimelineEntry.objects.get(account=account, type="noc.requested")
    assert requested.data["operation"] == "suspend" and requested.data["address_id"] == "UT-10042"
    assert was_shut_off(account=account)
    # DLQ-5's fee is not ours
    assert "charge.posted" not in types(account, since)


@pytest.mark.django_db
def test_dlq1_shut_off_wireless_disconnect_sets_not_active(sim):
    account = make_account(network="wireless")
    service_shut_off(account=account, operation="disconnect", actor=BOT, key="case1:deactivate")
    account.refresh_from_db()
    assert account.status == "not_active" and account.portal_access is False
    assert NocRequest.objects.get(account=account).operation == "disconnect"


@pytest.mark.django_db
def test_shut_off_idempotent_by_key(sim):
    account = make_account()
    first = service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    since = last_id()
    again = service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    assert again.pk == first.pk
    assert types(account, since) == []
    assert NocRequest.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_shut_off_of_an_account_already_shut_off_sends_nothing_new(sim):
    account = make_account()
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k2")
    assert NocRequest.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_net2_shut_off_refuses_utopia_account_without_address_id(sim):
    account = make_account()
    ServiceAddress.objects.filter(account=account).update(address_id="")
    account.refresh_from_db()
    with pytest.raises(RuleRefusal, match="address ID"):
        service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    account.refresh_from_db()
    assert account.status == "active" and account.portal_access is True


@pytest.mark.django_db
def test_shut_off_refuses_other_operations(sim):
    with pytest.raises(InvalidInput):
        service_shut_off(account=make_account(), operation="cancel", actor=BOT, key="k1")


@pytest.mark.django_db
def test_dlq7_restore_auto_confirmed_completes_at_once(sim, restored_events):
    account = make_account()
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    since = last_id()
    request = service_restore(account=account, actor=BOT, key="case1:restore")
    account.refresh_from_db()
    assert request.operation == "unsuspend" and request.state == "confirmed"
    assert account.status == "active" and account.portal_access is True
    assert types(account, since) == ["noc.requested", "noc.confirmed", "portal.changed",
                                     "account.status_changed"]
    assert restored_events == [(account.pk, str(BOT))]
    assert not was_shut_off(account=account)
    # idempotent by key: nothing more
    service_restore(account=account, actor=BOT, key="case1:restore")
    assert len(restored_events) == 1


@pytest.mark.django_db
def test_dlq7_restore_of_an_account_never_shut_off_does_nothing(sim, restored_events):
    account = make_account()
    assert service_restore(account=account, actor=BOT, key="r") is None
    assert NocRequest.objects.filter(account=account).count() == 0 and restored_events == []


@pytest.mark.django_db
def test_dlq7_restore_waits_for_the_noc_then_followup_after_three_minutes(sim_manual, today, restored_events):
    account = make_account()
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    request = service_restore(account=account, actor=BOT, key="r1")
    account.refresh_from_db()
    assert request.state == "sent" and account.status == "suspended" and account.portal_access is False
    assert restore_pending(account=account).pk == request.pk
    assert list(noc_requests_pending()) == [NocRequest.objects.get(key="k1"), request]
    today.advance(minutes=3)
    assert noc_followups_open() == 0  # exactly 3 minutes: not yet "more than"
    today.advance(seconds=1)
    assert noc_followups_open() == 1
    assert noc_followups_open() == 0  # one ticket per request
    ticket = Ticket.objects.get(account=account, kind="noc_followup")
    assert ticket.status == "open" and ticket.assignee == "NOC" and "UT-10042" in ticket.subject
    assert list(noc_followups()) == [ticket]
    assert restored_events == []

    since = last_id()
    noc_request_confirm(account=account, operation="unsuspend", actor=with_role("noc"))
    account.refresh_from_db()
    assert account.status == "active" and account.portal_access is True
    assert types(account, since) == ["noc.confirmed", "ticket.closed", "portal.changed",
                                     "account.status_changed"]
    ticket.refresh_from_db()
    assert ticket.status == "closed" and restored_events == [(account.pk, "noc")]
    assert restore_pending(account=account) is None


@pytest.mark.django_db
def test_noc_confirm_refused_when_nothing_waits(sim):
    account = make_account()
    with pytest.raises(RuleRefusal, match="no unsuspend request"):
        noc_request_confirm(account=account, operation="unsuspend", actor=BOT)


@pytest.mark.django_db
def test_noc_confirm_needs_the_noc_role(sim_manual):
    account = make_account()
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    with pytest.raises(PermissionRefused):
        noc_request_confirm(account=account, operation="suspend", actor=with_role("agent"))


@pytest.mark.django_db
def test_noc_confirm_confirms_the_oldest_request_of_that_operation(sim_manual):
    account = make_account()
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    service_restore(account=account, actor=BOT, key="r1")
    confirmed = noc_request_confirm(account=account, operation="suspend", actor=BOT)
    assert confirmed.key == "k1" and confirmed.state == "confirmed"
    assert NocRequest.objects.get(key="r1").state == "sent"
    account.refresh_from_db()
    assert account.status == "suspended"  # confirming the suspend does not restore


@pytest.mark.django_db
def test_dlq7_vlan_mismatch_opens_a_followup_instead_of_completing(sim, restored_events, monkeypatch):
    account = make_account()
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    monkeypatch.setitem(SimulatedNetwork.vlans, account.pk, 10)
    request = service_restore(account=account, actor=BOT, key="r1")
    account.refresh_from_db()
    assert request.state == "confirmed"
    assert account.status == "suspended" and account.portal_access is False and restored_events == []
    ticket = Ticket.objects.get(account=account, kind="noc_followup")
    assert "VLAN 10" in ticket.subject and "552" in ticket.subject
    # the NOC fixes the VLAN and confirms again
    monkeypatch.setitem(SimulatedNetwork.vlans, account.pk, 552)
    noc_request_confirm(account=account, operation="unsuspend", actor=BOT)
    account.refresh_from_db()
    ticket.refresh_from_db()
    assert account.status == "active" and ticket.status == "closed" and len(restored_events) == 1


@pytest.mark.django_db
def test_dlq7_configured_vlan_is_the_one_checked(sim, monkeypatch):
    account = make_account()
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    with ispconfig.override(restored_vlan=600):
        monkeypatch.setitem(SimulatedNetwork.vlans, account.pk, 552)
        service_restore(account=account, actor=BOT, key="r1")
    account.refresh_from_db()
    assert account.status == "suspended"


@pytest.mark.django_db
def test_new_shut_off_abandons_a_waiting_restore(sim_manual):
    account = make_account()
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    service_restore(account=account, actor=BOT, key="r1")
    # shut off again while the restore waits: no second NOC suspend (still shut off)
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k2")
    assert restore_pending(account=account).key == "r1"
    assert NocRequest.objects.filter(account=account, operation="suspend").count() == 1


@pytest.mark.django_db
def test_was_shut_off_follows_the_latest_requests(sim):
    account = make_account()
    assert not was_shut_off(account=account)
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    service_restore(account=account, actor=BOT, key="r1")
    assert not was_shut_off(account=account)
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k2")
    assert was_shut_off(account=account)
    assert NocRequest.objects.filter(account=account, operation="suspend").count() == 2


@pytest.mark.django_db
def test_net2_manual_request_needs_the_matching_address_id(sim):
    account = make_account()
    admin = with_role("admin")
    with pytest.raises(RuleRefusal) as refused:
        noc_request_manual(account=account, operation="suspend", actor=admin, confirm_address_id="UT-99999")
    assert "UT-99999" in refused.value.message and "UT-10042" in refused.value.message
    assert refused.value.field == "confirm_address_id"
    account.refresh_from_db()
    assert account.status == "active"
    noc_request_manual(account=account, operation="suspend", actor=admin, confirm_address_id=" UT-10042 ")
    account.refresh_from_db()
    assert account.status == "suspended"


@pytest.mark.django_db
def test_pkg10_manual_utopia_request_is_for_an_admin(sim):
    account = make_account()
    with pytest.raises(PermissionRefused):
        noc_request_manual(account=account, operation="cancel", actor=with_role("agent"),
                           confirm_address_id="UT-10042")


@pytest.mark.django_db
def test_dlq1_batch_cancel_one_email_listing_every_account(sim, today):
    ana = make_account()
    bob = make_account(name="Bob O'Neil", emails=("bob@example.test",))
    ServiceAddress.objects.filter(account=bob).update(address_id="UT-20077", line1="9 Oak Ave")
    bob.refresh_from_db()
    on = dt.date(2026, 9, 30)
    request = noc_batch_cancel(accounts=[ana, bob], on=on, actor=BOT)
    assert request.account is None and request.operation == "cancel" and len(request.batch) == 2
    message = OutboxMessage.objects.get(template="noc_batch_cancel")
    assert message.to == ["noc@utopia.example.invalid"] and message.cc == ["noc-cc@utopia.example.invalid"]
    for text in ("Ana Lopez", "UT-10042", "12 Elm St, Orem, UT 84057", "Bob O'Neil", "UT-20077",
                 "9 Oak Ave", "Date for cancelation: 2026-09-30"):
        assert text in message.body
    entry = TimelineEntry.objects.get(type="noc.batch_sent")
    assert entry.account is None
    assert entry.data["operation"] == "cancel" and entry.data["accounts"] == [ana.number, bob.number]
    # idempotent per day
    assert noc_batch_cancel(accounts=[ana, bob], on=on, actor=BOT).pk == request.pk
    assert OutboxMessage.objects.filter(template="noc_batch_cancel").count() == 1
    assert TimelineEntry.objects.filter(type="noc.batch_sent").count() == 1


@pytest.mark.django_db
def test_batch_cancel_a_later_chunk_adds_only_the_new_accounts(sim):
    ana = make_account()
    bob = make_account(name="Bob Stone")
    on = dt.date(2026, 9, 30)
    noc_batch_cancel(accounts=[ana], on=on, actor=BOT)
    second = noc_batch_cancel(accounts=[ana, bob], on=on, actor=BOT)
    assert [row["number"] for row in second.batch] == [bob.number]
    assert noc_batch_cancel(accounts=[], on=dt.date(2026, 10, 30), actor=BOT) is None


@pytest.mark.django_db
def test_batch_cancel_honours_configured_addresses(sim):
    with ispconfig.override(noc_email="fiber@noc.example.invalid", noc_cc=["a@x.example.invalid",
                                                                         "b@x.example.invalid"]):
        noc_batch_cancel(accounts=[make_account()], on=dt.date(2026, 9, 30), actor=BOT)
    message = OutboxMessage.objects.get(template="noc_batch_cancel")
    assert message.to == ["fiber@noc.example.invalid"]
    assert message.cc == ["a@x.example.invalid", "b@x.example.invalid"]


@pytest.mark.django_db
def test_dlq7_resolving_the_followup_ticket_is_the_noc_confirming_by_phone(sim_manual, today, restored_events):
    from lastmile.tickets.services import ticket_resolve

    account = make_account()
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    request = service_restore(account=account, actor=BOT, key="r1")
    today.advance(minutes=5)
    noc_followups_open()
    ticket = Ticket.objects.get(account=account, kind="noc_followup")
    ticket_resolve(ticket=ticket, actor=with_role("noc"), answer={})
    request.refresh_from_db()
    ticket.refresh_from_db()
    account.refresh_from_db()
    assert request.state == "confirmed" and request.completed_at is not None
    assert ticket.status == "closed" and account.status == "active" and len(restored_events) == 1


@pytest.mark.django_db
def test_noc_confirm_verb_in_a_scenario_is_refused_without_a_request(catalog):
    from tests.mixins import of_type, run_scenario_text

    result = run_scenario_text("""
        start: 2026-09-01
        end: 2026-09-02
        accounts:
          - ref: ana
            name: Ana Lopez
            kind: residential
            network: utopia
            plan: classic
            address: {line1: "12 Elm St", city: Orem, state: UT, postal_code: "84057", address_id: "UT-10042"}
        events:
          - {on: 2026-09-02, account: ana, do: noc_confirm, operation: suspend}
          - {on: 2026-09-02, account: ana, do: noc_confirm, operation: reboot}
          - {on: 2026-09-02, account: ana, do: noc_confirm}
    """)
    refused = of_type(result, "action.refused", "ana")
    assert [r["verb"] for r in refused] == ["noc_confirm"] * 3
    assert "no suspend request" in refused[0]["reason"]
    assert "operation must be one of" in refused[1]["reason"]
    assert "say which request" in refused[2]["reason"]


@pytest.mark.django_db
def test_net2_manual_request_on_wireless_without_address_id(sim):
    account = make_account(network="wireless")
    ServiceAddress.objects.filter(account=account).update(address_id="")
    account.refresh_from_db()
    with pytest.raises(RuleRefusal):
        noc_request_manual(account=account, operation="disconnect", actor=with_role("agent"),
                           confirm_address_id="UT-10042")
    request = noc_request_manual(account=account, operation="disconnect", actor=with_role("agent"),
                                 confirm_address_id="")
    assert request.operation == "disconnect" and request.address_id == ""
    assert "12 Elm St" in request.address
