"""Issue 15: the outbox under SMTP faults, against real SMTP servers on loopback
(aiosmtpd). Delivery is at least once; every message keeps one Message-ID on every
attempt, so a receiver drops a repeat; nothing is lost; the retries are bounded
(comms.services.MAX_ATTEMPTS, with backoff).

- SMTP refused: nobody listens on the port for a while, then a server does.
- SMTP slow: the server takes longer than the client's timeout to answer the data,
  but keeps the message (the answer, not the mail, was lost): the retry is a repeat.
- Killed after the send, before the mark: the process stops right after the server
  accepted the message (a BaseException escapes the worker, as a kill would end
  it), and the next worker sends it again.
"""
from __future__ import annotations

import asyncio
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import get_connection

from lastmile.comms import services as comms
from lastmile.comms.models import OutboxMessage, OutboxStatus
from lastmile.network.services import service_shut_off
from tests.mixins import make_account
from tests.portal.mail import Inbox, free_port

BOT = "automation: test"


class SlowInbox(Inbox):
    """Answers the DATA of the first `slow` messages after `delay` seconds."""

    def __init__(self, delay: float, slow: int):
        super().__init__()
        self.delay, self.slow = delay, slow

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        if len(self.envelopes) <= self.slow:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"


class Server:
    def __init__(self, handler, port=None):
        self.handler, self.port = handler, port or free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def _connection(port: int, timeout: float = 5):
    return get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port,
                          timeout=timeout)


def _queue(n: int) -> list[OutboxMessage]:
    for i in range(n):
        account = make_account(name=f"Customer {i}", emails=(f"c{i}@example.test",))
        service_shut_off(account=account, operation="suspend", actor=BOT, key=f"case:{i}:suspend")
    return list(OutboxMessage.objects.order_by("id"))


def _distinct(inbox: Inbox) -> dict[str, int]:
    """What a receiver that drops repeats by Message-ID keeps: id -> copies received."""
    seen: dict[str, int] = {}
    for envelope in inbox.envelopes:
        mid = message_from_bytes(envelope.original_content, policy=policy.default)["Message-ID"]
        seen[mid] = seen.get(mid, 0) + 1
    return seen


def _rounds(today, port: int, rounds: int, timeout: float = 5) -> None:
    """The periodic job `rounds` times, the clock past each backoff in between."""
    for _ in range(rounds):
        comms.outbox_deliver(connection=_connection(port, timeout))
        today.advance(minutes=2 ** comms.MAX_ATTEMPTS + 1)


@pytest.mark.django_db
def test_smtp_refused_then_back_delivers_each_message_once_with_its_message_id(today, catalog):
    messages = _queue(3)
    port = free_port()  # nobody listens: connection refused
    _rounds(today, port, 2)
    for msg in OutboxMessage.objects.all():
        assert (msg.status, msg.attempts) == (OutboxStatus.PENDING, 2) and "refused" in msg.last_error.lower()
    inbox = Inbox()
    with Server(inbox, port):
        _rounds(today, port, 2)
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 3
    seen = _distinct(inbox)
    assert sorted(seen) == sorted(comms.message_id(m, "billing@lastmile.example.invalid") for m in messages)
    assert set(seen.values()) == {1}


@pytest.mark.django_db
def test_smtp_refused_for_good_gives_up_after_the_bounded_retries_and_keeps_the_message(today, catalog):
    _queue(1)
    _rounds(today, free_port(), comms.MAX_ATTEMPTS + 3)
    msg = OutboxMessage.objects.get()
    assert (msg.status, msg.attempts) == (OutboxStatus.FAILED, comms.MAX_ATTEMPTS)
    assert msg.last_error  # what went wrong is kept for a person; the message is not lost


@pytest.mark.django_db
def test_smtp_slow_repeats_are_recognisable_by_message_id(today, catalog):
    _queue(2)
    inbox = SlowInbox(delay=1.5, slow=1)
    with Server(inbox) as server:
        _rounds(today, server.port, 3, timeout=0.5)
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 2
    seen = _distinct(inbox)
    assert len(seen) == 2  # both delivered, each at least once
    assert sum(seen.values()) == 3 and max(seen.values()) == 2  # the slow one came twice, same id
    assert OutboxMessage.objects.get(attempts=2).last_error  # the timeout was recorded


class Killed(BaseException):
    """The process ending between the send and the mark (not an Exception: nothing
    in the worker catches it, as nothing survives a kill)."""


@pytest.mark.django_db
def test_killed_after_the_send_before_the_mark_is_sent_again_with_the_same_message_id(
        today, catalog, monkeypatch):
    _queue(2)
    inbox = Inbox()
    real = comms._send_email
    calls = []

    def send_then_die(msg, connection, from_email):
        real(msg, connection, from_email)
        calls.append(msg.pk)
        if len(calls) == 1:
            raise Killed

    monkeypatch.setattr(comms, "_send_email", send_then_die)
    with Server(inbox) as server:
        with pytest.raises(Killed):
            comms.outbox_deliver(connection=_connection(server.port))
        first = OutboxMessage.objects.get(pk=calls[0])
        assert first.status == OutboxStatus.PENDING and first.attempts == 1  # sent, never marked
        today.advance(minutes=1)
        comms.outbox_deliver(connection=_connection(server.port))
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 2
    seen = _distinct(inbox)
    assert len(seen) == 2 and sorted(seen.values()) == [1, 2]
    assert seen[comms.message_id(first, "billing@lastmile.example.invalid")] == 2


def test_the_message_id_is_stable_and_unique_per_row():
    a = OutboxMessage(pk=7, key="noc:case:1:suspend")
    b = OutboxMessage(pk=8, key="noc:case:2:suspend")
    assert comms.message_id(a, "x@isp.example") == comms.message_id(a, "x@isp.example")
    assert comms.message_id(a, "x@isp.example") != comms.message_id(b, "x@isp.example")
    assert comms.message_id(a, "Billing <x@isp.example>").endswith("@isp.example>")
