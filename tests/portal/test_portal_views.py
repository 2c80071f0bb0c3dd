"""The portal's pages (POR-1, POR-2): its own login, never a staff page, and the
shut-off view while portal access is disabled (DLQ-8)."""
from __future__ import annotations

import datetime as dt

from lastmile.accounts.services import portal_access_set
from lastmile.billing.models import LedgerEntry
from lastmile.billing.services import charge_post
from lastmile.core.actors import automation
from lastmile.core.dayrun import run_day
from lastmile.portal import services
from tests.portal.conftest import PASSWORD


def test_por1_sign_in_page_then_the_account_page(client, customer):
    assert client.get("/portal/").status_code == 302
    wrong = client.post("/portal/login/", {"number": customer.number, "password": "nope nope"})
    assert wrong.status_code == 422 and "The account number or the password is not right." in wrong.content.decode()
    ok = client.post("/portal/login/", {"number": customer.number, "password": PASSWORD})
    assert ok.status_code == 302 and ok["Location"] == "/portal/"
    page = client.get("/portal/").content.decode()
    assert "Hello, Ana Lopez" in page and "Classic" in page and 'id="balance"' in page


def test_por1_a_customer_never_reaches_a_staff_page(signed_in, customer):
    for url in ("/console/", "/admin/", "/api/v1/accounts", f"/console/accounts/{customer.number}/",
                f"/console/accounts/{customer.number}/statements/1/pdf/"):
        response = signed_in.get(url)
        assert response.status_code in (302, 401, 403), url
        assert "Hello, Ana" not in response.content.decode()


def test_por1_a_staff_session_is_nobody_in_the_portal(client, customer, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.test", "pw root 42")
    client.login(username="root", password="pw root 42")
    assert client.get("/portal/").status_code == 302
    assert client.post("/portal/login/", {"number": "root", "password": "pw root 42"}).status_code == 422


def test_por1_pay_through_the_test_processor_from_the_pay_page(signed_in, customer):
    charge_post(account=customer, kind="recurring", amount="65.00", actor="automation")
    services.card_add(account=customer, token="tok_test_9", last4="4242")
    page = signed_in.get("/portal/pay/").content.decode()
    attempt = page.split('name="attempt" value="')[1].split('"')[0]
    done = signed_in.post("/portal/pay/", {"attempt": attempt, "which": "balance"}, follow=True)
    assert "Thank you: your payment of $65.00 is posted." in done.content.decode()
    again = signed_in.post("/portal/pay/", {"attempt": attempt, "which": "balance"}, follow=True)
    assert "That payment is already posted." in again.content.decode()
    assert LedgerEntry.objects.filter(account=customer, entry_type="payment").count() == 1


def test_por1_statement_html_and_pdf(signed_in, customer):
    run_day(dt.date(2026, 10, 1))
    statement = customer.statements.first()
    assert "Amount due" in signed_in.get(f"/portal/statements/{statement.pk}/").content.decode()
    pdf = signed_in.get(f"/portal/statements/{statement.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_por2_shut_off_shows_the_balance_and_the_phone_and_takes_nothing(signed_in, customer):
    charge_post(account=customer, kind="recurring", amount="65.00", actor="automation")
    services.card_add(account=customer, token="tok_test_9", last4="4242")
    portal_access_set(account=customer, enabled=False, actor=automation("test"), reason="DLQ-8")
    page = signed_in.get("/portal/").content.decode()
    assert "$65.00" in page and "Please call us at 801-555-0100 to restore service." in page
    assert "Pay now" not in page and "Change plan" not in page
    for url in ("/portal/pay/", "/portal/plan/", "/portal/card/"):
        assert signed_in.get(url)["Location"] == "/portal/"
    posted = signed_in.post("/portal/pay/", {"attempt": "a" * 32, "which": "balance"})
    assert posted.status_code == 302 and not LedgerEntry.objects.filter(entry_type="payment").exists()
    signed_in.post("/portal/autopay/", {"enabled": "1"})
    customer.refresh_from_db()
    assert not customer.autopay


def test_pkg3_premium_plan_page_asks_first_then_shows_the_price(signed_in, customer):
    first = signed_in.get("/portal/plan/?to=premium").content.decode()
    assert "Why do you want Premium?" in first and "Do you have speed problems" in first
    preview = signed_in.get("/portal/plan/?to=premium&asked=1&reason=streaming&speed_issues=no").content.decode()
    assert "New plan: <strong>Premium</strong>, $85.00 a month." in preview
    refused = signed_in.post("/portal/plan/", {"to": "premium", "reason": "streaming", "speed_issues": "no"})
    assert refused.status_code == 422 and "Tick the box to agree" in refused.content.decode()
    done = signed_in.post("/portal/plan/", {"to": "premium", "reason": "streaming", "speed_issues": "no",
                                            "agree": "1"}, follow=True)
    assert "Done: your plan is now Premium." in done.content.decode()


def test_bil6_the_card_form_never_names_the_card_number(signed_in, settings):
    page = signed_in.get("/portal/card/").content.decode()
    assert 'id="card-number"' in page and 'name="card' not in page  # the number is not a form field
    assert 'name="token"' in page and 'name="last4"' in page
    settings.LASTMILE_PAYMENTS, settings.LASTMILE_STRIPE_PUBLISHABLE_KEY = "stripe", "pk_test_123"
    stripe_page = signed_in.get("/portal/card/").content.decode()
    assert 'id="card-element"' in stripe_page and "pk_test_123" in stripe_page
    assert 'id="card-number"' not in stripe_page
