"""Money corrections in a real browser (BIL-7): a billing clerk reverses a returned
check and the balance shows the reopened amount; an agent is refused a $250
adjustment with the sentence on screen and a manager makes it; a payment of
99,999,999,999.00 typed in the account page's payment form is refused."""
from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal

import pytest

from lastmile.billing.models import LedgerEntry

SHOTS = os.environ.get("LASTMILE_SCREENSHOTS")  # a folder: save the pages for a person to look at


def _login(page, live_server, user):
    page.goto(f"{live_server.url}/console/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", f"pw {user} 42")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/$"))


def _logout(page):
    page.click("header .logout button")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def users(django_user_model):
    from django.contrib.auth.models import Group

    for name in ("bea", "alice", "aaron"):
        user = django_user_model.objects.create_user(name, f"{name}@example.test", f"pw {name} 42")
        role = {"bea": "billing", "alice": "agent", "aaron": "manager"}[name]
        user.groups.add(Group.objects.get_or_create(name=role)[0])


@pytest.fixture
def ana():
    from lastmile.catalog.services import catalog_load
    from tests.mixins import make_account

    catalog_load()
    return make_account(name="Ana Lopez", service_start=dt.date(2025, 6, 5))


def test_bil7_billing_reverses_a_returned_check_and_the_balance_reopens(live_server, browser_page, users, ana):
    from playwright.sync_api import expect

    from lastmile.billing.services import charge_post, payment_post
    from lastmile.core.actors import superuser

    charge_post(account=ana, kind="recurring", amount="65.00", actor="automation", description="September")
    payment = payment_post(account=ana, amount="65.00", method="check", actor=superuser(), reference="chk 1001")
    page = browser_page
    _login(page, live_server, "bea")
    page.goto(f"{live_server.url}/console/accounts/{ana.number}/")
    expect(page.locator("#account-balance")).to_have_text("$0.00")
    page.click("#ledger-link")
    page.wait_for_url(re.compile(rf".*/accounts/{ana.number}/ledger/$"))
    row = page.locator(f'tr.ledger-row[data-entry="{payment.pk}"]')
    expect(row).to_contain_text("ref chk 1001")
    row.get_by_role("link", name="Reverse").click()
    page.check("input[name=reason_code][value=returned_check]")
    page.fill("input[name=note]", "bank notice 9/9")
    _shot(page, "money-reverse-form")
    page.click("#correction-form button[type=submit]")
    expect(page.locator("#correction-summary")).to_contain_text(
        "Reverse the payment of $65.00 of")
    expect(page.locator("#correction-summary")).to_contain_text("The balance goes from $0.00 to $65.00.")
    _shot(page, "money-reverse-confirm")
    page.check("#correction-form input[name=confirm]")
    page.click("#correction-form button.danger")
    expect(page.locator(".messages")).to_contain_text("Payment reversed; the amount it paid is owed again.")
    expect(page.locator("#ledger-balance")).to_have_text("$65.00")
    expect(row).to_contain_text("Reversed")
    expect(row).to_contain_text("Returned check: bank notice 9/9")
    expect(row.get_by_role("link", name="Reverse")).to_have_count(0)
    _shot(page, "money-ledger")
    page.goto(f"{live_server.url}/console/accounts/{ana.number}/")
    expect(page.locator("#account-balance")).to_have_text("$65.00")

    reversal = LedgerEntry.objects.get(voids=payment)
    assert (reversal.entry_type, reversal.amount, reversal.reason_code, reversal.actor) == (
        "reversal", Decimal("65.00"), "returned_check", "bea")


def test_bil7_agent_refused_a_250_adjustment_manager_makes_it(live_server, browser_page, users, ana):
    from playwright.sync_api import expect

    page = browser_page
    _login(page, live_server, "alice")
    page.goto(f"{live_server.url}/console/accounts/{ana.number}/ledger/")
    page.check("#adjustment-form input[name=direction][value=credit]")
    page.fill("#adjustment-form input[name=amount]", "250.00")
    page.fill("#adjustment-form input[name=reason]", "goodwill after the outage")
    page.click("#adjustment-form button[type=submit]")
    expect(page.locator(".refusal")).to_contain_text("a correction of $250.00 is above $100.00 and needs a manager")
    _shot(page, "money-adjust-refused")
    assert not LedgerEntry.objects.filter(account=ana).exists()
    _logout(page)

    _login(page, live_server, "aaron")
    page.goto(f"{live_server.url}/console/accounts/{ana.number}/ledger/")
    page.check("#adjustment-form input[name=direction][value=credit]")
    page.fill("#adjustment-form input[name=amount]", "250.00")
    page.fill("#adjustment-form input[name=reason]", "goodwill after the outage")
    page.click("#adjustment-form button[type=submit]")
    expect(page.locator("#correction-summary")).to_contain_text(
        "Credit $250.00, because: goodwill after the outage. The balance goes from $0.00 to -$250.00.")
    page.check("#correction-form input[name=confirm]")
    page.click("#correction-form button.danger")
    expect(page.locator(".messages")).to_contain_text("Adjustment posted.")
    expect(page.locator("#ledger-balance")).to_have_text("$250.00 credit")
    expect(page.locator("#refund-form")).to_be_visible()  # a credit balance: the refund is offered
    _shot(page, "money-ledger-credit")

    entry = LedgerEntry.objects.get(account=ana)
    assert (entry.kind, entry.amount, entry.actor, entry.reason) == (
        "adjustment", Decimal("-250.00"), "aaron", "goodwill after the outage")


def test_bil7_typing_error_payment_is_refused_on_the_account_page(live_server, browser_page, users, ana):
    from playwright.sync_api import expect

    page = browser_page
    _login(page, live_server, "alice")
    page.goto(f"{live_server.url}/console/accounts/{ana.number}/")
    page.fill("#payment-form input[name=amount]", "9999999.00")  # within the column: the BIL-7 ceiling refuses it
    page.select_option("#payment-form select[name=method]", "phone")
    page.click("#payment-form button[type=submit]")
    expect(page.locator("#payment-form")).to_contain_text(
        "$9,999,999.00 is more than the balance ($0.00) plus $1,000.00: probably a typing error; "
        "check the amount")
    expect(page.locator("#account-balance")).to_have_text("$0.00")
    _shot(page, "money-payment-refused")
    assert not LedgerEntry.objects.filter(account=ana).exists()
