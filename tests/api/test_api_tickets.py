"""The API for tickets that take the answer (TKT-1, PKG-4, PKG-10, CAN-8, CON-8,
DLQ-7) and the NOC desk (NET-1): resolve for every kind, notes, assign, the filters,
and the refusals mapped as in api.py (403, 409, 422)."""
from __future__ import annotations

import pytest

from lastmile.cancellations.models import Cancellation
from lastmile.core import ispconfig
from lastmile.core.models import ScheduledEvent
from lastmile.network.models import NocRequest
from lastmile.simulation.state import simulation
from lastmile.tickets.services import ticket_open
from tests.tickets import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim_manual(today, catalog):
    with simulation(), ispconfig.override(noc_auto_confirm=False) as settings:
        yield settings


def resolve(client, ticket, **body):
    return client.post(f"/api/v1/tickets/{ticket.pk}/resolve", body)


def plan_of(account):
    account.refresh_from_db()
    return account.package.code


def test_tkt1_detail_says_which_fields_resolving_takes(api_as, today, catalog):
    account, ticket = builders.premium_ticket()
    client = api_as("agent")
    body = client.get(f"/api/v1/tickets/{ticket.pk}").json()
    assert body["answer"]["kind"] == "premium_availability"
    assert set(body["answer"]["fields"]) >= {"premium_available"}
    assert body["question"] == "Is Premium available at 12 Elm St, Orem (UT-10042)?"
    slow = ticket_open(account=account, kind="troubleshooting", subject="Slow", actor="t")
    assert client.get(f"/api/v1/tickets/{slow.pk}").json()["answer"] is None


def test_pkg4_resolve_yes_and_no(api_as, today, catalog):
    client = api_as("admin")
    account, ticket = builders.premium_ticket()
    response = resolve(client, ticket, premium_available=True)
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert plan_of(account) == "premium"
    other, ticket2 = builders.premium_ticket(name="Xu Li", address_id="UT-20077")
    resolve(client, ticket2, premium_available=False)
    assert plan_of(other) == "classic"


def test_pkg4_resolve_refusals_map_to_their_status(api_as, today, catalog):
    _, ticket = builders.premium_ticket()
    response = resolve(api_as("agent"), ticket, premium_available=True)
    assert response.status_code == 403
    assert "answering a Premium availability ticket needs the role admin" in response.json()["detail"]
    response = resolve(api_as("admin"), ticket)
    assert response.status_code == 422 and response.json()["field"] == "premium_available"
    resolve(api_as("admin"), ticket, premium_available=True)
    response = resolve(api_as("admin"), ticket, premium_available=True)
    assert response.status_code == 409 and f"ticket #{ticket.pk} is already closed" in response.json()["detail"]


def test_pkg10_utopia_plan_change_done_and_declined(api_as, today, catalog):
    client = api_as("admin")
    account, ticket = builders.utopia_plan_ticket()
    response = resolve(client, ticket, approved=True, note="done in UTOPIA portal")
    assert response.status_code == 200
    assert "Done with UTOPIA: done in UTOPIA portal" in [n["body"] for n in response.json()["notes"]]
    assert plan_of(account) == "basic"
    other, ticket2 = builders.utopia_plan_ticket(name="Gil Cho", address_id="UT-20077")
    response = resolve(client, ticket2, approved=False)
    assert response.status_code == 422 and response.json()["detail"] == "say why it was declined"
    resolve(client, ticket2, approved=False, note="lease forbids it")
    assert plan_of(other) == "classic"


def test_can8_utopia_cancellation_done_and_declined(api_as, today, catalog):
    client = api_as("admin")
    account, ticket = builders.utopia_cancel_ticket()
    assert resolve(client, ticket, approved=True, note="cancelled in UTOPIA").status_code == 200
    assert Cancellation.objects.get(account=account).status == "confirmed"
    assert ScheduledEvent.objects.filter(account=account, action="uninstall").exists()
    other, ticket2 = builders.utopia_cancel_ticket(name="Jo Park", address_id="UT-20077")
    assert resolve(client, ticket2, approved=False, note="the customer stays").status_code == 200
    assert Cancellation.objects.get(account=other).status == "declined"


