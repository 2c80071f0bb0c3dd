"""Tickets that ask, and take the answer, in a real browser (TKT-1, PKG-4, CAN-8,
CON-8): an admin answers "available" and the account is on Premium; an admin marks a
UTOPIA cancellation done and its uninstall is scheduled; a billing clerk answers a
contract lookup "no contract" and the cancellation goes on."""
from __future__ import annotations

import os
import re

import pytest

from lastmile.cancellations.models import Cancellation
from lastmile.core.models import ScheduledEvent
from lastmile.tickets.models import Ticket

SHOTS = os.environ.get("LASTMILE_SCREENSHOTS")  # a folder: save the pages for a person to look at


def _login(page, live_server, user):
    page.goto(f"{live_server.url}/console/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", f"pw {user} 42")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/$"))


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def users(django_user_model):
    from django.contrib.auth.models import Group

    for name, role in (("ada", "admin"), ("bea", "billing")):
        user = django_user_model.objects.create_user(name, f"{name}@example.test", f"pw {name} 42")
        user.groups.add(Group.objects.get_or_create(name=role)[0])


@pytest.fixture
def catalog_loaded(db):
    from lastmile.catalog.services import catalog_load

    catalog_load()


def test_pkg4_admin_answers_premium_available_and_the_plan_is_premium(live_server, browser_page, users,
                                                                       catalog_loaded):
    from playwright.sync_api import expect

    from tests.tickets.builders import premium_ticket

    account, ticket = premium_ticket()
    page = browser_page
    _login(page, live_server, "ada")
    page.goto(f"{live_server.url}/console/tickets/?scope=team")
    page.locator("#ticket-list a", has_text=ticket.subject).first.click()
    page.wait_for_url(re.compile(rf".*/console/tickets/{ticket.pk}/$"))
    expect(page.locator("#ticket-question h2")).to_have_text("Is Premium available at 12 Elm St, Orem (UT-10042)?")
    expect(page.locator("#ticket-question")).to_contain_text("Classic ($")
    page.check("#answer-form input[name=premium_available][value=yes]")
    _shot(page, "ticket-premium-answer")
    page.click("#answer-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text(f"Answer recorded; ticket #{ticket.pk} is closed.")
    expect(page.locator("#ticket-status")).to_have_text("Closed")
    page.goto(f"{live_server.url}/console/accounts/{account.number}/")
    expect(page.locator("body")).to_contain_text("Premium")

    account.refresh_from_db()
    assert account.package.code == "premium"
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"


def test_can8_admin_marks_a_utopia_cancellation_done_and_it_is_scheduled(live_server, browser_page, users,
                                                                          catalog_loaded):
    from playwright.sync_api import expect

    from tests.tickets.builders import utopia_cancel_ticket

    account, ticket = utopia_cancel_ticket()
    page = browser_page
    _login(page, live_server, "ada")
    page.goto(f"{live_server.url}/console/tickets/{ticket.pk}/")
    expect(page.locator("#ticket-question h2")).to_have_text("Has Hal Moss's cancellation been handled with UTOPIA?")
    expect(page.locator("#ticket-question")).to_contain_text("Moving to Denver")
    page.check("#answer-form input[name=outcome][value=done]")
    page.click("#answer-form button[type=submit]")  # the note is required: the browser or the form says so
    expect(page.locator("#ticket-status")).to_have_text("Open")
    page.check("#answer-form input[name=outcome][value=done]")
    page.fill("#answer-form textarea[name=note]", "Cancelled in the UTOPIA CRM, case 4411")
    _shot(page, "ticket-utopia-cancel-answer")
    page.click("#answer-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("is closed")
    expect(page.locator("body")).to_contain_text("Done with UTOPIA: Cancelled in the UTOPIA CRM, case 4411")

    cancellation = Cancellation.objects.get(account=account)
    assert cancellation.status == "confirmed"
    assert ScheduledEvent.objects.filter(account=account, action="uninstall",
                                         run_on=cancellation.uninstall_on).exists()


def test_con8_billing_answers_no_contract_and_the_cancellation_goes_on(live_server, browser_page, users,
                                                                       catalog_loaded):
    from playwright.sync_api import expect

    from tests.tickets.builders import contract_ticket

    account, ticket = contract_ticket()
    page = browser_page
    _login(page, live_server, "bea")
    page.goto(f"{live_server.url}/console/tickets/?scope=team&kind=contract_lookup")
    page.locator("#ticket-list a", has_text=ticket.subject).first.click()
    expect(page.locator("#ticket-question h2")).to_contain_text("Does Tia Grant have a contract?")
    page.check("#answer-form input[name=found][value=none]")
    _shot(page, "ticket-contract-lookup")
    page.click("#answer-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("is closed")
    expect(page.locator("body")).to_contain_text("Lookup done: no contract (month-to-month).")

    cancellation = Cancellation.objects.get(account=account)
    assert cancellation.status == "confirmed" and not cancellation.under_contract
    assert ScheduledEvent.objects.filter(account=account, action="uninstall").exists()
