"""Console pages of onboarding and account care (issue 9): open an account, edit its
contacts and address, add a contract, record the equipment, read the emails as sent.
Refusals show the service's sentence on the field, with the service's status."""
from __future__ import annotations

import datetime as dt

import pytest

from lastmile.accounts.models import Account
from lastmile.cancellations.choices import EquipmentState
from lastmile.cancellations.models import Contract
from lastmile.cancellations.services import cancellation_request
from lastmile.comms.models import OutboxMessage, OutboxStatus
from lastmile.core import clock
from lastmile.core.actors import superuser
from lastmile.core.models import TimelineEntry
from tests.mixins import make_account

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Carla Diaz", "kind": "residential", "network": "utopia", "plan": "classic",
    "line1": "5 Maple Dr", "line2": "", "city": "Orem", "state": "UT", "postal_code": "84057",
    "address_id": "UT-77001", "premium_available": "unknown", "phones": "801-555-0111\n801-555-0112",
    "emails": "carla@example.test", "service_start": "2026-09-01", "bill_cycle_day": "1",
    "opening_balance": "0.00", "contract_kind": "none",
}


@pytest.fixture
def agent(console_as, today, isp, catalog):
    return console_as("agent")


def test_new_account_page_is_linked_and_opens_an_account(agent):
    home = agent.get("/console/")
    assert b'href="/console/accounts/new/"' in home.content
    page = agent.get("/console/accounts/new/")
    assert page.status_code == 200 and b"Open the account" in page.content
    response = agent.post("/console/accounts/new/", FORM)
    account = Account.objects.get(name="Carla Diaz")
    assert response.status_code == 302 and response.url == f"/console/accounts/{account.number}/"
    assert [p.number for p in account.phones.all()] == ["801-555-0111", "801-555-0112"]
    assert TimelineEntry.objects.filter(account=account, type="account.created").exists()


def test_net2_new_account_duplicate_address_id_shown_on_the_field(agent):
    ana = make_account()
    response = agent.post("/console/accounts/new/", {**FORM, "address_id": "UT-10042"})
    assert response.status_code == 409
    assert (f"address ID UT-10042 is already the service address of account {ana.number} (Ana Lopez)"
            in response.content.decode())
    assert not Account.objects.filter(name="Carla Diaz").exists()


