"""An admin moves an ISP in from Sonar in a real browser (issue 12, IMP-1): upload ->
preview with the counts -> confirm -> the accounts are there, and a bad file's
preview names its row and column and offers no import."""
from __future__ import annotations

import os
import re

import pytest

from lastmile.accounts.models import Account

from ..conftest import DATA

SHOTS = os.environ.get("LASTMILE_SCREENSHOTS")


@pytest.fixture
def admin_login(django_user_model):
    from django.contrib.auth.models import Group

    from lastmile.catalog.services import catalog_load

    catalog_load()
    user = django_user_model.objects.create_user("onboarding", "onb@example.test", "correct horse 42")
    user.groups.add(Group.objects.get_or_create(name="admin")[0])
    return "onboarding", "correct horse 42"


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_IMP1_admin_imports_a_sonar_export_through_the_preview(live_server, browser_page, admin_login, tmp_path):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{live_server.url}/console/imports/")
    page.fill("input[name=username]", admin_login[0])
    page.fill("input[name=password]", admin_login[1])
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/imports/$"))
    _shot(page, "import-upload.png")

    bad = tmp_path / "sonar_accounts.csv"
    bad.write_text((DATA / "sonar_accounts.csv").read_text().replace(",Classic,", ",Gold,"))
    page.select_option("#id_source", "sonar")
    page.set_input_files("#id_files", [str(bad)])
    page.click("#import-form button[type=submit]")
    expect(page.locator("#import-problems")).to_contain_text("no package called 'Gold' in the catalog")
    expect(page.locator("#import-problems")).to_contain_text("Service Name")
    assert page.locator("#import-confirm").count() == 0
    _shot(page, "import-preview-problem.png")

    page.goto(f"{live_server.url}/console/imports/")
    page.select_option("#id_source", "sonar")
    page.set_input_files("#id_files", [str(DATA / "sonar_accounts.csv"), str(DATA / "sonar_payments.csv")])
    page.click("#import-form button[type=submit]")
    expect(page.locator("#import-summary")).to_contain_text("sonar_accounts.csv (accounts): would create 3")
    _shot(page, "import-preview.png")
    assert not Account.objects.exists()
    page.check("#import-confirm input[name=confirm]")
    page.click("#import-confirm button[type=submit]")
    expect(page.locator("body")).to_contain_text("The import is done: sonar_accounts.csv (accounts): created 3")
    _shot(page, "import-done.png")
    assert Account.objects.count() == 3
