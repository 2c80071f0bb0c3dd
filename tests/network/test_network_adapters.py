"""Each network adapter against a real counterpart on the loopback interface (NET-1):
the UTOPIA NOC email through a real SMTP conversation, the UTOPIA CRM through a real
HTTP server (with a failure and its retry), the wireless work order, the simulated
network with auto-confirm on and off."""
from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import get_connection

from lastmile.comms.models import OutboxMessage
from lastmile.comms.services import outbox_deliver
from lastmile.core import ispconfig, periodic
from lastmile.core.actors import automation, with_role
from lastmile.core.models import TimelineEntry
from lastmile.network import jobs
from lastmile.network.adapters import (
    SimulatedNetwork,
    UtopiaCrm,
    UtopiaEmail,
    WirelessWorkOrder,
    adapter_for,
)
from lastmile.network.models import NocRequest, WorkOrder
from lastmile.network.services import (
    MAX_SEND_ATTEMPTS,
    noc_followups_open,
    noc_request,
    noc_requests_retry,
    service_restore,
    service_shut_off,
    work_order_complete,
)
from lastmile.simulation.state import simulation
from lastmile.tickets.models import Ticket
from tests.mixins import make_account

BOT = automation("test step")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- UTOPIA NOC by email, through a real SMTP server on 127.0.0.1 ---
class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.mark.django_db
def test_net1_utopia_email_reaches_the_noc_over_real_smtp(smtp, today, catalog):
    inbox, port = smtp
    account = make_account()
    assert isinstance(adapter_for(account), UtopiaEmail)
    request = service_shut_off(account=account, operation="suspend", actor=BOT, key="case:suspend")
    assert request.channel == "email" and request.state == "sent"
    message = OutboxMessage.objects.get(template="noc_suspend")
    # the NOC's mail is not the customer's email.sent
    assert not TimelineEntry.objects.filter(type="email.sent").exists()

    connection = get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port,
                                timeout=5)
    assert outbox_deliver(connection=connection) == {"sent": 1, "failed": 0}
    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert sorted(envelope.rcpt_tos) == ["noc-cc@utopia.example.invalid", "noc@utopia.example.invalid"]
    parsed = message_from_bytes(envelope.original_content)
    assert parsed["To"] == "noc@utopia.example.invalid" and parsed["Cc"] == "noc-cc@utopia.example.invalid"
    body = parsed.get_payload(decode=True).decode()
    for text in ("Name: Ana Lopez", "Address ID: UT-10042", "Address: 12 Elm St, Orem, UT 84057",
                 "Shut off for non payment"):
        assert text in body
    assert "UT-10042" in parsed["Subject"]
    message.refresh_from_db()
    assert message.status == "sent"
    # delivered once: a second run sends nothing
    assert outbox_deliver(connection=connection) == {"sent": 0, "failed": 0}


@pytest.mark.django_db
def test_outbox_delivery_is_a_periodic_job_outside_simulations(smtp, today, catalog, settings):
    inbox, port = smtp
    job = periodic._jobs["outbox_deliver"]
    assert job.in_simulation is False and periodic._jobs["noc_followups"].in_simulation is True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    with ispconfig.override(noc_email="fiber-noc@isp.example.invalid", noc_cc=[]):
        service_shut_off(account=make_account(), operation="suspend", actor=BOT, key="k")
    assert periodic.run_periodic(simulated=True).get("outbox_deliver") is None
    assert inbox.envelopes == []
    assert jobs.outbox_deliver() == 1
    assert inbox.envelopes[0].rcpt_tos == ["fiber-noc@isp.example.invalid"]


# --- UTOPIA CRM, through a real HTTP server on 127.0.0.1 ---
class Crm:
    def __init__(self):
        self.posts = []
        self.status = 200
        self.answer = {"status": "received"}


@pytest.fixture(autouse=True)
def crm_breaker_reset():
    UtopiaCrm._down_until.clear()
    yield
    UtopiaCrm._down_until.clear()


@pytest.fixture
def crm():
    state = Crm()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", 0))
            state.posts.append((self.path, self.headers.get("Content-Type"), json.loads(self.rfile.read(length))))
            body = json.dumps(state.answer).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/crm/tickets"
    try:
        with ispconfig.override(utopia_channel="crm", utopia_crm_url=url):
            yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
