"""The console's home page per role, the branded login and error pages, and an
account in each status, in a real browser, each with the axe-core check (issue 10).

One book for the home page: Ana's case opened on Monday Aug 17 2026 (utopia policy:
calls and a Billing ticket that day, suspension on Wednesday Aug 19 unless she pays
or is reached), an agent proposed an arrangement for her, Ben's suspension waits on
the NOC, and Cleo's trial ends today.

LASTMILE_SCREENSHOTS=1 also saves the screenshots of docs/console.md (docs/img/):
the home page, an account page and the AR aging report when /console/reports/
exists. They are taken after the assertions, so making them never decides a pass.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from tests.e2e.a11y import assert_accessible

TODAY = dt.date(2026, 8, 17)
SHOTS = os.environ.get("LASTMILE_SCREENSHOTS") == "1"
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
ROLES = ("agent", "manager", "noc", "admin")


def _address(n: int) -> dict:
    return {"line1": f"{n} Elm St", "city": "Orem", "state": "UT", "postal_code": "84057",
            "address_id": f"UT-2{n:04d}"}


def _account(name: str, n: int, **extra):
    from lastmile.accounts.services import account_create
    from lastmile.catalog.models import Package
    from lastmile.core.actors import superuser

    return account_create(name=name, kind="residential", network="utopia", package=Package.objects.get(code="classic"),
                          address=_address(n), phones=[f"801-555-{n:04d}"], emails=[f"c{n}@example.test"],
                          service_start=dt.date(2025, 6, 5), actor=superuser("test"), **extra)


@pytest.fixture
def staff(django_user_model):
    from django.contrib.auth.models import Group

    for role in ROLES:
        user = django_user_model.objects.create_user(f"{role}1", f"{role}@example.test", f"pw {role} 42")
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    lead = django_user_model.objects.create_user("lead", "lead@example.test", "pw lead 42")  # every role
    lead.groups.add(*Group.objects.filter(name__in=ROLES))


@pytest.fixture
def book(db, monkeypatch):
    from lastmile.catalog.services import catalog_load
    from lastmile.core import clock
    from lastmile.core.actors import superuser, with_role
    from lastmile.core.dayrun import run_day
    from lastmile.delinquency.services import arrangement_propose
    from lastmile.network.services import noc_request
    from lastmile.tickets.services import task_create

    catalog_load()
    fixed = clock.FixedClock(dt.date(2026, 8, 1), hour=6)
    monkeypatch.setattr(clock, "_default", fixed)
    ana = _account("Ana Lopez", 1)
    day = dt.date(2026, 8, 1)
    while day <= TODAY:
        fixed.set_day(day)
        run_day(day)
        day += dt.timedelta(days=1)
    fixed.set_day(TODAY, hour=9)
    ana.refresh_from_db()
    assert ana.status == "delinquent"
    ben = _account("Ben Ortiz", 2)
    noc_request(account=ben, operation="suspend", actor=superuser("test"), why="test: waits on the NOC")
    cleo = _account("Cleo Park", 3)
    task_create(account=cleo, kind="trial_reminder", due_on=TODAY, key="test:cleo",
                title="Last day of the Premium trial: ask whether the customer keeps it")
    arrangement_propose(account=ana, installments=[{"on": "2026-08-21", "amount": "65.00"}],
                        actor=with_role("agent", "agent1"))
    return {"ana": ana, "ben": ben, "cleo": cleo}


def _login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/console/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/$"))


def _logout(page) -> None:
    page.click("form.logout button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/login/|.*/accounts/logout/|.*/$"))


def test_home_page_shows_each_roles_work_for_today(live_server, browser_page, staff, book):
    """Agent: calls due (balance, message), tickets, call-backs. Manager: approvals and
    the suspension the policy makes on Wednesday (DLQ-1 schedule). NOC: the request
    sent. Each line links to the account or the queue."""
    from playwright.sync_api import expect

    page, base = browser_page, live_server.url
    ana = book["ana"]
    page.set_viewport_size({"width": 1280, "height": 900})

    _login(page, base, "agent1", "pw agent 42")
    expect(page.locator("input[name=q]")).to_be_visible()  # the search box stays on top
    expect(page.locator("header.top nav a[aria-current=page]")).to_have_text("Today")
    calls = page.locator("#today-calls tr.today-call")
    expect(calls).to_have_count(1)
    expect(calls.first).to_contain_text("Ana Lopez")
    expect(calls.first).to_contain_text("$65.00")
    expect(calls.first).to_contain_text("shut off in 48 hours")
    expect(page.locator("#today-tickets tr.today-ticket").first).to_contain_text("Ana Lopez")
    expect(page.locator("#today-callbacks tr.today-callback")).to_contain_text("Cleo Park")
    for absent in ("#today-manager", "#today-noc", "#today-admin"):
        expect(page.locator(absent)).to_have_count(0)
    assert_accessible(page, "the agent's home page")
    page.locator("#today-calls a", has_text="Ana Lopez").click()
    page.wait_for_url(re.compile(rf".*/console/accounts/{ana.number}/$"))
    _logout(page)

    _login(page, base, "manager1", "pw manager 42")
    expect(page.locator("#today-approvals tr.today-approval")).to_contain_text("Ana Lopez")
    ahead = page.locator("#today-ahead tr.today-ahead")
    expect(ahead).to_have_count(1)
    expect(ahead).to_contain_text("Wed Aug 19")
    expect(ahead).to_contain_text("Suspend service")
    expect(page.locator("#today-agent")).to_have_count(0)
    assert_accessible(page, "the manager's home page")
    page.locator("#today-approvals a", has_text="Payment arrangement").click()
    page.wait_for_url(re.compile(r".*/console/approvals/#arrangement-\d+$"))
    expect(page.locator("tr.approval-row:target")).to_contain_text("Ana Lopez")  # the row to decide
    _logout(page)

    _login(page, base, "noc1", "pw noc 42")
    expect(page.locator("#today-noc tr.today-noc")).to_contain_text("Ben Ortiz")
    expect(page.locator("#today-noc tr.today-noc")).to_contain_text("UT-20002")
    expect(page.locator("#today-agent")).to_have_count(0)
    assert_accessible(page, "the NOC's home page")
    _logout(page)

    _login(page, base, "admin1", "pw admin 42")
    runs = page.locator("#today-runs tr.today-run")
    expect(runs.first).to_contain_text("Mon Aug 17")
    expect(page.locator("#today-agent")).to_have_count(0)
    assert_accessible(page, "the admin's home page")

    _logout(page)

    # several roles: every section the person holds, on one page
    _login(page, base, "lead", "pw lead 42")
    for section in ("#today-agent", "#today-manager", "#today-noc", "#today-admin"):
        expect(page.locator(section)).to_have_count(1)
    assert_accessible(page, "the home page of someone with every role")

    # 768 px: the navigation folds into a bar above the page and stays usable
    page.set_viewport_size({"width": 768, "height": 1000})
    nav = page.locator("header.top nav")
    box = nav.bounding_box()
    assert box and box["y"] < 200 and box["width"] > 400, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    page.set_viewport_size({"width": 1280, "height": 900})

    if SHOTS:
        _screenshots(page, base, ana)


def _screenshots(page, base: str, ana) -> None:
    """docs/img/: the home page, an account page and the AR
    aging report (skipped, with the reason printed, while the reports page is missing),
    signed in as someone with every role, so the home page shows every section."""
    IMG.mkdir(parents=True, exist_ok=True)
    page.goto(f"{base}/console/")
    page.screenshot(path=str(IMG / "console-home.png"), full_page=True)
    page.goto(f"{base}/console/accounts/{ana.number}/")
    page.screenshot(path=str(IMG / "console-account.png"), full_page=False)
    response = page.goto(f"{base}/console/reports/ar-aging/")
    if response is None or response.status >= 400:
        response = page.goto(f"{base}/console/reports/")
    if response is not None and response.status < 400:
        page.wait_for_timeout(500)  # the chart draws after load
        page.screenshot(path=str(IMG / "console-report-aging.png"), full_page=True)
    else:
        print("screenshots: /console/reports/ answers", getattr(response, "status", None),
              "- the AR aging screenshot is skipped until the reports page exists")


STATUSES = [("active", "Active"), ("delinquent", "Delinquent"), ("suspended", "Suspended"),
            ("not_active", "Not active"), ("uninstall", "Uninstall"), ("cancelled", "Cancelled")]


def test_account_page_shows_the_status_badge_in_each_status(live_server, browser_page, staff):
    from playwright.sync_api import expect

    from lastmile.catalog.services import catalog_load

    catalog_load()
    accounts = [(_account(f"Dee {label}", 10 + i, status=status), status, label)
                for i, (status, label) in enumerate(STATUSES)]
    page = browser_page
    _login(page, live_server.url, "agent1", "pw agent 42")
    for account, status, label in accounts:
        page.goto(f"{live_server.url}/console/accounts/{account.number}/")
        badge = page.locator("#account-status")
        expect(badge).to_have_text(label)
        assert status in (badge.get_attribute("class") or "").split()
        assert_accessible(page, f"a {status} account")


def test_login_and_404_pages_are_branded_and_accessible(live_server, browser_page, staff):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{live_server.url}/console/")
    expect(page).to_have_title(re.compile("Sign in · lastmile"))
    expect(page.locator("h1")).to_have_text("Sign in to the console")
    assert "Django" not in page.content()
    assert_accessible(page, "the login page")
    page.fill("input[name=username]", "agent1")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    expect(page.locator(".refusal")).to_contain_text("correct username and password")
    assert_accessible(page, "the login page with an error")

    # the customer portal keeps its own look, and passes the same check
    page.goto(f"{live_server.url}/portal/")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page, "the portal's sign-in page")

    # the admin's own sign-in follows the brand too
    page.goto(f"{live_server.url}/admin/login/")
    expect(page.locator("#site-name")).to_contain_text("lastmile admin")
    assert "Django administration" not in page.content()

    _login(page, live_server.url, "agent1", "pw agent 42")
    response = page.goto(f"{live_server.url}/console/accounts/999999/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("We could not find that page")
    assert "Not Found" not in page.content()
    assert_accessible(page, "the 404 page")

    # a page the role does not include: a 403 with the sentence, inside the console
    response = page.goto(f"{live_server.url}/console/reports/")
    assert response.status == 403
    expect(page.locator(".refusal-card")).to_contain_text("Reports are for managers and admins")
    assert_accessible(page, "a 403 page")
