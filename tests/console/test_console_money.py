"""The console's ledger page and corrections (BIL-7, AUD-1): each correction is two
steps (the answers, then the confirmation), refusals show the service's sentence,
and the ledger shows what undid each entry."""
from __future__ import annotations

from decimal import Decimal

import pytest

from lastmile.billing import selectors
from lastmile.billing.billrun import bill_run
from lastmile.billing.models import LedgerEntry
from lastmile.billing.services import charge_post, payment_post
from lastmile.core.actors import superuser
from tests.mixins import make_account

pytestmark = pytest.mark.django_db


def _another(name: str, address_id: str):
    """A second account at its own address (a UTOPIA address ID belongs to one account)."""
    import datetime as _dt

    from lastmile.accounts.services import account_create
    from lastmile.catalog.models import Package

    return account_create(
        name=name, kind="residential", network="utopia", package=Package.objects.get(code="classic"),
        address={"line1": f"{address_id} Main St", "city": "Orem", "state": "UT", "postal_code": "84057",
                 "address_id": address_id},
        phones=["801-555-0199"], emails=[f"{address_id.lower()}@example.test"],
        service_start=_dt.date(2025, 6, 5), actor=superuser("test"))


@pytest.fixture
def ana(today, catalog):
    return make_account(name="Ana Lopez")


def _url(account, tail=""):
    return f"/console/accounts/{account.number}/ledger/{tail}"


def test_bil7_account_page_links_the_ledger(console_as, ana):
    page = console_as("agent").get(f"/console/accounts/{ana.number}/")
    assert f'href="{_url(ana)}"' in page.content.decode()
    assert "Ledger and corrections" in page.content.decode()


def test_bil7_ledger_lists_entries_with_running_balance_and_fitting_actions(console_as, ana, today):
    bill_run(as_of=today.now().date())
    recurring = LedgerEntry.objects.get(account=ana, kind="recurring")
    payment = payment_post(account=ana, amount="65.00", method="check", actor=superuser(), reference="chk 9")
    page = console_as("agent").get(_url(ana))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Monthly service" in html and "ref chk 9" in html
    assert f'href="{_url(ana, f"{recurring.pk}/void/")}"' in html
    assert f'href="{_url(ana, f"{recurring.pk}/adjust/")}"' in html
    assert f'href="{_url(ana, f"{payment.pk}/reverse/")}"' in html
    assert f'href="{_url(ana, f"{payment.pk}/void/")}"' not in html  # a payment is reversed, not voided
    rows = [r["running"] for r in selectors.ledger_rows(account=ana)]
    assert rows == [Decimal("65.00"), Decimal("0.00")]
    assert 'id="refund-form"' not in html  # no credit, nothing to refund


def test_bil7_adjustment_is_confirmed_before_it_is_posted(console_as, ana):
    client = console_as("agent")
    first = client.post(_url(ana, "adjust/"), {"direction": "credit", "amount": "20.00", "reason": "outage"})
    assert first.status_code == 200
    html = first.content.decode()
    assert "Credit $20.00, because: outage. The balance goes from $0.00 to -$20.00." in html
    assert 'name="step" value="confirm"' in html
    assert not LedgerEntry.objects.filter(account=ana).exists()
    unticked = client.post(_url(ana, "adjust/"), {"direction": "credit", "amount": "20.00", "reason": "outage",
                                                  "step": "confirm"})
    assert unticked.status_code == 422 and "Tick the box to confirm." in unticked.content.decode()
    done = client.post(_url(ana, "adjust/"), {"direction": "credit", "amount": "20.00", "reason": "outage",
                                              "step": "confirm", "confirm": "on"})
    assert done.status_code == 302 and done["Location"] == _url(ana)
    entry = LedgerEntry.objects.get(account=ana)
    assert (entry.amount, entry.reason, entry.actor) == (Decimal("-20.00"), "outage", client.user.username)
    page = client.get(_url(ana))
    assert "Adjustment posted." in page.content.decode()
    assert 'id="refund-form"' in page.content.decode()  # a credit now: refund offered


def test_bil7_agent_refused_above_the_limit_sees_the_sentence_manager_posts(console_as, ana):
    data = {"direction": "credit", "amount": "250.00", "reason": "goodwill"}
    refused = console_as("agent").post(_url(ana, "adjust/"), data)
    assert refused.status_code == 403
    assert "a correction of $250.00 is above $100.00 and needs a manager" in refused.content.decode()
    manager = console_as("manager")
    assert manager.post(_url(ana, "adjust/"), data).status_code == 200
    done = manager.post(_url(ana, "adjust/"), {**data, "step": "confirm", "confirm": "on"})
    assert done.status_code == 302
    assert selectors.balance(account=ana) == Decimal("-250.00")


def test_bil7_adjustment_needs_a_reason(console_as, ana):
    response = console_as("agent").post(_url(ana, "adjust/"), {"direction": "charge", "amount": "5.00"})
    assert response.status_code == 422
    assert "Say why: the reason stays on the ledger." in response.content.decode()


