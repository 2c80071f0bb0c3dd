"""Money fields refuse what is not dollars and cents (issue 15): non-finite values, exponents,
more than two decimals and amounts over the DecimalField bounds (max_digits=12, so at most
$9,999,999,999.99) are a 422 naming the field, in the API, the console and the portal."""
from __future__ import annotations

from decimal import Decimal

import pytest

from lastmile.billing.models import LedgerEntry
from lastmile.core.money import MAX_AMOUNT, MoneyError, money, money_text
from tests.mixins import make_account

pytestmark = pytest.mark.django_db

BAD = ["1e309", "1E2", "NaN", "Infinity", "-Infinity", "1.005", "99999999999.00", "12,50", "0x10", " ", "1.2.3"]
NEW = {
    "name": "Ana Lopez", "kind": "residential", "network": "utopia", "plan": "classic",
    "address": {"line1": "12 Elm St", "city": "Orem", "state": "UT", "postal_code": "84057",
                "address_id": "UT-20042"},
    "service_start": "2026-09-01", "opening_balance": "0.00", "contract": "none",
}


def _body(path_field: str, value: str) -> dict:
    """The request body with `value` at `path_field` (dots for nesting, [0] for a list)."""
    bodies = {
        "amount": {"amount": value, "method": "phone"},
        "adjustment": {"amount": value, "reason": "test"},
        "refund": {"amount": value, "method": "check", "reason": "test"},
        "installments": {"installments": [{"on": "2026-09-10", "amount": value}]},
        "claim": {"amount": value, "method": "check"},
        "opening_balance": {**NEW, "opening_balance": value},
        "contract.monthly": {**NEW, "contract": {"kind": "residential", "source": "digital",
                                                 "start": "2026-09-01", "months": 12, "monthly": value}},
        "contract.etf_override": {**NEW, "kind": "commercial", "contract": {
            "kind": "commercial", "first_billing": "2026-09-01", "months": 24, "monthly": "100.00",
            "etf_override": value}},
    }
    return bodies[path_field]


FIELDS = [  # (path, body kind, the field the 422 names)
    ("/api/v1/accounts/{n}/payments", "amount", "amount"),
    ("/api/v1/accounts/{n}/adjustments", "adjustment", "amount"),
    ("/api/v1/accounts/{n}/refunds", "refund", "amount"),
    ("/api/v1/accounts/{n}/arrangements", "installments", "amount"),
    ("/api/v1/accounts/{n}/payment-claims", "claim", "amount"),
    ("/api/v1/accounts", "opening_balance", "opening_balance"),
    ("/api/v1/accounts", "contract.monthly", "monthly"),
    ("/api/v1/accounts", "contract.etf_override", "etf_override"),
]


@pytest.fixture
def ana(today, catalog):
    return make_account(name="Ana Lopez", emails=())


@pytest.mark.parametrize("path,kind,field", FIELDS, ids=[f[1] for f in FIELDS])
def test_issue15_api_money_field_refuses_every_bad_amount_with_422_naming_it(api_as, ana, path, kind, field):
    client = api_as(superuser=True)
    before = LedgerEntry.objects.count()
    for value in BAD:
        if value == " " and kind not in ("amount", "installments"):
            continue  # an empty amount is the service's to refuse, or to take as "none given"
        response = client.post(path.format(n=ana.number), _body(kind, value))
        assert response.status_code == 422, (kind, value, response.status_code, response.content)
        detail = response.json()["detail"]
        located = detail if isinstance(detail, str) else " ".join(
            f"{'.'.join(map(str, d['loc']))} {d['msg']}" for d in detail)
        assert field in located, (kind, value, located)
    assert LedgerEntry.objects.count() == before


def test_issue15_the_issue_examples_on_payments(api_as, ana):
    client = api_as("agent")
    url = f"/api/v1/accounts/{ana.number}/payments"
    huge = client.post(url, {"amount": "1e309", "method": "phone"})
    assert huge.status_code == 422
    [error] = huge.json()["detail"]
    assert error["loc"][-1] == "amount" and "no exponent" in error["msg"]
    over = client.post(url, {"amount": "99999999999.00", "method": "phone"})
    assert over.status_code == 422 and "at most $9,999,999,999.99" in over.json()["detail"][0]["msg"]
    top = client.post(url, {"amount": str(MAX_AMOUNT), "method": "phone"})
    # the largest amount the column holds is an amount: it reaches the service, which has its say
    assert top.status_code == 422 and top.json()["field"] == "amount" and "typing error" in top.json()["detail"]
    assert client.post(url, {"amount": "65.00", "method": "phone"}).status_code == 201


def test_issue15_openapi_says_what_a_money_field_takes(api_as):
    spec = api_as("agent").get("/api/v1/openapi.json").json()
    amount = spec["components"]["schemas"]["PaymentIn"]["properties"]["amount"]
    assert amount["type"] == "string" and amount["pattern"] == r"^(-?[0-9]{1,10}(\.[0-9]{1,2})?)?$"


def test_issue15_money_text_and_money_are_pure_and_exact():
    assert money_text(" 42.50 ") == "42.50" and money_text("-3") == "-3" and money_text("") == ""
    for value in BAD[:-3]:
        with pytest.raises(MoneyError):
            money_text(value, field="amount")
    with pytest.raises(MoneyError, match="not an amount"):
        money("1e309")  # finite for Decimal, but no cents: a refusal, not InvalidOperation
    assert money("9999999999.99") == Decimal("9999999999.99")


@pytest.mark.parametrize("value", ["1e309", "1E2", "NaN", "1.005", "99999999999.00"])
def test_issue15_console_payment_form_refuses(client, ana, value):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", "r@example.test", "pw"))
    response = client.post(f"/console/accounts/{ana.number}/payment/", {"amount": value, "method": "phone"})
    assert response.status_code == 422, (value, response.status_code)
    assert b"dollars and cents" in response.content
    assert not LedgerEntry.objects.filter(account=ana, kind="payment").exists()


@pytest.mark.parametrize("value", ["1e309", "1E2", "NaN", "Infinity", "1.005", "99999999999.00"])
def test_issue15_portal_payment_refuses(client, today, catalog, value):
    from lastmile.portal import services

    account = make_account(name="Ana Lopez", network="wireless")
    services.card_add(account=account, token="tok_test_9", last4="4242")
    session = client.session
    session["portal_account"] = account.pk
    session.save()
    response = client.post("/portal/pay/", {"which": "other", "amount": value, "attempt": "a" * 32})
    assert response.status_code == 422, (value, response.status_code)
    assert b"dollars and cents" in response.content or b"at most" in response.content
