"""The customer portal in a real browser (POR-1, POR-2, BIL-5, BIL-6, BIL-8, DLQ-8), as
the customer: the set-password link read from a real SMTP server, sign-in, a statement
PDF downloaded and read, a card added and the balance paid through the test
processor, autopay turned on, and the shut-off view once portal access is disabled."""
from __future__ import annotations

import datetime as dt
import io
import os
import re
from decimal import Decimal

import pytest
from django.core.mail import get_connection

from lastmile.billing.models import LedgerEntry

SHOTS = os.environ.get("LASTMILE_SCREENSHOTS")
PASSWORD = "sunny porch 2026"


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def ana():
    from lastmile.catalog.services import catalog_load
    from lastmile.core.dayrun import run_day
    from tests.mixins import make_account

    catalog_load()
    account = make_account(name="Ana Lopez", network="wireless", service_start=dt.date(2025, 6, 5))
    run_day(dt.date(2026, 11, 1))  # the November statement: $65.00 due Nov 5
    return account


def test_por1_customer_sets_a_password_signs_in_reads_the_pdf_pays_and_turns_autopay_on(
        live_server, browser_page, ana):
    from playwright.sync_api import expect

    from lastmile.accounts.services import portal_access_set
    from lastmile.comms.services import outbox_deliver
    from lastmile.core.actors import automation
    from tests.portal.mail import SmtpServer

    pypdf = pytest.importorskip("pypdf")
    page = browser_page
    page.goto(f"{live_server.url}/portal/")
    page.click("#password-link")
    page.fill("#password-request-form input[name=number]", ana.number)
    page.fill("#password-request-form input[name=email]", "ana@example.test")
    page.click("#password-request-form button[type=submit]")
    expect(page.locator("#sent")).to_contain_text("we just emailed a link")

    with SmtpServer() as smtp:  # the outbox delivers the link over real SMTP
        connection = get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1",
                                    port=smtp.port, timeout=5)
        assert outbox_deliver(connection=connection)["sent"] >= 1
        [mail] = [m for m in smtp.inbox.messages() if "portal password" in m["Subject"]]
    assert mail["To"] == "ana@example.test"
    link = re.search(r"http://\S+/portal/password/set/\S+/", mail.get_content()).group(0)

    page.goto(link)
    page.fill("#password-set-form input[name=password]", PASSWORD)
    page.fill("#password-set-form input[name=again]", PASSWORD)
    _shot(page, "portal-password-set")
    page.click("#password-set-form button[type=submit]")
    expect(page.locator(".note")).to_contain_text("Your password is set.")
    page.fill("#login-form input[name=number]", ana.number)
    page.fill("#login-form input[name=password]", PASSWORD)
    _shot(page, "portal-login")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal/$"))
    expect(page.locator("h1")).to_have_text("Hello, Ana Lopez")
    expect(page.locator("#balance")).to_have_text("$65.00")
    _shot(page, "portal-home")

    with page.expect_download() as download_info:
        page.locator("#statements a.pdf-link").first.click()
    data = open(download_info.value.path(), "rb").read()
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    for part in ("lastmile ISP", ana.number, "12 Elm St, Orem, UT 84057", "Nov 1, 2026", "Nov 30, 2026",
                 "Amount due $65.00", "Due by Thursday, November 5, 2026", "How to pay"):
        assert part in text, part

    page.click("#card-link")
    page.fill("#card-number", "4242 4242 4242 4242")
    page.fill("#card-expiry", "12/29")
    page.click("#card-form button[type=submit]")
    expect(page.locator(".note")).to_contain_text("Card ending 4242 added; it is now your default card.")
    card = ana.cards.get()
    assert card.last4 == "4242" and card.token.startswith("tok_test_") and "4242424242" not in card.token

    page.click("#pay-link")
    _shot(page, "portal-pay")
    page.click("#pay-form button[type=submit]")
    expect(page.locator(".note")).to_contain_text("Thank you: your payment of $65.00 is posted.")
    expect(page.locator("#balance")).to_have_text("$0.00")
    expect(page.locator("#payments")).to_contain_text("$65.00")
    [payment] = LedgerEntry.objects.filter(account=ana, entry_type="payment")
    assert payment.amount == Decimal("-65.00") and payment.method == "card"

    page.click("#autopay-toggle")
    expect(page.locator("#autopay-state")).to_contain_text("Autopay is on")
    ana.refresh_from_db()
    assert ana.autopay
    _shot(page, "portal-home-paid")

    portal_access_set(account=ana, enabled=False, actor=automation("test"), reason="shut off (DLQ-8)")
    page.reload()
    expect(page.locator("#shutoff h1")).to_have_text("Your service is shut off")
    expect(page.locator("#restore")).to_have_text("Please call us at 801-555-0100 to restore service.")
    expect(page.locator("#pay-link")).to_have_count(0)
    _shot(page, "portal-shutoff")
    page.goto(f"{live_server.url}/portal/pay/")
    page.wait_for_url(re.compile(r".*/portal/$"))
    expect(page.locator("#shutoff")).to_be_visible()
