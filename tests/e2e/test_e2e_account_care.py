"""Onboarding and account care in a real browser (issue 9): each test logs in as the
role that does the procedure and ends on the state the rule promises, in the
database and on screen."""
from __future__ import annotations

import datetime as dt
import os
import re

import pytest

from lastmile.accounts.models import Account
from lastmile.cancellations.choices import EquipmentState
from lastmile.cancellations.models import Contract
from lastmile.core.models import TimelineEntry

SHOTS = os.environ.get("LASTMILE_E2E_SHOTS")  # a folder: save a screenshot of each page


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"account_care_{name}.png"), full_page=True)


@pytest.fixture
def login_as(django_user_model, live_server, browser_page):
    from django.contrib.auth.models import Group

    def login(role: str):
        user = django_user_model.objects.create_user(f"{role}-user", f"{role}@example.test", "correct horse 42")
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        page = browser_page
        page.goto(f"{live_server.url}/console/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", "correct horse 42")
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(re.compile(r".*/console/$"))
        return page, user.username

    return login


@pytest.fixture
def catalog():
    from lastmile.catalog.services import catalog_load

    catalog_load()


def test_agent_opens_an_account_and_lands_on_its_page(live_server, login_as, catalog):
    from playwright.sync_api import expect

    page, username = login_as("agent")
    page.click("#nav-account-new")
    page.wait_for_url(re.compile(r".*/console/accounts/new/$"))
    form = page.locator("#account-new-form")
    form.locator("input[name=name]").fill("Carla Diaz")
    form.locator("select[name=network]").select_option("utopia")
    form.locator("select[name=plan]").select_option("classic")
    form.locator("input[name=line1]").fill("5 Maple Dr")
    form.locator("input[name=city]").fill("Orem")
    form.locator("input[name=state]").fill("UT")
    form.locator("input[name=postal_code]").fill("84057")
    # first without the address ID: refused on the field, nothing created
    form.locator("textarea[name=phones]").fill("801-555-0111")
    form.locator("textarea[name=emails]").fill("carla@example.test")
    form.locator("input[name=bill_cycle_day]").fill("15")
    form.locator("select[name=contract_kind]").select_option("utopia_lease")
    form.locator("input[name=contract_start]").fill("2026-06-05")
    _shot(page, "new")
    form.locator("button[type=submit]").click()
    expect(page.locator("#account-new-form .refusal")).to_contain_text("a UTOPIA account needs its UTOPIA address ID")
    _shot(page, "new_refused")
    assert not Account.objects.exists()

    page.locator("#account-new-form input[name=address_id]").fill("UT-77001")
    page.locator("#account-new-form button[type=submit]").click()
    account = Account.objects.get(name="Carla Diaz")
    page.wait_for_url(re.compile(rf".*/console/accounts/{account.number}/$"))
    expect(page.locator(".messages")).to_contain_text(f"Account {account.number} opened for Carla Diaz.")
    expect(page.locator("h1")).to_contain_text("Carla Diaz")
    expect(page.locator("#contracts")).to_contain_text("penalty-free from 2027-07-01")  # CAN-8
    expect(page.locator('#timeline tr.tl-entry[data-type="account.created"]')).to_have_count(1)
    _shot(page, "account")
    assert account.bill_cycle_day == 15 and account.address.address_id == "UT-77001"
    assert TimelineEntry.objects.get(account=account, type="account.created").actor == username


def test_agent_edits_a_phone_and_sees_old_and_new(live_server, login_as, catalog):
    from playwright.sync_api import expect

    from tests.mixins import make_account

    ana = make_account(phones=["801-555-0101"])
    page, _ = login_as("agent")
    page.goto(f"{live_server.url}/console/accounts/{ana.number}/")
    page.click("#account-edit-link")
    page.wait_for_url(re.compile(rf".*/console/accounts/{ana.number}/edit/$"))
    phones = page.locator("#account-edit-form textarea[name=phones]")
    expect(phones).to_have_value("801-555-0101")
    phones.fill("801-555-0199")
    _shot(page, "edit")
    page.locator("#account-edit-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/console/accounts/{ana.number}/$"))
    expect(page.locator(".messages")).to_contain_text("Changed: phones.")
    change = page.locator('#timeline tr.tl-entry[data-type="account.changed"]')
    expect(change).to_have_count(1)
    expect(change).to_contain_text("801-555-0101")
    expect(change).to_contain_text("801-555-0199")
    assert TimelineEntry.objects.get(account=ana, type="account.changed").data == {
        "field": "phones", "old": "801-555-0101", "new": "801-555-0199"}


