"""Payment arrangements in a real browser (issue 9, DLQ-4, DLQ-7): an agent proposes
one that covers the balance from the arrangement page, a manager approves it from the
approval queue, and the case pauses and service is asked back; an arrangement that
falls short is refused with the shortfall on screen."""
from __future__ import annotations

import datetime as dt
import os
import re

import pytest

SHOTS = os.environ.get("LASTMILE_SCREENSHOTS")
DAY = dt.date(2026, 8, 19)  # the day run shut Ana off: $65.00 + $35.00 reactivation fee


@pytest.fixture
def people(django_user_model):
    from django.contrib.auth.models import Group

    for name, role in (("ava", "agent"), ("max", "manager")):
        user = django_user_model.objects.create_user(name, f"{name}@example.test", f"pw {name} 42")
        user.groups.add(Group.objects.get_or_create(name=role)[0])


@pytest.fixture
def shut_off(db, monkeypatch):
    """Ana is suspended for non-payment on Aug 19; the live server's clock (another
    thread) reads the same fixed day."""
    from lastmile.catalog.services import catalog_load
    from lastmile.core import clock
    from lastmile.core.dayrun import run_day
    from tests.mixins import make_account

    catalog_load()
    fixed = clock.FixedClock(dt.date(2026, 8, 1), hour=6)
    monkeypatch.setattr(clock, "_default", fixed)
    account = make_account(name="Ana Lopez", service_start=dt.date(2025, 6, 5))
    day = dt.date(2026, 8, 1)
    while day <= DAY:
        fixed.set_day(day)
        run_day(day)
        day += dt.timedelta(days=1)
    fixed.set_day(DAY, hour=10)
    account.refresh_from_db()
    assert account.status == "suspended"
    return account


def _login(page, base, username):
    page.goto(f"{base}/console/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw {username} 42")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/$"))


def _logout(page):
    page.click("form.logout button[type=submit]")


def test_dlq4_dlq7_agent_proposes_manager_approves_case_pauses_service_asked_back(
        live_server, browser_page, people, shut_off):
    from playwright.sync_api import expect

    from lastmile.delinquency import selectors
    from lastmile.delinquency.models import Arrangement
    from lastmile.network.models import NocRequest

    account, page = shut_off, browser_page
    _login(page, live_server.url, "ava")
    page.goto(f"{live_server.url}/console/accounts/{account.number}/arrangement/")
    expect(page.locator("#arrangement-owed")).to_have_text("$100.00")
    expect(page.locator("#arrangement-deadline")).to_have_text("Wed Sep 2, 2026")
    page.fill("#arrangement-form input[name=on_1]", "2026-08-21")
    page.fill("#arrangement-form input[name=amount_1]", "40.00")
    expect(page.locator("#arrangement-total")).to_have_text("Total: $40.00 of $100.00: $60.00 short")
    page.fill("#arrangement-form input[name=on_2]", "2026-08-28")
    page.fill("#arrangement-form input[name=amount_2]", "60.00")
    expect(page.locator("#arrangement-total")).to_have_text("Total: $100.00 of $100.00: covers the balance")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "arrangement.png"), full_page=True)
    page.click("#arrangement-form button:has-text(\"Propose for a manager's approval\")")
    expect(page.locator(".messages")).to_contain_text("Payment arrangement proposed; a manager approves it")
    proposal = Arrangement.objects.get(account=account)
    assert proposal.status == "proposed" and not selectors.open_case(account=account).paused
    _logout(page)

    _login(page, live_server.url, "max")
    page.click("#nav-approvals")
    page.wait_for_url(re.compile(r".*/console/approvals/$"))
    row = page.locator(f'tr.approval-row[data-arrangement="{proposal.pk}"]')
    expect(row).to_contain_text("Ana Lopez")
    expect(row).to_contain_text("Fri Aug 21, 2026: $40.00")
    expect(row).to_contain_text("Fri Aug 28, 2026: $60.00")
    expect(row).to_contain_text("by ava")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "approvals.png"), full_page=True)
    row.locator("form.approve-form button").click()
    expect(page.locator(".messages")).to_contain_text(
        "Arrangement approved for Ana Lopez; the case is paused while it is kept.")
    expect(page.locator("#approval-list")).to_have_count(0)

    proposal.refresh_from_db()
    assert proposal.status == "active" and proposal.approved_by == "max"
    case = selectors.open_case(account=account)
    assert case.paused and case.next_due_on is None
    # DLQ-7: service that was shut off is asked back from the NOC
    assert NocRequest.objects.filter(account=account, operation="unsuspend").exists()


def test_dlq4_agent_short_arrangement_is_refused_with_the_shortfall_on_screen(
        live_server, browser_page, people, shut_off):
    from playwright.sync_api import expect

    from lastmile.delinquency.models import Arrangement

    account, page = shut_off, browser_page
    _login(page, live_server.url, "ava")
    page.goto(f"{live_server.url}/console/accounts/{account.number}/arrangement/")
    page.fill("#arrangement-form input[name=on_1]", "2026-08-25")
    page.fill("#arrangement-form input[name=amount_1]", "50.00")
    page.click("#arrangement-form button[type=submit]")
    expect(page.locator("#arrangement-form")).to_contain_text(
        "the installments add up to $50.00 but $100.00 is owed, fees included: $50.00 short")
    assert not Arrangement.objects.filter(account=account).exists()
