"""Stripe behind the adapter: one PaymentIntent per attempt (portal and autopay).

The token is a PaymentMethod id created in the customer's browser by Stripe.js
(`pm_...`), optionally with its Customer (`cus_...:pm_...`) for an off-session
autopay charge. Every create carries the attempt's idempotency key, and the SDK
retries a lost answer with that same key, so a timeout never charges twice. An
answer that never comes is `pending`: the webhook (`webhooks.py`) posts the payment
when Stripe tells us it succeeded, once, keyed by the PaymentIntent id.

Settings (environment): LASTMILE_STRIPE_SECRET_KEY, LASTMILE_STRIPE_WEBHOOK_SECRET,
LASTMILE_STRIPE_API_BASE (tests point it at a loopback server), LASTMILE_STRIPE_TIMEOUT.
"""
from __future__ import annotations

from decimal import Decimal

import stripe as stripe_sdk

from .base import ChargeResult, Processor, cents

CURRENCY = "usd"


class StripeProcessor(Processor):
    name = "stripe"

    def __init__(self, *, secret_key: str, api_base: str = "", timeout: float = 30.0,
                 max_network_retries: int = 1):
        if not secret_key:
            raise RuntimeError("LASTMILE_PAYMENTS=stripe needs LASTMILE_STRIPE_SECRET_KEY")
        self.client = stripe_sdk.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=stripe_sdk.RequestsClient(timeout=timeout),
            max_network_retries=max_network_retries,
        )

    @classmethod
    def from_settings(cls) -> StripeProcessor:
        from django.conf import settings

        return cls(
            secret_key=getattr(settings, "LASTMILE_STRIPE_SECRET_KEY", ""),
            api_base=getattr(settings, "LASTMILE_STRIPE_API_BASE", ""),
            timeout=float(getattr(settings, "LASTMILE_STRIPE_TIMEOUT", 30.0)),
        )

    def charge(self, *, token: str, amount: Decimal, idempotency_key: str,
               description: str = "", metadata: dict | None = None,
               off_session: bool = False) -> ChargeResult:
        customer, _, method = token.rpartition(":")
        params: dict = {
            "amount": cents(amount), "currency": CURRENCY, "payment_method": method,
            "confirm": True, "description": description[:300],
            "metadata": {k: str(v) for k, v in (metadata or {}).items()},
            # no redirect-based methods: lastmile has no return page for them
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        }
        if customer:
            params["customer"] = customer
        if off_session:
            params["off_session"] = True
        try:
            intent = self.client.v1.payment_intents.create(
                params=params, options={"idempotency_key": idempotency_key})
        except stripe_sdk.CardError as exc:
            err = (exc.json_body or {}).get("error", {}) if isinstance(exc.json_body, dict) else {}
            pi = err.get("payment_intent") or {}
            return ChargeResult(False, pi.get("id", ""), _decline_sentence(exc, err),
                                code=err.get("decline_code") or err.get("code") or "card_declined")
        except stripe_sdk.APIConnectionError:
            return ChargeResult(False, "", "the card processor did not answer in time; the payment "
                                "is not confirmed yet and will show once the processor confirms it",
                                pending=True, code="timeout")
        return _from_intent(intent.to_dict() if hasattr(intent, "to_dict") else dict(intent))

    @classmethod
    def token_hint(cls) -> str:
        return "Your card goes straight to Stripe from your browser; lastmile keeps only Stripe's token."


def _decline_sentence(exc, err: dict) -> str:
    message = err.get("message") or getattr(exc, "user_message", None) or "the card was declined"
    return f"the card was declined: {message.rstrip('.')}"


def _from_intent(intent: dict) -> ChargeResult:
    status = intent.get("status")
    ref = intent.get("id", "")
    raw = intent
    if status == "succeeded":
        return ChargeResult(True, ref, raw=raw)
    if status == "processing":
        return ChargeResult(False, ref, "the card processor is still processing the payment; it will "
                            "show once it is confirmed", pending=True, code="processing", raw=raw)
    if status == "requires_action":
        return ChargeResult(False, ref, "the card needs the cardholder's authentication, which this "
                            "payment cannot ask for; use another card", code="requires_action", raw=raw)
    error = intent.get("last_payment_error") or {}
    message = error.get("message") or f"the payment ended as {status}"
    return ChargeResult(False, ref, f"the card was declined: {message.rstrip('.')}",
                        code=error.get("decline_code") or error.get("code") or str(status), raw=raw)