def test_bil7_adjust_one_charge(console_as, ana, today):
    bill_run(as_of=today.now().date())
    recurring = LedgerEntry.objects.get(account=ana, kind="recurring")
    client = console_as("billing")
    page = client.get(_url(ana, f"{recurring.pk}/adjust/"))
    assert "Adjust the monthly service of" in page.content.decode()
    client.post(_url(ana, f"{recurring.pk}/adjust/"), {"direction": "credit", "amount": "10.00", "reason": "slow",
                                                       "step": "confirm", "confirm": "on"})
    assert LedgerEntry.objects.get(account=ana, kind="adjustment").corrects_id == recurring.pk


def test_bil7_void_a_charge_with_confirmation(console_as, ana):
    fee = charge_post(account=ana, kind="equipment_fee", amount="25.00", actor="automation")
    client = console_as("agent")
    step1 = client.post(_url(ana, f"{fee.pk}/void/"), {"reason": "returned"})
    assert "Void the equipment replacement fee of $25.00" in step1.content.decode()
    client.post(_url(ana, f"{fee.pk}/void/"), {"reason": "returned", "step": "confirm", "confirm": "on"})
    assert LedgerEntry.objects.filter(voids=fee).exists()
    html = client.get(_url(ana)).content.decode()
    assert "Voided" in html and "returned" in html
    assert f'href="{_url(ana, f"{fee.pk}/void/")}"' not in html


def test_bil7_void_of_a_payment_shows_the_sentence(console_as, ana):
    payment = payment_post(account=ana, amount="10.00", method="check", actor=superuser())
    response = console_as("agent").post(_url(ana, f"{payment.pk}/void/"), {"reason": "bounced"})
    assert response.status_code == 409
    assert "a payment is not voided" in response.content.decode()
    assert "can be reversed instead (returned check, NSF or chargeback)" in response.content.decode()


def test_bil7_reverse_a_payment_reopens_the_balance(console_as, ana, today):
    bill_run(as_of=today.now().date())
    payment = payment_post(account=ana, amount="65.00", method="check", actor=superuser())
    client = console_as("billing")
    step1 = client.post(_url(ana, f"{payment.pk}/reverse/"), {"reason_code": "returned_check", "note": "stamp"})
    assert "Reverse the payment of $65.00" in step1.content.decode()
    assert "The balance goes from $0.00 to $65.00." in step1.content.decode()
    done = client.post(_url(ana, f"{payment.pk}/reverse/"), {"reason_code": "returned_check", "note": "stamp",
                                                             "step": "confirm", "confirm": "on"})
    assert done.status_code == 302
    assert selectors.balance(account=ana) == Decimal("65.00")
    html = client.get(_url(ana)).content.decode()
    assert "Reversed" in html and "Returned check: stamp" in html
    again = client.post(_url(ana, f"{payment.pk}/reverse/"), {"reason_code": "nsf"})
    assert again.status_code == 409 and "a payment is reversed once" in again.content.decode()


def test_bil7_refund_above_the_credit_is_refused_with_the_sentence(console_as, ana):
    payment_post(account=ana, amount="30.00", method="check", actor=superuser())
    client = console_as("agent")
    refused = client.post(_url(ana, "refund/"), {"amount": "31.00", "method": "check", "reason": "moving"})
    assert refused.status_code == 409
    assert "a refund of $31.00 is more than the credit balance ($30.00); refund at most $30.00" in \
        refused.content.decode()
    client.post(_url(ana, "refund/"), {"amount": "30.00", "method": "check", "reason": "moving",
                                       "step": "confirm", "confirm": "on"})
    assert selectors.balance(account=ana) == Decimal("0.00")


def test_bil7_payment_form_refuses_a_typing_error_with_the_sentence(console_as, ana):
    response = console_as("agent").post(f"/console/accounts/{ana.number}/payment/",
                                        {"amount": "9999999999.00", "method": "phone"})  # within the column (issue 15)
    assert response.status_code == 422
    assert ("$9,999,999,999.00 is more than the balance ($0.00) plus $1,000.00: probably a typing error; "
            "check the amount") in response.content.decode()
    assert not LedgerEntry.objects.filter(account=ana).exists()


def test_bil7_ledger_of_another_account_entry_is_404(console_as, ana, catalog):
    other = _another("Bo", "UT-20001")
    fee = charge_post(account=other, kind="etf", amount="5.00", actor="automation")
    assert console_as("agent").get(_url(ana, f"{fee.pk}/void/")).status_code == 404


def test_bil7_refusals_come_before_the_confirmation(console_as, ana):
    """A zero adjustment or a refund with no credit is refused at the first step, not after confirming."""
    client = console_as("agent")
    zero = client.post(_url(ana, "adjust/"), {"direction": "credit", "amount": "0.00", "reason": "x"})
    assert zero.status_code == 422
    assert "an adjustment of $0.00 changes nothing" in zero.content.decode()
    assert 'name="step" value="confirm"' not in zero.content.decode()
    none = client.post(_url(ana, "refund/"), {"amount": "5.00", "method": "check", "reason": "x"})
    assert none.status_code == 409
    assert "there is no credit balance to refund: the balance is $0.00" in none.content.decode()
