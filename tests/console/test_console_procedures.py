"""Guided procedures in the console: the price before an upgrade (PKG-6), the quote
and final bill before a cancel (CAN-7), the address ID typed back (NET-2), and a
confirmation before every destructive step."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lastmile.accounts.services import account_create
from lastmile.cancellations.models import Cancellation
from lastmile.core.actors import superuser
from lastmile.network.models import NocRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def wes(today, catalog):
    today.set_day(dt.date(2026, 9, 16))
    return account_create(
        name="Wes Park", kind="residential", network="wireless", package=catalog["basic"],
        address={"line1": "9 Oak Ave", "city": "Provo", "state": "UT", "postal_code": "84601"},
        phones=["801-555-0199"], emails=["wes@example.test"], service_start=dt.date(2025, 1, 1),
        actor=superuser("test"),
    )


def test_pkg6_upgrade_shows_the_price_then_needs_identity_and_consent(console_as, wes):
    client = console_as("agent")
    url = reverse("console:plan_change", args=[wes.number])
    first = client.get(url).content.decode()
    assert 'name="to"' in first and "price-preview" not in first
    preview = client.get(url, {"to": "classic"}).content.decode()
    assert 'id="price-preview"' in preview and "$65.00" in preview and "$7.50" in preview
    assert "2026-10-01" in preview
    refused = client.post(url, {"to": "classic", "consent": "verbal_recorded", "consent_reference": "call 9"})
    assert refused.status_code == 422 and "Verify the customer&#x27;s identity first." in refused.content.decode()
    wes.refresh_from_db()
    assert wes.package.code == "basic"
    done = client.post(url, {"to": "classic", "consent": "verbal_recorded", "consent_reference": "call 9",
                             "identity_verified": "on"})
    assert done.status_code == 302
    wes.refresh_from_db()
    assert wes.package.code == "classic"


def test_pkg5_trial_then_revert_with_confirmation(console_as, wes):
    client = console_as("agent")
    started = client.post(reverse("console:trial", args=[wes.number]),
                          {"to": "classic", "consent": "written", "consent_reference": "form 3",
                           "identity_verified": "on"})
    assert started.status_code == 302
    revert = reverse("console:trial_revert", args=[wes.number])
    assert client.post(revert, {}).status_code == 422  # not confirmed
    wes.refresh_from_db()
    assert wes.package.code == "classic"
    assert client.post(revert, {"confirm": "on"}).status_code == 302
    wes.refresh_from_db()
    assert wes.package.code == "basic"


def test_can7_cancel_shows_quote_and_final_bill_and_net2_needs_the_address_id(console_as, wes):
    client = console_as("agent")
    url = reverse("console:cancel", args=[wes.number])
    step = {"last_day": "2026-10-31", "reason": "moving away"}
    preview = client.get(url, step).content.decode()
    assert 'id="cancel-preview"' in preview and "No contract: no early termination fee." in preview
    assert "2026-10-01" in preview and "Final balance" in preview
    assert "9 Oak Ave" in preview and "type the account number" in preview
    wrong = client.post(url, {**step, "confirm_address_id": "UT-99999"})
    assert wrong.status_code == 409 and "type the address ID" in wrong.content.decode()
    assert not Cancellation.objects.exists()
    ok = client.post(url, {**step, "confirm_address_id": wes.number})
    assert ok.status_code == 302
    assert Cancellation.objects.get(account=wes).last_day == dt.date(2026, 10, 31)


def test_net2_suspend_needs_the_address_id(console_as, wes):
    client = console_as("agent")
    url = reverse("console:suspend", args=[wes.number])
    page = client.get(url).content.decode()
    assert "9 Oak Ave" in page and "never by the name alone" in page and "NET-2" not in page  # no rule ID on screen
    assert client.post(url, {"confirm_address_id": "nope"}).status_code == 409
    assert not NocRequest.objects.exists()
    assert client.post(url, {"confirm_address_id": wes.number}).status_code == 302
    assert NocRequest.objects.get(account=wes).operation == "disconnect"


def test_delinquency_procedures_refuse_with_the_services_sentence(console_as, wes):
    agent = console_as("agent")
    claim = reverse("console:payment_claim", args=[wes.number])
    assert agent.post(claim, {}).status_code == 422  # confirmation first
    refused = agent.post(claim, {"confirm": "on"})
    assert refused.status_code == 409 and "no open delinquency case" in refused.content.decode()
    arrangement = agent.post(reverse("console:arrangement", args=[wes.number]),
                             {"on_1": "2026-09-20", "amount_1": "25.00"})
    # DLQ-4 (issue 9): an agent proposes; here there is no case to arrange
    assert arrangement.status_code == 409 and "no open delinquency case" in arrangement.content.decode()
    assert agent.get(reverse("console:reinstate", args=[wes.number])).status_code == 200
    waive = agent.post(reverse("console:fee_waive", args=[wes.number]), {"confirm": "on"})
    assert waive.status_code == 409 and "no reactivation fee" in waive.content.decode()
