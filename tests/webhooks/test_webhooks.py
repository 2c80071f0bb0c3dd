"""Outbound webhooks (issue 11): timeline entries fanned out into deliveries by the
minute job, each a signed POST retried with backoff for 24 hours, against a loopback
receiver speaking plain HTTP."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings

from lastmile.core import timeline
from lastmile.core.actors import with_role
from lastmile.core.errors import InvalidInput, PermissionRefused
from lastmile.core.models import TimelineEntry
from lastmile.core.periodic import run_periodic
from lastmile.webhooks import protocol, services
from lastmile.webhooks.models import DeliveryStatus, FanOutCursor, WebhookAttempt, WebhookDelivery
from lastmile.webhooks.protocol import verify_signature
from tests.mixins import make_account
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db
ADMIN = with_role("admin", "Ada Admin")


@pytest.fixture
def ana(today, catalog):
    return make_account(name="Ana Lopez")


def _payment(account, amount="65.00"):
    return timeline.record("payment.posted", account=account, actor="test", amount=amount, method="card")


def test_a_receiver_that_fails_twice_gets_one_delivery_after_three_attempts_with_backoff(today, ana):
    with Receiver(500, 500, 200) as receiver:
        endpoint = services.endpoint_register(url=receiver.url, event_types="payment.posted", actor=ADMIN)
        entry = _payment(ana)
        assert services.webhooks_fan_out() == 1
        t0 = today.now()

        assert services.webhooks_deliver() == {"delivered": 0, "retrying": 1, "failed": 0}
        delivery = WebhookDelivery.objects.get()
        assert delivery.next_attempt_at == t0 + dt.timedelta(minutes=1) and delivery.response_status == 500

        today.advance(seconds=30)  # not yet due: nothing is sent
        assert services.webhooks_deliver() == {"delivered": 0, "retrying": 0, "failed": 0}
        today.advance(seconds=30)
        assert services.webhooks_deliver()["retrying"] == 1
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == t0 + dt.timedelta(minutes=1 + 2)  # doubled

        today.advance(minutes=2)
        assert services.webhooks_deliver() == {"delivered": 1, "retrying": 0, "failed": 0}
        assert services.webhooks_deliver() == {"delivered": 0, "retrying": 0, "failed": 0}

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3
    assert delivery.delivered_at == t0 + dt.timedelta(minutes=3) and delivery.next_attempt_at is None
    log = list(WebhookAttempt.objects.filter(delivery=delivery))
    assert [(a.number, a.response_status) for a in log] == [(1, 500), (2, 500), (3, 200)]
    assert [a.at - t0 for a in log] == [dt.timedelta(0), dt.timedelta(minutes=1), dt.timedelta(minutes=3)]
    assert receiver.answered == [500, 500, 200]

    # one event id on every try, the body carries it, and every signature verifies
    ids = {r["headers"]["Lastmile-Event-Id"] for r in receiver.requests}
    assert ids == {str(protocol.event_id(entry.pk))}
    body = json.loads(receiver.requests[-1]["body"])
    assert body == {"id": str(protocol.event_id(entry.pk)), "type": "payment.posted",
                    "created": int(entry.at.timestamp()), "account": ana.number,
                    "data": {"amount": "65.00", "method": "card"}}
    for request, at in zip(receiver.requests, log, strict=True):
        header = request["headers"]["Lastmile-Signature"]
        assert header.startswith(f"t={int(at.at.timestamp())},v1=")
        assert verify_signature(endpoint.secret, header, request["body"], 300, now=at.at.timestamp())


def test_signature_refuses_a_changed_body_another_secret_and_an_old_timestamp():
    body = b'{"id":"1","type":"payment.posted"}'
    header = protocol.signature_header("whsec_a", 1_790_000_000, body)
    assert verify_signature("whsec_a", header, body, 300, now=1_790_000_100)
    assert verify_signature("whsec_a", header, body.decode(), 300, now=1_790_000_100)  # str body too
    assert not verify_signature("whsec_a", header, body + b" ", 300, now=1_790_000_100)
    assert not verify_signature("whsec_b", header, body, 300, now=1_790_000_100)
    assert not verify_signature("whsec_a", header, body, 300, now=1_790_000_301)  # replayed later
    assert not verify_signature("whsec_a", "v1=" + header.split("v1=")[1], body, 300, now=1_790_000_000)
    assert not verify_signature("whsec_a", "", body)
    # a rotated secret: one of two signatures matching is enough
    both = header + ",v1=" + protocol.sign("whsec_new", 1_790_000_000, body)
    assert verify_signature("whsec_new", both, body, 300, now=1_790_000_000)


def test_fan_out_twice_or_after_a_lost_cursor_creates_no_second_delivery(today, ana):
    endpoint = services.endpoint_register(url="http://127.0.0.1:9/x", event_types="*", actor=ADMIN)
    second = services.endpoint_register(url="http://127.0.0.1:9/y", event_types=["payment.*"], actor=ADMIN)
    _payment(ana)
    timeline.record("ticket.opened", account=ana, actor="test", kind="delinquency")
    assert services.webhooks_fan_out() == 3  # both to "*", the payment to "payment.*"
    assert services.webhooks_fan_out() == 0
    FanOutCursor.objects.update(last_entry_id=0)  # as if the cursor's write had been lost
    assert services.webhooks_fan_out() == 0
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 2
    assert list(WebhookDelivery.objects.filter(endpoint=second).values_list("event_type", flat=True)) == [
        "payment.posted"]
    # the same entry has the same event id at both endpoints
    assert WebhookDelivery.objects.values("event_id").distinct().count() == 2


def test_an_endpoint_gets_what_happens_after_it_is_registered_and_nothing_while_disabled(today, ana):
    _payment(ana, "10.00")  # before the endpoint: not sent
    endpoint = services.endpoint_register(url="http://127.0.0.1:9/x", event_types="*", actor=ADMIN)
    services.endpoint_set_active(endpoint_id=endpoint.pk, active=False, actor=ADMIN)
    _payment(ana, "20.00")  # while disabled: not sent
    assert services.webhooks_fan_out() == 0
    services.endpoint_set_active(endpoint_id=endpoint.pk, active=True, actor=ADMIN)
    entry = _payment(ana, "30.00")
    assert services.webhooks_fan_out() == 1
    # the webhooks' own audit entries are never sent
    assert list(WebhookDelivery.objects.values_list("entry_id", flat=True)) == [entry.pk]


def test_a_delivery_still_failing_24_hours_after_its_first_attempt_is_marked_failed(today, ana):
    with Receiver(503) as receiver:
        services.endpoint_register(url=receiver.url, event_types="payment.posted", actor=ADMIN)
        _payment(ana)
        services.webhooks_fan_out()
        first = today.now()
        services.webhooks_deliver()
        delivery = WebhookDelivery.objects.get()
        # as if retried ten more times, ever further apart, to near the end of the window
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            attempts=11, next_attempt_at=first + dt.timedelta(hours=23, minutes=50))
        today.advance(hours=23, minutes=50)
        assert services.webhooks_deliver()["retrying"] == 1
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == first + dt.timedelta(hours=24)  # the last try, at the end
        today.advance(minutes=10)
        assert services.webhooks_deliver() == {"delivered": 0, "retrying": 0, "failed": 1}
        assert services.webhooks_deliver() == {"delivered": 0, "retrying": 0, "failed": 0}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert delivery.attempts == 13 and len(receiver.requests) == 3
    assert "503" in delivery.last_error


def test_a_delivery_past_its_window_before_its_next_try_is_failed_without_a_request(today, ana):
    with Receiver(500) as receiver:
        services.endpoint_register(url=receiver.url, event_types="payment.posted", actor=ADMIN)
        _payment(ana)
        services.webhooks_fan_out()
        services.webhooks_deliver()
        today.advance(hours=25)  # the worker was down for a day
        assert services.webhooks_deliver()["failed"] == 1
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED


def test_backoff_doubles_from_a_minute_is_capped_and_ends_at_the_window():
    first = dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC)
    delays = [protocol.retry_at(first_attempt=first, attempts=n, now=first) - first for n in (1, 2, 3, 4, 10, 20)]
    assert delays == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)] + [dt.timedelta(hours=4)] * 2
    late = first + dt.timedelta(hours=23)
    assert protocol.retry_at(first_attempt=first, attempts=12, now=late) == first + dt.timedelta(hours=24)
    assert protocol.retry_at(first_attempt=first, attempts=13, now=first + dt.timedelta(hours=24)) is None


@override_settings(LASTMILE_WEBHOOK_TIMEOUT=0.3)
def test_a_receiver_that_does_not_answer_costs_the_timeout_and_is_retried(today, ana):
    with Receiver(200, delay=1.0) as receiver:
        services.endpoint_register(url=receiver.url, event_types="payment.posted", actor=ADMIN)
        _payment(ana)
        _payment(ana, "5.00")
        services.webhooks_fan_out()
        # the second delivery to the same endpoint waits for the next run
        assert services.webhooks_deliver() == {"delivered": 0, "retrying": 1, "failed": 0}
    assert len(receiver.requests) == 1
    attempt = WebhookAttempt.objects.get()
    assert attempt.response_status is None and "no answer within 0.3 seconds" in attempt.error
    assert attempt.duration_ms < 900


def test_an_agent_cannot_register_turn_off_or_delete_a_webhook(today):
    agent = with_role("agent", "Al Agent")
    with pytest.raises(PermissionRefused, match="admin"):
        services.endpoint_register(url="https://example.com/h", event_types="*", actor=agent)
    endpoint = services.endpoint_register(url="https://example.com/h", event_types="*", actor=ADMIN)
    with pytest.raises(PermissionRefused):
        services.endpoint_set_active(endpoint_id=endpoint.pk, active=False, actor=agent)
    with pytest.raises(PermissionRefused):
        services.endpoint_delete(endpoint_id=endpoint.pk, actor=agent)


@pytest.mark.parametrize("url, types, field", [
    ("ftp://example.com/h", "*", "url"), ("example.com/h", "*", "url"),
    ("https://example.com/h", "payment.postd", "event_types"), ("https://example.com/h", "", "event_types"),
    ("https://example.com/h", "nothing.*", "event_types"),
])
def test_registration_refuses_a_bad_address_or_an_unknown_event_type(today, url, types, field):
    with pytest.raises(InvalidInput) as refused:
        services.endpoint_register(url=url, event_types=types, actor=ADMIN)
    assert refused.value.field == field


def test_the_minute_job_fans_out_and_delivers_but_not_in_a_simulation(today, ana):
    with Receiver(200) as receiver:
        services.endpoint_register(url=receiver.url, event_types="payment.posted", actor=ADMIN)
        _payment(ana)
        assert run_periodic(simulated=True).get("webhooks_deliver") is None
        assert not receiver.requests
        from lastmile.webhooks.jobs import webhooks_deliver

        assert webhooks_deliver() == 1
    assert len(receiver.requests) == 1


def test_the_cursor_waits_at_a_hole_in_the_ids_then_steps_over_it(today):
    cursor = FanOutCursor(name="t", last_entry_id=10)
    now = today.now()
    services._advance(cursor, [11, 12, 14, 15], now)
    assert (cursor.last_entry_id, cursor.gap_seen_at) == (12, now)  # 13 may still commit
    services._advance(cursor, [13, 14, 15], now)  # it did
    assert (cursor.last_entry_id, cursor.gap_seen_at) == (15, None)
    services._advance(cursor, [17], now)
    services._advance(cursor, [17], now + services.GAP_WAIT)  # 16 was rolled back
    assert (cursor.last_entry_id, cursor.gap_seen_at) == (17, None)


def test_the_receivers_example_in_the_docs_verifies_what_lastmile_signs():
    """docs/webhooks.md's verify_signature, run as written, against protocol.py."""
    import re
    import time
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "webhooks.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    scope: dict = {}
    exec(compile(code, "docs/webhooks.md", "exec"), scope)
    body = b'{"id":"x","type":"payment.posted"}'
    header = protocol.signature_header("whsec_doc", int(time.time()), body)
    assert scope["verify_signature"]("whsec_doc", header, body)
    assert not scope["verify_signature"]("whsec_doc", header, body + b"!")
    assert not scope["verify_signature"]("whsec_other", header, body)


def test_the_first_endpoint_on_a_long_timeline_does_not_read_the_history(today, ana):
    for n in range(5):
        _payment(ana, f"{n}.00")
    endpoint = services.endpoint_register(url="http://127.0.0.1:9/x", event_types="*", actor=ADMIN)
    assert not FanOutCursor.objects.exists()  # the job has never run
    # one batch of two entries reaches the newest entry: the five before were never read
    assert services.webhooks_fan_out(batch=2, max_batches=1) == 0
    newest = TimelineEntry.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert newest == endpoint.start_after_entry_id + 1  # the registration's own entry
    assert FanOutCursor.objects.get().last_entry_id == newest
