"""Every write of the webhooks: registering endpoints (admins, `webhook.manage`),
the fan-out of timeline entries into deliveries, and their delivery.

Both automatic steps run in the minute jobs (jobs.py), never in a request and never
in the day run: `timeline.record` stays a single INSERT, and a slow receiver costs
the worker its timeout, not a customer's page.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from lastmile.core import clock, timeline
from lastmile.core.actors import Actor
from lastmile.core.errors import InvalidInput, NotFound
from lastmile.core.models import TimelineEntry

from . import http, protocol
from .events import NOT_SENT_PREFIX, parse_event_types
from .models import DeliveryStatus, FanOutCursor, WebhookAttempt, WebhookDelivery, WebhookEndpoint

CURSOR = "timeline"
FAN_OUT_BATCH = 2000  # timeline entries read per step
GAP_WAIT = dt.timedelta(minutes=10)  # how long the cursor waits at a hole in the timeline's ids
USER_AGENT = "lastmile-webhooks/1"


def timeout_seconds() -> float:
    return float(getattr(settings, "LASTMILE_WEBHOOK_TIMEOUT", 10))


def retry_window() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "LASTMILE_WEBHOOK_RETRY_HOURS", 24)))


# --- endpoints ---------------------------------------------------------------------------
def _checked_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("the address must be a full http:// or https:// URL, "
                           "such as https://example.com/lastmile-events", field="url")
    if len(url) > 500:
        raise InvalidInput("the address is longer than 500 characters", field="url")
    return url


@transaction.atomic
def endpoint_register(*, url: str, event_types, actor: Actor, description: str = "") -> WebhookEndpoint:
    """A new endpoint, with its own signing secret; it receives what happens from now
    on (the cursor of its first entry is the newest entry today)."""
    actor.require("webhook.manage", "registering a webhook")
    url = _checked_url(url)
    try:
        types = parse_event_types(event_types)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="event_types") from None
    newest = TimelineEntry.objects.aggregate(m=Max("id"))["m"] or 0
    endpoint = WebhookEndpoint.objects.create(
        url=url, description=(description or "").strip()[:200], event_types=types,
        start_after_entry_id=newest, created_at=clock.now(), created_by=str(actor))
    timeline.record("webhook.registered", account=None, actor=actor, why="webhook registered",
                    endpoint=endpoint.pk, url=url, event_types=types)
    return endpoint


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(f"there is no webhook #{endpoint_id}", field="endpoint")
    return endpoint


@transaction.atomic
def endpoint_set_active(*, endpoint_id: int, active: bool, actor: Actor) -> WebhookEndpoint:
    """Disabling stops new deliveries and holds the pending ones (their 24 hours keep
    running); enabling starts from now, without what happened while disabled."""
    actor.require("webhook.manage", "turning a webhook on or off")
    endpoint = _endpoint(endpoint_id)
    if endpoint.active == active:
        return endpoint
    endpoint.active = active
    endpoint.disabled_at = None if active else clock.now()
    if active:
        endpoint.start_after_entry_id = TimelineEntry.objects.aggregate(m=Max("id"))["m"] or 0
    endpoint.save(update_fields=["active", "disabled_at", "start_after_entry_id"])
    timeline.record("webhook.enabled" if active else "webhook.disabled", account=None, actor=actor,
                    why="webhook turned " + ("on" if active else "off"), endpoint=endpoint.pk, url=endpoint.url)
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint_id: int, actor: Actor) -> str:
    """The endpoint and its delivery log go; the timeline keeps who deleted it."""
    actor.require("webhook.manage", "deleting a webhook")
    endpoint = _endpoint(endpoint_id)
    url = endpoint.url
    WebhookAttempt.objects.filter(delivery__endpoint=endpoint).delete()
    WebhookDelivery.objects.filter(endpoint=endpoint).delete()
    endpoint.delete()
    timeline.record("webhook.deleted", account=None, actor=actor, why="webhook deleted",
                    endpoint=endpoint_id, url=url)
    return url


# --- fan-out: timeline entries -> deliveries --------------------------------------------
def _advance(cursor: FanOutCursor, ids: list[int], now: dt.datetime) -> None:
    """Move the cursor over the unbroken run of ids after it. A hole means an entry
    that may still be committed (PostgreSQL hands out ids before commit); the cursor
    waits there GAP_WAIT, then steps over it (a rolled-back transaction's id). The
    entries after the hole already have their deliveries: the wait only means they
    are looked at again, and the unique constraint keeps them single."""
    last = cursor.last_entry_id
    for pk in ids:
        if pk == last + 1:
            last = pk
            continue
        if cursor.gap_seen_at is None:
            cursor.gap_seen_at = now
        elif now - cursor.gap_seen_at >= GAP_WAIT:
            last, cursor.gap_seen_at = pk, None
            continue
        break
    else:
        cursor.gap_seen_at = None
    cursor.last_entry_id = last


def webhooks_fan_out(*, batch: int = FAN_OUT_BATCH, max_batches: int = 50) -> int:
    """One delivery per (active endpoint, new timeline entry of a type it asked for).

    Idempotent by the unique (endpoint, entry) pair: entries are read from the
    cursor on, existing pairs are skipped and a concurrent worker's inserts are
    ignored. Without an active endpoint the cursor just moves to the newest entry.
    """
    created = 0
    for _ in range(max_batches):
        made, more = _fan_out_batch(batch)
        created += made
        if not more:
            break
    return created


@transaction.atomic
def _fan_out_batch(batch: int) -> tuple[int, bool]:
    now = clock.now()
    FanOutCursor.objects.get_or_create(name=CURSOR)
    cursor = FanOutCursor.objects.select_for_update().get(name=CURSOR)
    endpoints = list(WebhookEndpoint.objects.filter(active=True).values_list(
        "pk", "event_types", "start_after_entry_id"))
    if not endpoints:
        newest = TimelineEntry.objects.aggregate(m=Max("id"))["m"] or 0
        if newest != cursor.last_entry_id or cursor.gap_seen_at:
            cursor.last_entry_id, cursor.gap_seen_at = max(newest, cursor.last_entry_id), None
            cursor.save()
        return 0, False
    floor = min(start_after for _, _, start_after in endpoints)
    if cursor.last_entry_id < floor:  # older entries are for no active endpoint: skip them unread
        cursor.last_entry_id, cursor.gap_seen_at = floor, None
        cursor.save()
    rows = list(TimelineEntry.objects.filter(pk__gt=cursor.last_entry_id).order_by("pk")
                .values_list("pk", "type")[:batch])
    if not rows:
        return 0, False
    low, high = rows[0][0], rows[-1][0]
    existing = set(WebhookDelivery.objects.filter(endpoint_id__in=[e[0] for e in endpoints],
                                                  entry_id__gte=low, entry_id__lte=high)
                   .values_list("endpoint_id", "entry_id"))
    deliveries = [
        WebhookDelivery(endpoint_id=endpoint_id, entry_id=pk, event_id=protocol.event_id(pk), event_type=type_,
                        created_at=now, next_attempt_at=now)
        for pk, type_ in rows if not type_.startswith(NOT_SENT_PREFIX)
        for endpoint_id, types, start_after in endpoints
        if pk > start_after and (endpoint_id, pk) not in existing and protocol.matches(types, type_)
    ]
    if deliveries:
        WebhookDelivery.objects.bulk_create(deliveries, batch_size=1000, ignore_conflicts=True)
    before = (cursor.last_entry_id, cursor.gap_seen_at)
    _advance(cursor, [pk for pk, _ in rows], now)
    if (cursor.last_entry_id, cursor.gap_seen_at) != before:
        cursor.save()
    # another batch only when this one was full and the cursor moved through it
    return len(deliveries), len(rows) == batch and cursor.last_entry_id == high


# --- delivery ----------------------------------------------------------------------------
def payload(entry: TimelineEntry, event_id) -> bytes:
    """The JSON body: {id, type, created, account, data}. `created` is the entry's
    time in Unix seconds, `account` the account number (null for a batch entry)."""
    body = {
        "id": str(event_id), "type": entry.type, "created": int(entry.at.timestamp()),
        "account": entry.account.number if entry.account_id else None,
        "data": entry.data,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _fail(delivery: WebhookDelivery, why: str) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=why[:500])


def webhooks_deliver(*, limit: int = 200, budget_seconds: float = 30.0) -> dict[str, int]:
    """Send the deliveries that are due, each a signed POST (protocol.py).

    A 2xx answer delivers it; anything else (another status, a refused connection,
    no answer within LASTMILE_WEBHOOK_TIMEOUT) is logged as an attempt and tried
    again with backoff (protocol.retry_at) until 24 hours after the first attempt,
    then the delivery is failed. An endpoint that fails is not tried again in the
    same run, and the run stops starting POSTs after `budget_seconds`, so one dead
    receiver cannot hold up the other minute jobs.
    """
    started = time.monotonic()
    now = clock.now()
    window, timeout = retry_window(), timeout_seconds()
    done = {"delivered": 0, "retrying": 0, "failed": 0}
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, endpoint__active=True, next_attempt_at__lte=now)
        .select_related("endpoint", "entry", "entry__account").order_by("next_attempt_at", "id")[:limit])
    failing: set[int] = set()
    for delivery in due:
        if delivery.endpoint_id in failing:
            continue
        if time.monotonic() - started > budget_seconds:
            break
        if delivery.first_attempt_at and now > delivery.first_attempt_at + window:  # past the last try
            _fail(delivery, delivery.last_error or "no answer for 24 hours")
            done["failed"] += 1
            continue
        number = delivery.attempts + 1
        claimed = WebhookDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts).update(attempts=number)
        if not claimed:  # another worker took it
            continue
        answer, ms = _send(delivery, timeout)
        at = clock.now()
        first = delivery.first_attempt_at or at
        WebhookAttempt.objects.create(delivery=delivery, number=number, at=at, response_status=answer.status,
                                      error=answer.error[:500], duration_ms=ms)
        fields = {"first_attempt_at": first, "last_attempt_at": at, "response_status": answer.status}
        if answer.ok:
            fields |= {"status": DeliveryStatus.DELIVERED, "delivered_at": at, "next_attempt_at": None,
                       "last_error": ""}
            done["delivered"] += 1
        else:
            failing.add(delivery.endpoint_id)
            retry = protocol.retry_at(first_attempt=first, attempts=number, now=at, window=window)
            fields |= {"last_error": answer.error[:500], "next_attempt_at": retry}
            if retry is None:
                fields["status"] = DeliveryStatus.FAILED
                done["failed"] += 1
            else:
                done["retrying"] += 1
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return done


def _send(delivery: WebhookDelivery, timeout: float) -> tuple[http.Answer, int]:
    body = payload(delivery.entry, delivery.event_id)
    stamp = int(clock.now().timestamp())
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        protocol.EVENT_ID_HEADER: str(delivery.event_id), protocol.EVENT_TYPE_HEADER: delivery.event_type,
        protocol.SIGNATURE_HEADER: protocol.signature_header(delivery.endpoint.secret, stamp, body),
    }
    t0 = time.monotonic()
    answer = http.post(delivery.endpoint.url, body, headers, timeout=timeout)
    return answer, int((time.monotonic() - t0) * 1000)
