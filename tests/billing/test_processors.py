"""The processor adapter (BIL-5, BIL-6, POR-1): the test processor stays the default;
Stripe is driven through the official SDK against a loopback server (never a real
host): a success, a decline, a timeout, a webhook delivered twice and a bad signature."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lastmile.accounts.services import card_add
from lastmile.billing.models import LedgerEntry
from lastmile.billing.processors import processor
from lastmile.billing.processors.models import AttemptStatus, ProcessorPayment
from lastmile.billing.processors.services import card_payment_take
from lastmile.billing.processors.test import TestProcessor
from lastmile.billing.services import charge_post
from lastmile.core.actors import automation
from lastmile.core.models import TimelineEntry
from tests.billing.stripe_loopback import FakeStripe, event, payment_intent, signed
from tests.mixins import make_account

WEBHOOK_SECRET = "whsec_test_loopback"


@pytest.fixture
def fake_stripe(settings):
    with FakeStripe() as fake:
        settings.LASTMILE_PAYMENTS = "stripe"
        settings.LASTMILE_STRIPE_SECRET_KEY = "sk_test_loopback"
        settings.LASTMILE_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.LASTMILE_STRIPE_API_BASE = fake.url
        settings.LASTMILE_STRIPE_TIMEOUT = 0.3
        yield fake


@pytest.fixture
def ana(db, today, catalog):
    account = make_account(service_start=dt.date(2025, 6, 5))
    charge_post(account=account, kind="recurring", amount="65.00", actor="automation", description="September")
    return account


def _card(account, token):
    return card_add(account=account, token=token, last4="4242", actor=automation("test"))


def _payments(account):
    return list(LedgerEntry.objects.filter(account=account, entry_type="payment"))


def test_the_test_processor_is_the_default(settings):
    settings.LASTMILE_PAYMENTS = "test"
    assert isinstance(processor(), TestProcessor)
    result = processor().charge(token="tok_test_4242", amount=Decimal("1.00"), idempotency_key="k1")
    assert result.approved and result.reference == processor().charge(
        token="tok_test_4242", amount=Decimal("1.00"), idempotency_key="k1").reference
    assert not processor().charge(token="decline_0002", amount=Decimal("1.00"), idempotency_key="k2").approved


def test_an_unknown_processor_is_refused_with_a_sentence(settings):
    settings.LASTMILE_PAYMENTS = "paypal"
    with pytest.raises(RuntimeError, match="LASTMILE_PAYMENTS='paypal' is not a processor; use test or stripe"):
        processor()


def test_stripe_success_posts_the_payment_with_the_payment_intent_and_one_idempotency_key(fake_stripe, ana):
    card = _card(ana, "pm_card_visa")
    result, entry = card_payment_take(account=ana, amount=Decimal("65.00"), card=card,
                                      idempotency_key="portal:1:abc", actor=automation("test"))
    assert result.approved and result.reference.startswith("pi_")
    assert entry.amount == Decimal("-65.00") and entry.reference == result.reference and entry.method == "card"
    [request] = fake_stripe.requests
    assert request["headers"]["Idempotency-Key"] == "portal:1:abc"
    assert request["params"]["amount"] == "6500" and request["params"]["currency"] == "usd"
    assert request["params"]["payment_method"] == "pm_card_visa" and request["params"]["confirm"] == "true"
    assert request["params"]["metadata"]["account"] == ana.number
    assert "4242424242424242" not in request["body"]  # BIL-6: only the token travels
    row = ProcessorPayment.objects.get()
    assert (row.intent_id, row.status, row.entry_id) == (result.reference, AttemptStatus.SUCCEEDED, entry.pk)


def test_stripe_decline_posts_nothing_and_says_why(fake_stripe, ana):
    card = _card(ana, "pm_card_chargeDeclined")
    result, entry = card_payment_take(account=ana, amount=Decimal("65.00"), card=card,
                                      idempotency_key="portal:1:dec", actor=automation("test"))
    assert entry is None and not result.approved and not result.pending
    assert result.message == "the card was declined: Your card was declined"
    assert result.code == "generic_decline" and result.reference.startswith("pi_")
    assert _payments(ana) == []
    declined = TimelineEntry.objects.get(account=ana, type="payment.declined")
    assert declined.data["reason"] == "the card was declined: Your card was declined"
    assert ProcessorPayment.objects.get().status == AttemptStatus.DECLINED


def test_stripe_timeout_is_pending_and_the_retry_carries_the_same_key(fake_stripe, ana):
    card = _card(ana, "pm_card_slow")
    result, entry = card_payment_take(account=ana, amount=Decimal("65.00"), card=card,
                                      idempotency_key="portal:1:slow", actor=automation("test"))
    assert entry is None and result.pending and not result.approved
    assert "did not answer in time" in result.message
    keys = {r["headers"]["Idempotency-Key"] for r in fake_stripe.requests}
    assert keys == {"portal:1:slow"} and len(fake_stripe.requests) == 2  # one retry, same key
    assert _payments(ana) == []
    assert not TimelineEntry.objects.filter(type="payment.declined").exists()
    assert ProcessorPayment.objects.get().status == AttemptStatus.PENDING


def _deliver(client, payload, secret=WEBHOOK_SECRET):
    return client.post("/webhooks/stripe/", data=payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=signed(payload, secret))


def test_a_webhook_delivered_twice_after_a_timeout_posts_one_payment(fake_stripe, ana, client):
    card = _card(ana, "pm_card_slow")
    card_payment_take(account=ana, amount=Decimal("65.00"), card=card, idempotency_key="portal:1:slow",
                      actor=automation("test"))
    intent = payment_intent("pi_3Late000001", {"amount": "6500", "currency": "usd", "metadata": {
        "account": ana.number, "attempt": "portal:1:slow", "purpose": "portal"}}, "succeeded")
    payload = event("payment_intent.succeeded", intent)
    first = _deliver(client, payload)
    second = _deliver(client, payload)
    assert (first.status_code, first.json()["outcome"]) == (200, "posted")
    assert (second.status_code, second.json()["outcome"]) == (200, "already posted")
    [payment] = _payments(ana)
    assert payment.amount == Decimal("-65.00") and payment.reference == "pi_3Late000001"
    row = ProcessorPayment.objects.get()
    assert (row.intent_id, row.status, row.entry_id) == ("pi_3Late000001", AttemptStatus.SUCCEEDED, payment.pk)


def test_a_webhook_for_a_payment_already_posted_posts_nothing(fake_stripe, ana, client):
    card = _card(ana, "pm_card_visa")
    result, _entry = card_payment_take(account=ana, amount=Decimal("65.00"), card=card,
                                       idempotency_key="portal:1:ok", actor=automation("test"))
    payload = event("payment_intent.succeeded", result.raw)
    assert _deliver(client, payload).json()["outcome"] == "already posted"
    assert _deliver(client, payload).json()["outcome"] == "already posted"
    assert len(_payments(ana)) == 1


def test_a_webhook_with_a_bad_signature_is_refused_with_400(fake_stripe, ana, client):
    intent = payment_intent("pi_3Forged00001", {"amount": "6500", "metadata": {"account": ana.number}}, "succeeded")
    payload = event("payment_intent.succeeded", intent)
    forged = _deliver(client, payload, secret="whsec_someone_else")
    unsigned = client.post("/webhooks/stripe/", data=payload, content_type="application/json")
    assert (forged.status_code, forged.content) == (400, b"bad signature")
    assert unsigned.status_code == 400
    assert _payments(ana) == [] and not ProcessorPayment.objects.exists()


def test_a_webhook_for_an_intent_never_seen_posts_once_by_its_intent_id(fake_stripe, ana, client):
    intent = payment_intent("pi_3Fresh00001", {"amount": "2000", "metadata": {"account": ana.number}}, "succeeded")
    payload = event("payment_intent.succeeded", intent)
    assert _deliver(client, payload).json()["outcome"] == "posted"
    assert _deliver(client, payload).json()["outcome"] == "already posted"
    [payment] = _payments(ana)
    assert payment.amount == Decimal("-20.00") and payment.key == "stripe:pi_3Fresh00001"


def test_bil5_autopay_through_stripe_charges_off_session_once(fake_stripe, ana, today):
    from lastmile.accounts.services import autopay_enable
    from lastmile.core.dayrun import run_day

    _card(ana, "cus_Test1:pm_card_visa")
    autopay_enable(account=ana, actor=automation("test"))
    run_day(dt.date(2026, 10, 1))
    run_day(dt.date(2026, 10, 5))
    run_day(dt.date(2026, 10, 5))
    [request] = fake_stripe.requests
    assert request["params"]["off_session"] == "true" and request["params"]["customer"] == "cus_Test1"
    assert request["headers"]["Idempotency-Key"].startswith("autopay:")
    [payment] = _payments(ana)
    assert payment.key == request["headers"]["Idempotency-Key"] and payment.method == "card"
