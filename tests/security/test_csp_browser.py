"""The Content-Security-Policy in a real Chromium (issue 15, docs/security.md): the console,
an account and its arrangement page, the portal with its statement, card and pay pages, the
API's Swagger UI and Django's admin, with no CSP violation and no request to another host."""
from __future__ import annotations

import datetime as dt
import re

import pytest

CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""
PASSWORD = "a long staff password 42"


@pytest.fixture
def world(db):
    from django.contrib.auth import get_user_model

    from lastmile.catalog.services import catalog_load
    from lastmile.core.dayrun import run_day
    from lastmile.portal import services
    from tests.mixins import make_account
    from tests.portal.conftest import PASSWORD as PORTAL_PASSWORD
    from tests.portal.conftest import link_token

    catalog_load()
    account = make_account(network="wireless", service_start=dt.date(2025, 6, 5))
    run_day(dt.date(2026, 11, 1))
    assert services.password_link_send(number=account.number, email="ana@example.test",
                                       link_base="http://testserver/portal/password/set/")
    services.password_set(token=link_token(account), password=PORTAL_PASSWORD, again=PORTAL_PASSWORD)
    get_user_model().objects.create_superuser("root", "root@example.test", PASSWORD)
    return {"account": account, "portal_password": PORTAL_PASSWORD}


def test_issue15_no_csp_violation_and_no_other_host_on_any_page(live_server, browser_page, world):
    from playwright.sync_api import expect

    page, base = browser_page, live_server.url
    page.add_init_script(CSP_WATCH)
    console_errors, foreign = [], []
    page.on("console", lambda m: console_errors.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text else None)
    page.on("request", lambda r: foreign.append(r.url)
            if not r.url.startswith((base, "data:", "about:", "blob:")) else None)
    seen = {}

    def visit(path, ready, timeout=15_000):
        response = page.goto(f"{base}{path}")
        assert response.status == 200, (path, response.status)
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        expect(page.locator(ready).first).to_be_visible(timeout=timeout)
        page.wait_for_load_state("networkidle")
        seen[path] = page.evaluate("window.__csp")

    number = world["account"].number
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(re.compile(r".*/console/$"))
    visit("/console/", "main")
    visit(f"/console/accounts/{number}/", "main h1")
    visit(f"/console/accounts/{number}/arrangement/", "#arrangement-form")
    page.fill("input[name^=amount_]", "10.00")  # the moved script still totals the installments
    expect(page.locator("#arrangement-total")).to_contain_text("Total: $10.00")
    visit("/console/approvals/", "main")
    visit("/api/v1/docs", ".opblock", timeout=90_000)  # Swagger UI drew the operations, from local files
    visit("/admin/", "#content")
    visit("/admin/catalog/", "#content")
    visit("/admin/catalog/package/", "#result_list")  # a changelist (the plans)
    page.click("#result_list tbody a >> nth=0")  # a changeform, with the admin's own scripts
    expect(page.locator("form#content-main, #content-main form").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    seen["admin changeform"] = page.evaluate("window.__csp")
    page.goto(f"{base}/accounts/2fa/enrol/")
    expect(page.locator("#otp-qr svg")).to_be_visible()
    seen["enrol"] = page.evaluate("window.__csp")

    page.goto(f"{base}/portal/login/")
    page.fill("#login-form input[name=number]", number)
    page.fill("#login-form input[name=password]", world["portal_password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal/$"))
    visit("/portal/", "h1")
    statement = world["account"].statements.order_by("-id").first()
    visit(f"/portal/statements/{statement.pk}/", "iframe")
    # the statement is in the frame, with its stylesheet (a refused one raises no event there)
    frame = page.frames[-1]
    assert "Balance" in frame.inner_text("body")
    assert frame.evaluate("document.styleSheets.length") >= 1
    visit("/portal/card/", "#card-form")
    visit("/portal/pay/", "main")

    assert {k: v for k, v in seen.items() if v} == {}
    assert console_errors == []
    assert foreign == []
