"""The API's money corrections (BIL-7): adjustments, voids, payment reversals and
refunds, with the services' sentences (403 manager limit, 409 rule, 422 input)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from lastmile.billing import selectors
from lastmile.billing.billrun import bill_run
from lastmile.billing.models import LedgerEntry
from lastmile.billing.services import charge_post, payment_post
from lastmile.core.actors import superuser
from lastmile.core.models import TimelineEntry
from tests.mixins import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(today, catalog):
    return make_account(name="Ana Lopez")


def test_bil7_api_adjustment_credit_against_a_charge(api_as, ana, today):
    bill_run(as_of=today.now().date())
    recurring = LedgerEntry.objects.get(account=ana, kind="recurring")
    client = api_as("agent")
    response = client.post(f"/api/v1/accounts/{ana.number}/adjustments",
                           {"amount": "-15.00", "reason": "two days without service", "entry": recurring.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["balance"] == "50.00"
    assert body["entry"]["amount"] == "-15.00" and body["entry"]["kind"] == "adjustment"
    assert body["entry"]["reason"] == "two days without service" and body["entry"]["corrects"] == recurring.pk
    assert body["entry"]["actor"] == client.user.username
    rec = TimelineEntry.objects.filter(account=ana, type="charge.posted").order_by("-id").first()
    assert rec.reason == "two days without service" and rec.actor == client.user.username


def test_bil7_api_agent_refused_above_the_limit_manager_allowed(api_as, ana):
    payload = {"amount": "-250.00", "reason": "goodwill"}
    response = api_as("agent").post(f"/api/v1/accounts/{ana.number}/adjustments", payload)
    assert response.status_code == 403
    assert response.json() == {"detail": "a correction of $250.00 is above $100.00 and needs a manager",
                               "field": "amount"}
    response = api_as("manager").post(f"/api/v1/accounts/{ana.number}/adjustments", payload)
    assert response.status_code == 201
    assert response.json()["balance"] == "-250.00"


def test_bil7_api_adjustment_without_reason_is_422(agent_api, ana):
    response = agent_api.post(f"/api/v1/accounts/{ana.number}/adjustments", {"amount": "5.00"})
    assert response.status_code == 422
    assert response.json() == {"detail": "say why: an adjustment needs a reason, and the reason stays on the ledger",
                               "field": "reason"}


def test_bil7_api_void_a_charge_and_not_a_payment(agent_api, ana):
    fee = charge_post(account=ana, kind="equipment_fee", amount="25.00", actor="automation")
    response = agent_api.post(f"/api/v1/ledger/{fee.pk}/void", {"reason": "returned after all"})
    assert response.status_code == 201, response.content
    assert response.json()["entry"]["voids"] == fee.pk and response.json()["balance"] == "0.00"
    again = agent_api.post(f"/api/v1/ledger/{fee.pk}/void", {"reason": "again"})
    assert again.status_code == 409 and "was already voided" in again.json()["detail"]
    payment = payment_post(account=ana, amount="10.00", method="check", actor=superuser())
    response = agent_api.post(f"/api/v1/ledger/{payment.pk}/void", {"reason": "bounced"})
    assert response.status_code == 409
    assert response.json()["detail"].startswith("a payment is not voided: the payment of $10.00")
    assert agent_api.post("/api/v1/ledger/999999/void", {"reason": "x"}).status_code == 404


def test_bil7_api_reverse_a_payment_once(api_as, ana, today):
    bill_run(as_of=today.now().date())
    payment = payment_post(account=ana, amount="65.00", method="check", actor=superuser())
    client = api_as("billing")
    response = client.post(f"/api/v1/payments/{payment.pk}/reverse",
                           {"reason_code": "returned_check", "note": "stamped by the bank"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["balance"] == "65.00"
    assert body["entry"]["entry_type"] == "reversal" and body["entry"]["reason_code"] == "returned_check"
    assert body["entry"]["reason"] == "Returned check: stamped by the bank"
    again = client.post(f"/api/v1/payments/{payment.pk}/reverse", {"reason_code": "nsf"})
    assert again.status_code == 409 and again.json()["detail"].endswith("a payment is reversed once")
    bad = client.post(f"/api/v1/payments/{payment.pk}/reverse", {"reason_code": "oops"})
    assert bad.status_code == 409  # already reversed comes first
    assert selectors.balance(account=ana) == Decimal("65.00")


def test_bil7_api_reversal_needs_a_reason_code(agent_api, ana):
    payment = payment_post(account=ana, amount="5.00", method="check", actor=superuser())
    response = agent_api.post(f"/api/v1/payments/{payment.pk}/reverse", {"note": "?"})
    assert response.status_code == 422
    assert response.json()["field"] == "reason_code"


def test_bil7_api_refund_up_to_the_credit_balance(agent_api, ana):
    payment_post(account=ana, amount="60.00", method="check", actor=superuser())
    too_much = agent_api.post(f"/api/v1/accounts/{ana.number}/refunds",
                              {"amount": "70.00", "method": "check", "reason": "closing"})
    assert too_much.status_code == 409
    assert too_much.json() == {"detail": "a refund of $70.00 is more than the credit balance ($60.00); "
                                         "refund at most $60.00", "field": "amount"}
    response = agent_api.post(f"/api/v1/accounts/{ana.number}/refunds",
                              {"amount": "60.00", "method": "check", "reason": "closing"})
    assert response.status_code == 201
    assert response.json()["balance"] == "0.00" and response.json()["entry"]["entry_type"] == "refund"


def test_bil7_api_payment_ceiling_sentence(agent_api, ana, today):
    bill_run(as_of=today.now().date())
    response = agent_api.post(f"/api/v1/accounts/{ana.number}/payments",
                              {"amount": "9999999999.00", "method": "phone"})  # within the column (issue 15)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "$9,999,999,999.00 is more than the balance ($65.00) plus $1,000.00: probably a typing error; "
                  "check the amount", "field": "amount"}
    assert not LedgerEntry.objects.filter(account=ana, kind="payment").exists()


def test_bil7_api_noc_may_not_correct(api_as, ana):
    response = api_as("noc").post(f"/api/v1/accounts/{ana.number}/adjustments", {"amount": "-1.00", "reason": "x"})
    assert response.status_code == 403
    assert response.json()["detail"].startswith("posting an adjustment needs the role")