def test_con2_new_account_with_a_too_long_residential_contract(agent):
    response = agent.post("/console/accounts/new/", {
        **FORM, "contract_kind": "residential_digital", "contract_start": "2026-09-01", "contract_months": "24"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "residential terms never exceed 12 months, not 24" in page and "CON-2" not in page  # no rule ID on screen
    assert not Account.objects.exists()


def test_new_account_bad_email_and_missing_address_id(agent):
    response = agent.post("/console/accounts/new/", {**FORM, "emails": "carla-at-example"})
    assert response.status_code == 422
    assert "&#x27;carla-at-example&#x27; is not an email address" in response.content.decode()
    response = agent.post("/console/accounts/new/", {**FORM, "address_id": ""})
    assert response.status_code == 422 and "a UTOPIA account needs its UTOPIA address ID" in response.content.decode()


def test_new_account_refused_without_account_create(console_as, today, isp, catalog):
    noc = console_as("noc")
    assert b"/console/accounts/new/" not in noc.get("/console/").content
    response = noc.post("/console/accounts/new/", FORM)
    assert response.status_code == 403 and not Account.objects.exists()


def test_aud1_edit_page_changes_a_phone_with_old_and_new(agent):
    ana = make_account(phones=["801-555-0101"])
    page = agent.get(f"/console/accounts/{ana.number}/")
    assert f'href="/console/accounts/{ana.number}/edit/"'.encode() in page.content
    edit = agent.get(f"/console/accounts/{ana.number}/edit/")
    assert b"801-555-0101" in edit.content and b"UT-10042" in edit.content
    response = agent.post(f"/console/accounts/{ana.number}/edit/", {
        "name": "Ana Lopez", "phones": "801-555-0199", "emails": "ana@example.test", "line1": "12 Elm St",
        "line2": "", "city": "Orem", "state": "UT", "postal_code": "84057", "address_id": "UT-10042"})
    assert response.status_code == 302
    change = TimelineEntry.objects.get(account=ana, type="account.changed")
    assert change.data == {"field": "phones", "old": "801-555-0101", "new": "801-555-0199"}
    page = agent.get(f"/console/accounts/{ana.number}/").content.decode()
    assert "Changed: phones." in page and "801-555-0199" in page


def test_edit_refuses_a_bad_phone(agent):
    ana = make_account()
    response = agent.post(f"/console/accounts/{ana.number}/edit/", {
        "name": "Ana Lopez", "phones": "555", "emails": "", "line1": "12 Elm St",
        "city": "Orem", "state": "UT", "postal_code": "84057", "address_id": "UT-10042"})
    assert response.status_code == 422
    assert "&#x27;555&#x27; is not a phone number" in response.content.decode()
    assert not TimelineEntry.objects.filter(type="account.changed").exists()


def test_con2_add_a_residential_contract_and_see_it_on_the_account(agent):
    bob = make_account(network="wireless", name="Bob Reyes")
    response = agent.post(f"/console/accounts/{bob.number}/contracts/new/", {
        "contract_kind": "residential_digital", "contract_start": "2026-09-01", "contract_months": "12",
        "contract_monthly": "65.00"})
    assert response.status_code == 302
    assert Contract.objects.get(account=bob).months == 12
    page = agent.get(f"/console/accounts/{bob.number}/").content.decode()
    assert "residential contract recorded; its term ends 2027-09-01" in page.lower()
    assert 'id="contracts"' in page and "2027-09-01" in page


def test_can8_lease_on_a_wireless_account_is_refused_on_the_form(agent):
    bob = make_account(network="wireless", name="Bob Reyes")
    response = agent.post(f"/console/accounts/{bob.number}/contracts/new/", {
        "contract_kind": "utopia_lease", "contract_start": "2026-06-05"})
    assert response.status_code == 409
    assert "a UTOPIA lease belongs to a UTOPIA account" in response.content.decode()


def test_can6_equipment_card_only_with_pending_equipment(agent):
    bob = make_account(network="wireless", name="Bob Reyes")
    assert b'id="equipment-card"' not in agent.get(f"/console/accounts/{bob.number}/").content
    cancellation_request(account=bob, last_day=dt.date(2026, 9, 15), reason="moving", actor=superuser())
    page = agent.get(f"/console/accounts/{bob.number}/").content.decode()
    assert 'id="equipment-card"' in page and "Equipment pickup pending" in page
    confirm = agent.get(f"/console/accounts/{bob.number}/equipment/returned/")
    assert confirm.status_code == 200 and b"Record equipment returned" in confirm.content
    unconfirmed = agent.post(f"/console/accounts/{bob.number}/equipment/returned/", {})
    assert unconfirmed.status_code == 422
    done = agent.post(f"/console/accounts/{bob.number}/equipment/returned/", {"confirm": "on"})
    assert done.status_code == 302
    assert bob.cancellations.get().equipment == EquipmentState.RETURNED
    assert b'id="equipment-card"' not in agent.get(f"/console/accounts/{bob.number}/").content


def test_can6_pickup_failed_charges_the_fee(agent):
    from lastmile.billing.selectors import balance

    bob = make_account(network="wireless", name="Bob Reyes")
    cancellation_request(account=bob, last_day=dt.date(2026, 9, 15), reason="moving", actor=superuser())
    before = balance(account=bob)
    response = agent.post(f"/console/accounts/{bob.number}/equipment/pickup-failed/", {"confirm": "on"})
    assert response.status_code == 302
    assert bob.cancellations.get().equipment == EquipmentState.FAILED
    assert balance(account=bob) - before == 25
    again = agent.post(f"/console/accounts/{bob.number}/equipment/pickup-failed/", {"confirm": "on"})
    assert again.status_code == 409 and "the replacement fee was already charged" in again.content.decode()


def test_emails_page_shows_state_and_escaped_body(agent):
    ana = make_account()
    OutboxMessage.objects.create(account=ana, template="t", to=["ana@example.test"], subject="Your bill",
                                 body="<script>alert(1)</script>\nLine two", key="k1", created_at=clock.now(),
                                 status=OutboxStatus.FAILED, attempts=5, last_error="SMTP refused")
    page = agent.get(f"/console/accounts/{ana.number}/")
    assert f'href="/console/accounts/{ana.number}/emails/"'.encode() in page.content
    response = agent.get(f"/console/accounts/{ana.number}/emails/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your bill" in html and "Failed" in html and "after 5 attempts" in html and "SMTP refused" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
