"""`POST /webhooks/stripe/`: Stripe tells lastmile what became of a PaymentIntent.

CSRF-exempt (Stripe cannot send Django's token); instead each delivery is verified
with the endpoint's signing secret (`stripe.Webhook.construct_event`): a bad or
missing signature is a 400 and nothing is read. Deliveries repeat (Stripe retries
until it gets a 2xx), so posting is keyed by the PaymentIntent id.
"""
from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .services import webhook_event_handle


@csrf_exempt
@require_POST
def stripe_webhook(request):
    import stripe

    secret = getattr(settings, "LASTMILE_STRIPE_WEBHOOK_SECRET", "")
    if not secret:
        return HttpResponse("the webhook signing secret is not configured (LASTMILE_STRIPE_WEBHOOK_SECRET)",
                            status=400, content_type="text/plain")
    payload = request.body
    try:
        stripe.Webhook.construct_event(payload, request.headers.get("Stripe-Signature", ""), secret)
    except stripe.SignatureVerificationError:
        return HttpResponse("bad signature", status=400, content_type="text/plain")
    except ValueError:
        return HttpResponse("not a JSON event", status=400, content_type="text/plain")
    event = json.loads(payload)
    outcome = webhook_event_handle(event=event)
    return JsonResponse({"received": True, "outcome": outcome})
