"""Reads of the webhooks' pages: the endpoints and the delivery log."""
from __future__ import annotations

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

LOG_ROWS = 50


def endpoint_list() -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.order_by("-active", "id"))


def endpoint_get(*, endpoint_id: int) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(pk=endpoint_id).first()


def delivery_log(*, endpoint_id: int | None = None, limit: int = LOG_ROWS) -> list[WebhookDelivery]:
    """Newest first, with the endpoint and the account for the row."""
    qs = WebhookDelivery.objects.select_related("endpoint", "entry__account").order_by("-id")
    if endpoint_id is not None:
        qs = qs.filter(endpoint_id=endpoint_id)
    return list(qs[:limit])


def attempts_of(*, delivery_id: int) -> list[WebhookAttempt]:
    return list(WebhookAttempt.objects.filter(delivery_id=delivery_id).order_by("number"))


def delivery_get(*, delivery_id: int) -> WebhookDelivery | None:
    return WebhookDelivery.objects.select_related("endpoint", "entry__account").filter(pk=delivery_id).first()
