"""Every report in a real browser (issue 10): a manager follows the "Reports" link,
opens each report from the list, and sees its chart drawn (Chart.js, vendored,
from the rows in the page's json_script tag) and its table with rows; each page
passes the axe-core check (no serious or critical violation)."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from lastmile.reports.registry import REPORTS
from tests.e2e.a11y import assert_accessible

TODAY = dt.date(2026, 9, 1)


@pytest.fixture
def manager(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("mara", "mara@example.test", "pw mara 42")
    user.groups.add(Group.objects.get_or_create(name="manager")[0])


@pytest.fixture
def year(db, monkeypatch):
    """A little of everything the reports read, in the year before TODAY."""
    from lastmile.catalog.services import catalog_load
    from lastmile.core import clock
    from tests.reports import builders as b

    catalog = {p.code: p for p in catalog_load()}
    monkeypatch.setattr(clock, "_default", clock.FixedClock(TODAY, hour=9))
    acc = b.accounts(catalog)
    august = dt.date(2026, 8, 1)
    for account in acc.values():
        b.entry(account, "65.00", august)
        b.statement(account, august, due="65.00", recurring="65.00")
    b.entry(acc["u1"], "-65.00", dt.date(2026, 8, 4))
    b.entry(acc["w1"], "-65.00", dt.date(2026, 8, 20))
    case = b.case(acc["w1"], d=dt.date(2026, 8, 16), outcome="paid", closed_on=dt.date(2026, 8, 20),
                  policy="wireless-2022-04")
    sent = dt.datetime(2026, 8, 18, 16, tzinfo=dt.UTC)
    b.noc(acc["w1"], key=f"dlq-shutoff:{case.pk}:deactivate", sent=sent, minutes=45, channel="work_order",
          operation="disconnect")
    b.noc(acc["u2"], key="e2e-email", sent=sent, minutes=12)
    b.entry(acc["u2"], "35.00", dt.date(2026, 8, 18), kind="reactivation_fee")
    return acc


def test_a_manager_opens_every_report_and_sees_its_chart_and_its_table(live_server, browser_page, manager, year):
    from playwright.sync_api import expect

    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/console/")
    page.fill("input[name=username]", "mara")
    page.fill("input[name=password]", "pw mara 42")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/$"))
    page.click("#nav-reports")
    page.wait_for_url(re.compile(r".*/console/reports/$"))
    assert_accessible(page, "the list of reports")
    for report in REPORTS.values():
        page.goto(f"{live_server.url}/console/reports/")
        page.click(f'#report-list a[href="/console/reports/{report.slug}/"]')
        page.wait_for_url(re.compile(rf".*/console/reports/{report.slug}/$"))
        expect(page.locator("h1")).to_have_text(report.title)
        canvas = page.locator("canvas#report-chart[role=img]")
        expect(canvas).to_have_attribute("data-rendered", str(len(report.series)))
        box = canvas.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 50, (report.slug, box)
        rows = page.locator("#report-table tbody tr")
        assert rows.count() > 0, report.slug
        expect(page.locator("#report-table caption")).to_contain_text(report.title)
        assert page.locator("#report-csv").get_attribute("href").startswith(f"/console/reports/{report.slug}/csv/?")
        assert_accessible(page, report.title)
    assert errors == []
    # the numbers on the screen are the selector's: Uri owes August's $65.00 and an
    # Aug 18 fee of $35.00, both 1-30 days past due on Sep 1
    page.goto(f"{live_server.url}/console/reports/ar-aging/?as_of=2026-09-01")
    expect(page.locator("#report-table tbody tr").first).to_have_text(
        re.compile(r"UTOPIA fiber\s*1\s*\$0\.00\s*\$100\.00\s*\$0\.00\s*\$0\.00\s*\$0\.00\s*\$100\.00"))