def test_net1_utopia_crm_posts_json_with_address_id(crm, today, catalog):
    account = make_account()
    assert isinstance(adapter_for(account), UtopiaCrm)
    request = service_shut_off(account=account, operation="suspend", actor=BOT, key="case:suspend")
    assert request.channel == "crm" and request.state == "sent"
    path, content_type, payload = crm.posts[0]
    assert path == "/crm/tickets" and content_type == "application/json"
    assert payload["operation"] == "suspend" and payload["address_id"] == "UT-10042"
    assert payload["address"] == "12 Elm St, Orem, UT 84057" and payload["name"] == "Ana Lopez"
    assert payload["reason"] == "Shut off for non payment" and payload["key"] == "case:suspend"
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_net1_crm_failure_marks_failed_and_the_periodic_job_retries(crm, today, catalog):
    crm.status = 503
    account = make_account()
    request = service_shut_off(account=account, operation="suspend", actor=BOT, key="case:suspend")
    request.refresh_from_db()
    account.refresh_from_db()
    assert request.state == "failed" and "503" in request.detail
    assert account.status == "suspended" and account.portal_access is False  # ours is done regardless
    assert TimelineEntry.objects.get(type="noc.requested").data["state"] == "failed"

    crm.status = 200
    assert noc_requests_retry() == 0  # backoff: not yet
    today.advance(minutes=3)
    UtopiaCrm._down_until.clear()  # the breaker's minute has passed
    assert jobs.noc_retry() == 1
    request.refresh_from_db()
    assert request.state == "sent" and request.attempts == 2
    assert len(crm.posts) == 2 and crm.posts[1][2]["key"] == crm.posts[0][2]["key"]  # the CRM can dedupe
    assert noc_requests_retry() == 0  # nothing failed any more


@pytest.mark.django_db
def test_net1_crm_unreachable_gives_up_with_a_ticket(today, catalog):
    with ispconfig.override(utopia_channel="crm", utopia_crm_url=f"http://127.0.0.1:{free_port()}/crm"):
        account = make_account()
        request = noc_request(account=account, operation="cancel", actor=BOT, key="c1")
        assert request.state == "failed" and "unreachable" in request.detail
        for _ in range(MAX_SEND_ATTEMPTS + 2):
            today.advance(hours=2)
            noc_requests_retry()
    request.refresh_from_db()
    assert request.state == "failed" and request.attempts == MAX_SEND_ATTEMPTS
    ticket = Ticket.objects.get(account=account, kind="noc_followup")
    assert "could not be sent" in ticket.subject


@pytest.mark.django_db
def test_net1_crm_confirmation_completes_a_restore(crm, today, catalog):
    account = make_account()
    service_shut_off(account=account, operation="suspend", actor=BOT, key="k1")
    crm.answer = {"status": "confirmed"}
    request = service_restore(account=account, actor=BOT, key="r1")
    account.refresh_from_db()
    # the CRM confirmed; its adapter cannot read the ONT, so the VLAN is the NOC's word
    assert request.state == "confirmed" and account.status == "active" and account.portal_access


# --- wireless work orders ---
@pytest.mark.django_db
def test_net1_wireless_disconnect_and_reconnect_work_orders(today, catalog):
    account = make_account(network="wireless")
    assert isinstance(adapter_for(account), WirelessWorkOrder)
    off = service_shut_off(account=account, operation="disconnect", actor=BOT, key="case:disconnect")
    order = WorkOrder.objects.get(request=off)
    assert order.kind == "disconnect" and order.scheduled_on == dt.date(2026, 9, 1) and order.status == "open"
    assert off.channel == "work_order" and off.state == "sent"
    assert work_order_complete(work_order=order, actor=with_role("noc")) is True
    assert work_order_complete(work_order=order, actor=with_role("noc")) is False
    off.refresh_from_db()
    assert off.state == "confirmed"

    on = service_restore(account=account, actor=BOT, key="case:restore")
    reconnect = WorkOrder.objects.get(request=on)
    assert on.operation == "unsuspend" and reconnect.kind == "reconnect"
    today.advance(minutes=30)
    assert noc_followups_open() == 0  # a technician's visit, not a NOC chat
    account.refresh_from_db()
    assert account.status == "not_active"
    work_order_complete(work_order=reconnect, actor=with_role("noc"))
    account.refresh_from_db()
    assert account.status == "active" and account.portal_access is True


# --- the simulated network ---
@pytest.mark.django_db
@pytest.mark.parametrize("auto", [True, False])
def test_net1_simulated_network_confirms_only_with_auto_confirm(auto, today, catalog):
    account = make_account()
    with simulation(), ispconfig.override(noc_auto_confirm=auto):
        assert isinstance(adapter_for(account), SimulatedNetwork)
        request = noc_request(account=account, operation="suspend", actor=BOT, key="s1")
    assert request.channel == "simulated"
    assert request.state == ("confirmed" if auto else "sent")
    assert TimelineEntry.objects.filter(type="noc.confirmed").exists() is auto
    assert not OutboxMessage.objects.exists()  # nothing leaves a simulation
    assert (NocRequest.objects.get(key="s1").confirmed_at is not None) is auto


@pytest.mark.django_db
def test_net1_crm_down_fails_fast_for_the_next_requests(crm, today, catalog):
    """A day run shutting off many accounts does not wait out a timeout for each."""
    crm.status = 500
    first = noc_request(account=make_account(), operation="suspend", actor=BOT, key="a")
    second = noc_request(account=make_account(name="Bob Stone"), operation="suspend", actor=BOT, key="b")
    assert first.state == second.state == "failed"
    assert len(crm.posts) == 1 and "moments ago" in second.detail
