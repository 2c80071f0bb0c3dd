"""The NOC desk in a real browser (NET-1, DLQ-7): a suspended customer pays in full,
the unsuspend request waits on the NOC, and a NOC user on /console/noc/ confirms it
with the VLAN read from the ONT (552): the account is active again."""
from __future__ import annotations

import datetime as dt
import os
import re

import pytest

from lastmile.network.models import NocRequest

SHOTS = os.environ.get("LASTMILE_SCREENSHOTS")


@pytest.fixture
def nina(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("nina", "nina@example.test", "pw nina 42")
    user.groups.add(Group.objects.get_or_create(name="noc")[0])


@pytest.fixture
def paid_after_shut_off(db):
    """The day run shuts Ana off on Aug 19 (utopia-2022-04); she pays in full that day."""
    from lastmile.billing.selectors import balance
    from lastmile.billing.services import payment_post
    from lastmile.catalog.services import catalog_load
    from lastmile.core import clock, ispconfig
    from lastmile.core.actors import superuser
    from lastmile.core.dayrun import run_day
    from tests.mixins import make_account

    catalog_load()
    fixed = clock.FixedClock(dt.date(2026, 8, 1), hour=6)
    with clock.use_clock(fixed), ispconfig.override(noc_auto_confirm=False):
        account = make_account(name="Ana Lopez", service_start=dt.date(2025, 6, 5))
        day = dt.date(2026, 8, 1)
        while day <= dt.date(2026, 8, 19):
            fixed.set_day(day)
            run_day(day)
            day += dt.timedelta(days=1)
        account.refresh_from_db()
        assert account.status == "suspended"
        fixed.set_day(dt.date(2026, 8, 19), hour=11)
        payment_post(account=account, amount=str(balance(account=account)), method="phone",
                     actor=superuser("agent"), reference="paid in full")
    account.refresh_from_db()
    assert account.status == "suspended"  # the unsuspend waits on the NOC
    return account


def test_dlq7_noc_confirms_the_unsuspend_with_vlan_552_and_the_account_is_active(
        live_server, browser_page, nina, paid_after_shut_off):
    from playwright.sync_api import expect

    account = paid_after_shut_off
    request = NocRequest.objects.get(account=account, operation="unsuspend")
    assert request.state == "sent" and request.restore_pending
    page = browser_page
    page.goto(f"{live_server.url}/console/")
    page.fill("input[name=username]", "nina")
    page.fill("input[name=password]", "pw nina 42")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/$"))
    page.click("#nav-noc")
    page.wait_for_url(re.compile(r".*/console/noc/$"))
    row = page.locator(f'tr.noc-row[data-request="{request.pk}"]')
    expect(row).to_contain_text("Ana Lopez")
    expect(row).to_contain_text("UT-10042")
    expect(row).to_contain_text("12 Elm St")
    expect(row).to_contain_text("Unsuspend")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "noc-desk.png"), full_page=True)
    row.locator("form.noc-confirm input[name=vlan]").fill("552")
    row.locator("form.noc-confirm button").click()
    expect(page.locator(".messages")).to_contain_text("Confirmed: Ana Lopez's service is restored.")
    expect(page.locator(f'tr.noc-row[data-request="{request.pk}"]')).to_have_count(0)
    page.goto(f"{live_server.url}/console/accounts/{account.number}/")
    expect(page.locator("body")).to_contain_text("active")

    account.refresh_from_db()
    request.refresh_from_db()
    assert account.status == "active" and account.portal_access
    assert request.state == "confirmed" and request.completed_at is not None and not request.restore_pending
