"""API of onboarding and account care (issue 9): POST /accounts, PATCH /accounts/{n},
contracts and emails as sent; refusals keep the service's sentence."""
from __future__ import annotations

import json

import pytest

from lastmile.accounts.models import Account
from lastmile.cancellations.models import Contract
from lastmile.comms.models import OutboxMessage
from lastmile.core import clock
from lastmile.core.models import TimelineEntry

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Ana Lopez", "kind": "residential", "network": "utopia", "plan": "classic",
    "address": {"line1": "12 Elm St", "city": "Orem", "state": "UT", "postal_code": "84057",
                "address_id": "UT-10042"},
    "phones": ["801-555-0101", "801-555-0102"], "emails": ["ana@example.test"],
    "service_start": "2026-09-01", "bill_cycle_day": 15, "opening_balance": "20.00",
    "premium_available": "no", "contract": {"kind": "utopia_lease", "start": "2026-06-05"},
}


def _patch(api, path, data):
    return api.client.patch(path, json.dumps(data), content_type="application/json", headers=api.headers)


@pytest.fixture
def opened(agent_api, today, catalog):
    response = agent_api.post("/api/v1/accounts", NEW)
    assert response.status_code == 201, response.content
    return response.json()


def test_post_accounts_201_with_the_number(opened):
    assert opened["number"] == Account.objects.get().number
    assert opened["bill_cycle_day"] == 15 and opened["balance"] == "20.00"
    assert opened["address"]["address_id"] == "UT-10042" and opened["address"]["premium_available"] == "no"
    assert opened["phones"] == ["801-555-0101", "801-555-0102"]
    assert Contract.objects.get().kind == "utopia_lease"


def test_net2_post_accounts_duplicate_address_id_409(agent_api, opened):
    response = agent_api.post("/api/v1/accounts", {**NEW, "name": "Bob Reyes", "contract": None})
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"address ID UT-10042 is already the service address of account {opened['number']} (Ana Lopez)",
        "field": "address.address_id",
    }
    assert Account.objects.count() == 1


def test_post_accounts_refusals_422(agent_api, today, catalog):
    bad_plan = agent_api.post("/api/v1/accounts", {**NEW, "plan": "gold"})
    assert bad_plan.status_code == 422
    assert bad_plan.json() == {"detail": "there is no plan 'gold'; the plans are basic, classic, premium",
                               "field": "plan"}
    no_id = agent_api.post("/api/v1/accounts", {**NEW, "address": {**NEW["address"], "address_id": ""}})
    assert no_id.status_code == 422
    assert no_id.json()["detail"] == "a UTOPIA account needs its UTOPIA address ID"
    long_term = agent_api.post("/api/v1/accounts", {**NEW, "contract": {
        "kind": "residential", "source": "digital", "start": "2026-09-01", "months": 18}})
    assert long_term.status_code == 422
    assert long_term.json()["field"] == "contract.months"
    assert not Account.objects.exists()


def test_post_accounts_needs_account_create(api_as, today, catalog):
    response = api_as("noc").post("/api/v1/accounts", NEW)
    assert response.status_code == 403
    assert "opening an account needs the role" in response.json()["detail"]


def test_aud1_patch_records_old_and_new(agent_api, opened):
    number = opened["number"]
    response = _patch(agent_api, f"/api/v1/accounts/{number}",
                      {"phones": ["801-555-0199"], "address": {"line1": "14 Elm St"}})
    assert response.status_code == 200
    assert response.json()["phones"] == ["801-555-0199"]
    assert response.json()["address"]["line1"] == "14 Elm St"
    timeline = agent_api.get(f"/api/v1/accounts/{number}/timeline", type="account.changed").json()["items"]
    assert [t["data"] for t in timeline] == [
        {"field": "phones", "old": "801-555-0101, 801-555-0102", "new": "801-555-0199"},
        {"field": "address", "old": "12 Elm St, Orem, UT 84057", "new": "14 Elm St, Orem, UT 84057"},
    ]


def test_patch_bad_email_422_changes_nothing(agent_api, opened):
    number = opened["number"]
    response = _patch(agent_api, f"/api/v1/accounts/{number}", {"name": "Ana M", "emails": ["ana@"]})
    assert response.status_code == 422
    assert response.json() == {"detail": "'ana@' is not an email address", "field": "emails"}
    assert Account.objects.get().name == "Ana Lopez"
    assert not TimelineEntry.objects.filter(type="account.changed").exists()


def test_con2_post_contract_201_and_list(agent_api, opened):
    number = opened["number"]
    response = agent_api.post(f"/api/v1/accounts/{number}/contracts", {
        "kind": "residential", "source": "digital", "start": "2026-09-01", "months": 12, "monthly": "65.00"})
    assert response.status_code == 201, response.content
    [row] = response.json()
    assert row["ends"] == "2027-09-01" and row["monthly"] == "65.00" and row["current"] is True
    listed = agent_api.get(f"/api/v1/accounts/{number}/contracts").json()
    assert [r["kind"] for r in listed] == ["utopia_lease", "residential"]
    assert listed[0]["penalty_free_on"] == "2027-07-01"  # CAN-8: signed 5 June


def test_con2_post_contract_refused_over_twelve_months(agent_api, opened):
    response = agent_api.post(f"/api/v1/accounts/{opened['number']}/contracts", {
        "kind": "residential", "source": "digital", "start": "2026-09-01", "months": 13})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "contract months: residential terms never exceed 12 months (CON-2), not 13",
        "field": "contract.months"}


def test_emails_as_sent(agent_api, opened):
    account = Account.objects.get()
    OutboxMessage.objects.create(account=account, template="t", to=["ana@example.test"], subject="Hello",
                                 body="Dear Ana", key="k1", created_at=clock.now())
    [email] = agent_api.get(f"/api/v1/accounts/{opened['number']}/emails").json()
    assert (email["subject"], email["body"], email["status"], email["attempts"]) == ("Hello", "Dear Ana", "pending", 0)
