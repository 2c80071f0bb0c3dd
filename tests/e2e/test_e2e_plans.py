"""Premium in the procedure's order, in a real browser (PKG-3, PKG-4, PKG-6): an agent
asks the reason and about speed problems, is told what is known of availability,
reads the price, records consent, and the account is on Premium."""
from __future__ import annotations

import datetime as dt
import os
import re

import pytest


@pytest.fixture
def agent_login(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("ava", "ava@example.test", "correct horse 42")
    user.groups.add(Group.objects.get_or_create(name="agent")[0])
    return "ava", "correct horse 42"


@pytest.fixture
def wes():
    from lastmile.accounts.services import account_create, premium_availability_set
    from lastmile.catalog.services import catalog_load
    from lastmile.core.actors import superuser

    packages = {p.code: p for p in catalog_load()}
    account = account_create(
        name="Wes Park", kind="residential", network="wireless", package=packages["classic"],
        address={"line1": "9 Oak Ave", "city": "Provo", "state": "UT", "postal_code": "84601"},
        phones=["801-555-0199"], emails=["wes@example.test"], service_start=dt.date(2025, 1, 1),
        actor=superuser("test"),
    )
    premium_availability_set(account=account, available=True, actor=superuser("admin"))
    return account


def _login(page, base, username, password):
    page.goto(f"{base}/console/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/$"))


def test_pkg3_pkg4_pkg6_agent_upgrades_to_premium_in_the_procedures_order(live_server, browser_page,
                                                                          agent_login, wes):
    from playwright.sync_api import expect

    page = browser_page
    _login(page, live_server.url, *agent_login)
    page.goto(f"{live_server.url}/console/accounts/{wes.number}/upgrade/")
    page.select_option("#choose-form select[name=to]", "premium")
    page.click("#choose-form button[type=submit]")

    # PKG-3 first: the reason and the speed question, no price yet
    expect(page.locator("#premium-questions")).to_be_visible()
    expect(page.locator("#price-preview")).to_have_count(0)
    page.fill("#questions-form input[name=reason]", "Two gamers and a home office")
    page.check("#questions-form input[name=speed_issues][value=no]")
    page.click("#questions-form button[type=submit]")

    # PKG-4 then PKG-6: availability, then the price, then consent
    expect(page.locator("#availability")).to_contain_text("An admin has confirmed that Premium is available")
    expect(page.locator("#price-preview")).to_contain_text("$85.00")
    if os.environ.get("LASTMILE_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LASTMILE_SCREENSHOTS"], "plan_change.png"), full_page=True)
    page.check("#consent-form input[name=identity_verified]")
    page.select_option("#consent-form select[name=consent]", "verbal_recorded")
    page.fill("#consent-form input[name=consent_reference]", "call 2026-09-16 10:12")
    page.click("#consent-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Done: the account is now on Premium.")

    wes.refresh_from_db()
    assert wes.package.code == "premium"
