"""Issue 15, NET-1: the UTOPIA CRM down for an hour, then back, with a loopback HTTP
CRM. Every request ends `confirmed`, or `failed` with a `noc_followup` ticket for a
person; none stays `sent` without one. The periodic jobs run minute by minute on the
injected clock (the adapter's one-minute breaker follows the same clock).
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lastmile.core import ispconfig
from lastmile.network import adapters
from lastmile.network.choices import NocRequestState
from lastmile.network.models import NocRequest
from lastmile.network.services import (
    noc_followups_open,
    noc_requests_retry,
    service_restore,
    service_shut_off,
)
from lastmile.tickets.models import Ticket
from tests.mixins import make_account

BOT = "automation: test"


class Crm:
    """Answers 503 (or drops the connection) while `down`; then confirms each request."""

    def __init__(self):
        self.down = True
        self.seen: list[dict] = []
        crm = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                crm.seen.append({"up": not crm.down, **body})
                if crm.down:
                    if len(crm.seen) % 2:
                        self.send_response(503)
                        self.end_headers()
                    else:  # down hard: no answer at all
                        self.close_connection = True
                    return
                answer = json.dumps({"status": "confirmed"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/crm"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def crm(monkeypatch, today):
    start = today.now()

    class SimulatedTime:  # the CRM breaker's clock: the injected one, in seconds
        @staticmethod
        def monotonic():
            return (today.now() - start).total_seconds()

    monkeypatch.setattr(adapters, "time", SimulatedTime)
    adapters.UtopiaCrm._down_until.clear()
    with Crm() as server, ispconfig.override(utopia_channel="crm", utopia_crm_url=server.url):
        yield server
    adapters.UtopiaCrm._down_until.clear()


@pytest.mark.django_db
def test_net1_crm_down_for_an_hour_then_back_every_request_ends_confirmed_or_with_a_followup(
        today, catalog, crm):
    shut = [make_account(name=f"Shut {i}", emails=(f"s{i}@example.test",)) for i in range(3)]
    requests = [service_shut_off(account=a, operation="suspend", actor=BOT, key=f"case:{a.pk}:suspend")
                for a in shut]
    assert {r.state for r in requests} == {NocRequestState.FAILED}  # the CRM is down
    today.advance(minutes=5)
    # paid while the CRM is still down: the restore is asked for, and fails too
    restores = [service_restore(account=a, actor=BOT, key=f"case:{a.pk}:restore") for a in shut[:2]]
    assert {r.state for r in restores} == {NocRequestState.FAILED}
    for minute in range(5, 180):
        if minute == 60:
            crm.down = False
        noc_requests_retry(now=today.now())
        noc_followups_open(now=today.now())
        today.advance(minutes=1)

    assert any(s["up"] for s in crm.seen), "the CRM was never asked again once it was back"
    keys = {r.key for r in requests + restores}
    assert {s["key"] for s in crm.seen} == keys  # each retry carries its request's key
    followups = set(Ticket.objects.filter(key__startswith="noc_").values_list("key", flat=True))
    stuck = []
    for request in NocRequest.objects.order_by("id"):
        if request.state == NocRequestState.CONFIRMED:
            continue
        if request.state == NocRequestState.FAILED and f"noc_failed:{request.pk}" in followups:
            continue
        if request.state == NocRequestState.SENT and f"noc_followup:{request.pk}" in followups:
            continue
        stuck.append((request.key, request.state, request.attempts, request.detail))
    assert stuck == []
    assert NocRequest.objects.filter(state=NocRequestState.CONFIRMED).exists()
    print("NOC requests:", list(NocRequest.objects.values_list("operation", "state", "attempts")))
