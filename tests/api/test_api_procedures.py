"""The guided procedures through the API: PKG-5/PKG-6 (price first, consent), CAN-7
(quote and final bill first) with NET-2 (address ID typed back), DLQ-4..DLQ-6, NET-1."""
from __future__ import annotations

import datetime as dt

import pytest

from lastmile.accounts.services import account_create
from lastmile.cancellations.models import Cancellation
from lastmile.core.actors import superuser
from tests.mixins import run_scenario_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def wes(today, catalog):
    """A wireless account (no UTOPIA admin step, PKG-10/CAN-8)."""
    return account_create(
        name="Wes Park", kind="residential", network="wireless", package=catalog["basic"],
        address={"line1": "9 Oak Ave", "city": "Provo", "state": "UT", "postal_code": "84601"},
        phones=["801-555-0199"], emails=["wes@example.test"], service_start=dt.date(2025, 1, 1),
        actor=superuser("test"),
    )


def test_pkg6_preview_then_change_needs_consent(agent_api, wes, today):
    today.set_day(dt.date(2026, 9, 16))
    preview = agent_api.get(f"/api/v1/accounts/{wes.number}/plan-change/preview", to="classic")
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["monthly"] == "65.00" and body["next_statement_on"] == "2026-10-01"
    assert body["prorated"] == "7.50"  # (65 - 50) x 15/30, BIL-2
    refused = agent_api.post(f"/api/v1/accounts/{wes.number}/plan-changes",
                             {"to": "classic", "consent": "", "consent_reference": "", "identity_verified": True})
    assert refused.status_code == 409 and refused.json()["field"] == "consent"
    done = agent_api.post(f"/api/v1/accounts/{wes.number}/plan-changes",
                          {"to": "classic", "consent": "verbal_recorded", "consent_reference": "call 77",
                           "identity_verified": True})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "applied" and done.json()["account_plan"] == "classic"
    assert agent_api.get(f"/api/v1/accounts/{wes.number}/plan-change/preview", to="gold").status_code == 404


def test_pkg5_trial_start_and_revert(agent_api, wes):
    started = agent_api.post(f"/api/v1/accounts/{wes.number}/trials",
                             {"to": "classic", "consent": "verbal_recorded", "consent_reference": "call 1",
                              "identity_verified": True})
    assert started.status_code == 200, started.content
    assert started.json()["kind"] == "trial" and started.json()["account_plan"] == "classic"
    reverted = agent_api.post(f"/api/v1/accounts/{wes.number}/trials/revert", {})
    assert reverted.status_code == 200, reverted.content
    assert reverted.json()["account_plan"] == "basic"
    again = agent_api.post(f"/api/v1/accounts/{wes.number}/trials/revert", {})
    assert again.status_code == 409


def test_can7_preview_then_net2_confirmation(agent_api, wes):
    preview = agent_api.get(f"/api/v1/accounts/{wes.number}/cancellation/preview", last_day="2026-10-31")
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["under_contract"] is False and body["etf"] == "0.00"
    # today (Sept 1) has not been billed yet in this test: both statements are still to come
    assert [s["date"] for s in body["final_bill"]["statements"]] == ["2026-09-01", "2026-10-01"]
    assert body["address"].startswith("9 Oak Ave") and body["utopia"] is None
    payload = {"last_day": "2026-10-31", "reason": "moving away", "confirm_address_id": "WRONG"}
    refused = agent_api.post(f"/api/v1/accounts/{wes.number}/cancellations", payload)
    assert refused.status_code == 409 and refused.json()["field"] == "confirm_address_id"
    assert wes.number in refused.json()["detail"] and "9 Oak Ave" in refused.json()["detail"]
    assert not Cancellation.objects.exists()
    payload["confirm_address_id"] = wes.number  # a wireless address has no ID: the account number
    done = agent_api.post(f"/api/v1/accounts/{wes.number}/cancellations", payload)
    assert done.status_code == 201, done.content
    assert done.json()["uninstall_on"] == "2026-11-01"


def test_can8_utopia_preview_shows_lease_options(agent_api, catalog, today):
    from tests.mixins import make_account

    ana = make_account()
    body = agent_api.get(f"/api/v1/accounts/{ana.number}/cancellation/preview", last_day="2026-10-31").json()
    assert body["address_id"] == "UT-10042"
    assert body["utopia"]["has_lease"] is False and body["utopia"]["recommend"] == "cancel"


def test_arrangement_is_a_managers_and_refusals_keep_their_sentence(api_as, wes):
    agent = api_as("agent")
    payload = {"installments": [{"on": "2026-09-10", "amount": "20.00"}]}
    refused = agent.post(f"/api/v1/accounts/{wes.number}/arrangements", payload)
    # DLQ-4 (issue 9): an agent proposes; here there is no case to arrange
    assert refused.status_code == 409 and "no open delinquency case" in refused.json()["detail"]
    manager = api_as("manager")
    no_case = manager.post(f"/api/v1/accounts/{wes.number}/arrangements", payload)
    assert no_case.status_code == 409 and "no open delinquency case" in no_case.json()["detail"]
    assert agent.post(f"/api/v1/accounts/{wes.number}/payment-claims").status_code == 409
    assert agent.post(f"/api/v1/accounts/{wes.number}/fee-waivers", {}).status_code == 409
    noc = agent.post(f"/api/v1/accounts/{wes.number}/noc-requests/confirm", {"operation": "suspend"})
    assert noc.status_code == 403 and "confirming a NOC request" in noc.json()["detail"]


def test_dlq6_where_is_my_payment_restores_service(agent_api, today):
    result = run_scenario_text("""
        start: 2026-09-01
        end: 2026-09-19
        settings: {policies: {utopia: utopia-2022-04, wireless: wireless-2022-04}}
        accounts:
          - ref: ana
            name: Ana Lopez
            kind: residential
            network: utopia
            plan: classic
            address: {line1: "12 Elm St", city: Orem, state: UT, postal_code: "84057", address_id: "UT-10042"}
            phones: ["801-555-0101"]
            emails: ["ana@example.test"]
            service_start: 2025-06-05
    """)
    assert result["accounts"]["ana"]["status"] == "suspended"
    number = result["accounts"]["ana"]["number"]
    today.set_day(dt.date(2026, 9, 19))
    requests = agent_api.get(f"/api/v1/accounts/{number}/noc-requests").json()
    assert requests[0]["operation"] == "suspend" and requests[0]["address_id"] == "UT-10042"
    claim = agent_api.post(f"/api/v1/accounts/{number}/payment-claims")
    assert claim.status_code == 201, claim.content
    assert claim.json()["data"]["outcome"] == "claim"
    timeline = agent_api.get(f"/api/v1/accounts/{number}/timeline", type="charge.voided,delinquency.closed").json()
    assert {i["type"] for i in timeline["items"]} == {"charge.voided", "delinquency.closed"}
