"""A statement in the console (issue 10): its lines, what was paid against it and
when, its state as of today (open, partly paid, past due, paid), a PDF and a page
that prints; the account page lists statements with their state."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from lastmile.billing.billrun import bill_run
from lastmile.billing.models import Statement
from lastmile.billing.services import payment_post
from lastmile.core.actors import superuser
from tests.mixins import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(today, catalog):
    """Ana (Classic, $65) billed on Sep 1, due Sep 5."""
    ana = make_account()
    assert bill_run(as_of=dt.date(2026, 9, 1)) == 1
    return ana, Statement.objects.get(account=ana)


def _page(client, account, statement) -> str:
    response = client.get(reverse("console:statement", args=[account.number, statement.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _state(page: str) -> str:
    return re.search(r'id="statement-state">([^<]+)<', page).group(1)


def test_a_statement_shows_its_lines_payments_and_state_as_days_pass(console_as, billed, today):
    ana, statement = billed
    client = console_as("agent")
    page = _page(client, ana, statement)
    assert _state(page) == "Open"
    assert 'id="statement-amount-due">$65.00<' in page
    lines = page[page.index('id="statement-lines"'):page.index("</table>", page.index('id="statement-lines"'))]
    assert "$65.00" in lines and "Earlier balance" in lines
    assert "Nothing has been paid against this statement yet." in page

    today.set_day(dt.date(2026, 9, 3))
    payment_post(account=ana, amount="30.00", method="phone", actor=superuser("test"), reference="call 9/3")
    page = _page(client, ana, statement)
    assert _state(page) == "Partly paid"
    assert 'id="statement-paid">$30.00<' in page and 'id="statement-left">$35.00<' in page
    payments = page[page.index('id="statement-payments"'):]
    assert "Sep 3, 2026" in payments and "by phone" in payments and "call 9/3" in payments
    assert "$30.00" in payments

    today.set_day(dt.date(2026, 9, 5))
    assert _state(_page(client, ana, statement)) == "Partly paid"  # due today: not late yet
    today.set_day(dt.date(2026, 9, 6))
    page = _page(client, ana, statement)
    assert _state(page) == "Past due" and "$35.00 of it is still owed" in page

    today.set_day(dt.date(2026, 9, 8))
    payment_post(account=ana, amount="35.00", method="check", actor=superuser("test"))
    page = _page(client, ana, statement)
    assert _state(page) == "Paid" and "Paid in full." in page
    payments = page[page.index('id="statement-payments"'):]
    assert "Sep 3, 2026" in payments and "Sep 8, 2026" in payments and "by check" in payments


def test_a_payment_is_split_between_two_statements(console_as, billed, today):
    """BIL-4: the oldest charge is paid first; the rest goes to the next statement."""
    ana, september = billed
    today.set_day(dt.date(2026, 10, 1))
    bill_run(as_of=dt.date(2026, 10, 1))
    october = Statement.objects.get(account=ana, period_start=dt.date(2026, 10, 1))
    assert october.amount_due == 130
    today.set_day(dt.date(2026, 10, 3))
    payment_post(account=ana, amount="100.00", method="card", actor=superuser("test"))
    client = console_as("agent")
    assert _state(_page(client, ana, september)) == "Paid"
    page = _page(client, ana, october)
    assert _state(page) == "Partly paid"
    assert 'id="statement-paid">$100.00<' in page and 'id="statement-left">$30.00<' in page


def test_the_page_prints_and_links_the_pdf_without_inline_code(console_as, billed):
    ana, statement = billed
    page = _page(console_as("agent"), ana, statement)
    assert reverse("console:statement_pdf", args=[ana.number, statement.pk]) in page
    assert 'href="/static/console/statements.css"' in page and 'src="/static/console/statements.js"' in page
    assert 'data-print' in page
    assert " style=" not in page and "<style" not in page and not re.search(r"\son[a-z]+=", page)
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", page)


def test_the_print_stylesheet_hides_the_console_around_the_statement():
    from django.contrib.staticfiles import finders

    css = open(finders.find("console/statements.css")).read()
    media = css[css.index("@media print"):]
    assert "header.top" in media and ".no-print" in media and "display:none" in media


def test_the_account_page_lists_statements_with_their_state(console_as, billed, today):
    ana, statement = billed
    today.set_day(dt.date(2026, 9, 6))
    page = console_as("agent").get(reverse("console:account", args=[ana.number])).content.decode()
    row = re.search(rf'<tr data-statement="{statement.pk}" data-state="past_due">(.*?)</tr>', page, re.S)
    assert row is not None
    assert reverse("console:statement", args=[ana.number, statement.pk]) in row.group(1)
    assert "Past due" in row.group(1) and "$65.00" in row.group(1)


def test_a_statement_needs_a_login_and_belongs_to_its_account(console_as, billed, catalog):
    ana, statement = billed
    url = reverse("console:statement", args=[ana.number, statement.pk])
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    bob = make_account(name="Bob Reyes", phones=["801-555-0199"], emails=["bob@example.test"])
    client = console_as("agent")
    assert client.get(reverse("console:statement", args=[bob.number, statement.pk])).status_code == 404
    assert client.get(reverse("console:statement", args=[ana.number, 999999])).status_code == 404
