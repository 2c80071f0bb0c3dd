"""The call queue and "where is my payment?" in a real browser (DLQ-2, DLQ-3, DLQ-6):
an agent reaches the customer on one phone and the other phone's call leaves the
queue; an agent records a claim with its amount, date, method and reference and sees
it on the account, with the unsuspend sent to the NOC."""
from __future__ import annotations

import re

import pytest

KIM = """
start: 2026-09-01
end: 2026-09-18
settings:
  policies: {utopia: utopia-billing}
accounts:
  - {ref: kim, name: Kim Ng, kind: residential, network: utopia, plan: classic,
     address: {line1: "3 Birch Ct", city: Orem, state: UT, postal_code: "84057", address_id: "UT-50001"},
     phones: ["801-555-0801", "801-555-0802"], emails: ["kim@example.test"], service_start: 2025-01-01}
"""


@pytest.fixture
def agent_login(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("cleo", "cleo@example.test", "correct horse 42")
    user.groups.add(Group.objects.get_or_create(name="agent")[0])
    return "cleo", "correct horse 42"


def _kim(end: str):
    from lastmile.accounts.models import Account
    from tests.mixins import run_scenario_text

    run_scenario_text(KIM.replace("2026-09-18", end))
    return Account.objects.get(name="Kim Ng")


def _login(page, base, username, password):
    page.goto(f"{base}/console/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/$"))


def test_dlq3_reached_on_one_phone_ends_the_other_phones_call(live_server, browser_page, agent_login):
    from playwright.sync_api import expect

    from lastmile.tickets.models import CallTask

    kim = _kim("2026-09-17")  # the warning call: one task a phone
    page = browser_page
    _login(page, live_server.url, *agent_login)
    page.goto(f"{live_server.url}/console/tasks/")
    rows = page.locator("#task-queue tr[data-phone]")
    expect(rows).to_have_count(2)
    first = page.locator('#task-queue tr[data-phone="801-555-0801"]')
    expect(first).to_contain_text("$65.00")
    first.locator("input[name=note]").fill("Will pay by phone on Friday")
    first.locator("button[value=reached]").click()
    expect(page.locator("#task-queue")).to_contain_text("Reached the customer")
    expect(rows).to_have_count(0)
    tasks = {t.phone: t for t in CallTask.objects.filter(account=kim)}
    assert tasks["801-555-0801"].outcome == "reached"
    assert tasks["801-555-0801"].note == "Will pay by phone on Friday"
    assert tasks["801-555-0802"].status == "not_needed"


def test_dlq6_agent_records_where_is_my_payment_with_its_details(live_server, browser_page, agent_login):
    from playwright.sync_api import expect

    kim = _kim("2026-09-18")  # suspended on the 18th, $35.00 reactivation fee
    assert kim.status == "suspended"
    page = browser_page
    _login(page, live_server.url, *agent_login)
    page.goto(f"{live_server.url}/console/accounts/{kim.number}/where-is-my-payment/")
    page.fill("input[name=amount]", "65.00")
    page.fill("input[name=sent_on]", "2026-09-14")
    page.select_option("select[name=method]", "bill_pay")
    page.fill("input[name=reference]", "BP-7781")
    page.check("input[name=confirm]")
    page.click("form.confirm-box button[type=submit]")
    page.wait_for_url(re.compile(rf".*/console/accounts/{kim.number}/$"))
    expect(page.locator("#payment-claim")).to_contain_text(
        "Customer says $65.00 was sent by bill pay on 2026-09-14, ref BP-7781")
    kim.refresh_from_db()
    from lastmile.delinquency.models import Case
    from lastmile.network.models import NocRequest

    assert Case.objects.get(account=kim).outcome == "claim"
    # service is restored through the NOC (DLQ-7 without the payment condition)
    assert NocRequest.objects.filter(account=kim, operation="unsuspend").exists()
