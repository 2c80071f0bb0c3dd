"""The console in a real browser (architecture.md: Playwright on Debian's Chromium):
an agent logs in, finds an account with the live search, opens it, takes a payment
through the form (CSRF token and all) and sees it in the activity feed."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from lastmile.billing.models import LedgerEntry
from tests.e2e.a11y import assert_accessible


@pytest.fixture
def agent_login(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("maria", "maria@example.test", "correct horse 42")
    user.groups.add(Group.objects.get_or_create(name="agent")[0])
    return "maria", "correct horse 42"


@pytest.fixture
def ana():
    from lastmile.catalog.services import catalog_load
    from tests.mixins import make_account

    catalog_load()
    return make_account(name="Ana Lopez", service_start=dt.date(2025, 6, 5))


def test_agent_takes_a_payment_and_sees_it_in_the_timeline(live_server, browser_page, agent_login, ana):
    from playwright.sync_api import expect

    page = browser_page
    username, password = agent_login

    # every console page needs a login: the browser lands on the login form
    page.goto(f"{live_server.url}/console/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/$"))

    # "Last, First" and a phone in another format find her; the row says status, network, plan, balance
    for query in ("Lopez, Ana", "(801) 555-0101", "10042"):
        page.fill("input[name=q]", query)
        row = page.locator(f'#results tr.result[data-account="{ana.number}"]')
        expect(row).to_be_visible()
        expect(row).to_contain_text("Active")
        expect(row.locator(".result-network")).to_have_text("UTOPIA fiber")
        expect(row.locator(".result-plan")).to_have_text("Classic")
        expect(row.locator(".result-balance")).to_have_text("$0.00")
    assert_accessible(page, "search results")

    # htmx live search by address ID: results arrive without a page load
    page.fill("input[name=q]", "UT-10042")
    link = page.locator("#results a", has_text="Ana Lopez")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(re.compile(rf".*/console/accounts/{ana.number}/$"))
    expect(page.locator("h1")).to_contain_text("Ana Lopez")
    expect(page.locator("#account-balance")).to_have_text("$0.00")
    assert_accessible(page, "account page")

    # take a payment through the form (it carries the CSRF token)
    page.fill("#payment-form input[name=amount]", "65.00")
    page.select_option("#payment-form select[name=method]", "phone")
    page.fill("#payment-form input[name=reference]", "e2e-1")
    page.click("#payment-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Payment posted.")
    expect(page.locator("#account-balance")).to_have_text("$-65.00")
    entry = page.locator('#timeline tr.tl-entry[data-type="payment.posted"]')
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Payment of $65.00 received by phone")  # a sentence, not an event dump
    expect(entry).to_contain_text(f"By {username}")
    fields = entry.locator("details.tl-details dl")
    expect(fields).to_be_hidden()  # the raw fields are one click away
    entry.locator("summary", has_text="Details").click()
    expect(fields).to_be_visible()
    expect(fields).to_contain_text("payment.posted")

    payment = LedgerEntry.objects.get(account=ana, kind="payment")
    assert payment.amount == -65 and payment.actor == username and payment.reference == "e2e-1"