def test_con8_contract_none_and_found(api_as, today, catalog):
    client = api_as("billing")
    account, ticket = builders.contract_ticket()
    assert resolve(client, ticket, contract="none").status_code == 200
    assert Cancellation.objects.get(account=account).status == "confirmed"
    other, ticket2 = builders.contract_ticket(name="Uma Diaz", address_id="UT-20077")
    response = resolve(client, ticket2, contract={"kind": "commercial", "months": 24})
    assert response.status_code == 422
    assert "a commercial contract needs first_billing" in response.json()["detail"]
    response = resolve(client, ticket2, contract={"kind": "commercial", "first_billing": "2025-01-01",
                                                  "months": 24, "monthly": "400.00"})
    assert response.status_code == 200
    cancellation = Cancellation.objects.get(account=other)
    assert cancellation.status == "confirmed" and cancellation.under_contract


def test_dlq7_noc_followup_right_vlan_reinstates_wrong_vlan_stays_open(api_as, sim_manual, today):
    client = api_as("noc")
    account, _, ticket = builders.noc_ticket(today)
    response = resolve(client, ticket, vlan=10)
    assert response.status_code == 200 and response.json()["status"] == "open"
    assert "the ONT reports VLAN 10, not 552" in response.json()["notes"][-1]["body"]
    account.refresh_from_db()
    assert account.status == "suspended"
    response = resolve(client, ticket)
    assert response.status_code == 422 and response.json()["field"] == "vlan"
    response = resolve(client, ticket, vlan=552)
    assert response.status_code == 200 and response.json()["status"] == "closed"
    account.refresh_from_db()
    assert account.status == "active"


def test_dlq7_noc_followup_failed_stays_open(api_as, sim_manual, today):
    _, _, ticket = builders.noc_ticket(today)
    response = resolve(api_as("noc"), ticket, failed=True, note="NOC phone down")
    assert response.status_code == 200 and response.json()["status"] == "open"


def test_tkt1_notes_and_assign(api_as, today, catalog):
    client = api_as("agent")
    account, ticket = builders.premium_ticket()
    response = client.post(f"/api/v1/tickets/{ticket.pk}/notes", {"body": "Called back"})
    assert response.status_code == 200 and response.json()["status"] == "open"
    assert response.json()["notes"][-1]["body"] == "Called back"
    assert client.post(f"/api/v1/tickets/{ticket.pk}/notes", {"body": " "}).status_code == 422
    response = client.post(f"/api/v1/tickets/{ticket.pk}/assign", {"user": client.user.username})
    assert response.status_code == 200 and response.json()["assignee"] == client.user.username
    mine = client.get("/api/v1/tickets", mine="true").json()["items"]
    assert [t["id"] for t in mine] == [ticket.pk]
    response = client.post(f"/api/v1/tickets/{ticket.pk}/assign", {"team": "Sales"})
    assert response.status_code == 422 and "there is no team 'Sales'" in response.json()["detail"]
    response = client.post(f"/api/v1/tickets/{ticket.pk}/assign", {"user": "nobody-here"})
    assert response.status_code == 422 and response.json()["field"] == "user"
    response = client.post(f"/api/v1/tickets/{ticket.pk}/assign", {"team": "Admin"})
    assert response.json()["assignee"] == "Admin"
    assert [t["id"] for t in api_as("admin").get("/api/v1/tickets", team="true").json()["items"]] == [ticket.pk]
    assert api_as("noc").get("/api/v1/tickets", team="true").json()["items"] == []


def test_net1_noc_desk_api(api_as, sim_manual, today):
    account, request = builders.shut_off_and_paid()
    noc = api_as("noc")
    items = noc.get("/api/v1/noc-requests", state="sent").json()["items"]
    assert [i["operation"] for i in items] == ["suspend", "unsuspend"]
    assert items[1]["address_id"] == "UT-10042" and items[1]["name"] == "Ana Lopez"
    assert api_as("agent").get("/api/v1/noc-requests").status_code == 403
    response = noc.post(f"/api/v1/noc-requests/{request.pk}/confirm", {})
    assert response.status_code == 422 and response.json()["field"] == "vlan"
    response = noc.post(f"/api/v1/noc-requests/{request.pk}/confirm", {"vlan": 552})
    assert response.status_code == 200 and response.json()["state"] == "confirmed"
    account.refresh_from_db()
    assert account.status == "active"
    suspend = NocRequest.objects.get(account=account, operation="suspend")
    response = noc.post(f"/api/v1/noc-requests/{suspend.pk}/fail", {"note": ""})
    assert response.status_code == 422
    response = noc.post(f"/api/v1/noc-requests/{suspend.pk}/fail", {"note": "port mismatch"})
    assert response.status_code == 200 and response.json()["state"] == "failed"
    assert noc.post("/api/v1/noc-requests/999999/confirm", {"vlan": 552}).status_code == 404