def test_billing_user_adds_a_residential_contract(live_server, login_as, catalog):
    from playwright.sync_api import expect

    from tests.mixins import make_account

    bob = make_account(network="wireless", name="Bob Reyes")
    page, username = login_as("billing")
    page.goto(f"{live_server.url}/console/accounts/{bob.number}/")
    page.click("#contract-add-link")
    page.wait_for_url(re.compile(rf".*/console/accounts/{bob.number}/contracts/new/$"))
    form = page.locator("#contract-form")
    form.locator("select[name=contract_kind]").select_option("residential_digital")
    form.locator("input[name=contract_start]").fill("2026-09-01")
    form.locator("input[name=contract_months]").fill("24")
    form.locator("input[name=contract_monthly]").fill("65.00")
    form.locator("button[type=submit]").click()
    expect(page.locator("#contract-form .refusal")).to_contain_text("residential terms never exceed 12 months")
    _shot(page, "contract_refused")
    page.locator("#contract-form input[name=contract_months]").fill("12")
    page.locator("#contract-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/console/accounts/{bob.number}/$"))
    expect(page.locator(".messages")).to_contain_text("its term ends 2027-09-01")
    expect(page.locator("#contracts")).to_contain_text("2027-09-01")
    _shot(page, "contract_on_account")
    contract = Contract.objects.get(account=bob)
    assert (contract.kind, contract.source, contract.months, contract.recorded_by) == (
        "residential", "digital", 12, username)


def test_agent_records_equipment_returned_and_no_fee_follows(live_server, login_as, catalog):
    from playwright.sync_api import expect

    from lastmile.billing.selectors import balance
    from lastmile.cancellations.services import cancellation_request, equipment_fee_job
    from lastmile.core import clock
    from lastmile.core.actors import superuser
    from tests.mixins import make_account

    bob = make_account(network="wireless", name="Bob Reyes")
    cancellation = cancellation_request(account=bob, last_day=clock.today() + dt.timedelta(days=10),
                                        reason="moving", actor=superuser())
    page, _ = login_as("agent")
    page.goto(f"{live_server.url}/console/accounts/{bob.number}/")
    expect(page.locator("#equipment-card")).to_contain_text("Equipment pickup pending")
    _shot(page, "equipment_card")
    page.click("#equipment-returned-link")
    expect(page.locator("form.confirm-box")).to_contain_text("Yes, I confirm")
    assert bob.cancellations.get().equipment == EquipmentState.PENDING  # nothing before the confirmation
    page.check("input[name=confirm]")
    _shot(page, "equipment_confirm")
    page.locator("button.danger").click()
    page.wait_for_url(re.compile(rf".*/console/accounts/{bob.number}/$"))
    expect(page.locator(".messages")).to_contain_text("Equipment recorded as returned")
    expect(page.locator("#equipment-card")).to_have_count(0)
    cancellation.refresh_from_db()
    assert cancellation.equipment == EquipmentState.RETURNED
    # CAN-6: long after the return window, the fee job charges nothing
    owed = balance(account=bob)
    equipment_fee_job(as_of=cancellation.uninstall_on + dt.timedelta(days=60))
    cancellation.refresh_from_db()
    assert cancellation.equipment == EquipmentState.RETURNED and balance(account=bob) == owed


def test_agent_reads_the_emails_as_sent(live_server, login_as, catalog):
    from playwright.sync_api import expect

    from lastmile.comms.models import OutboxMessage, OutboxStatus
    from lastmile.core import clock
    from tests.mixins import make_account

    ana = make_account()
    OutboxMessage.objects.create(account=ana, template="t", to=["ana@example.test"], subject="Your statement",
                                 body="Dear Ana,\n<b>not bold</b>", key="e2e-1", created_at=clock.now(),
                                 status=OutboxStatus.SENT, attempts=1, sent_at=clock.now())
    page, _ = login_as("agent")
    page.goto(f"{live_server.url}/console/accounts/{ana.number}/")
    page.click("#account-emails-link")
    row = page.locator("#emails tr.email-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Sent")
    row.locator("summary").click()
    expect(row.locator("pre.email-body")).to_have_text("Dear Ana,\n<b>not bold</b>")
    _shot(page, "emails")
