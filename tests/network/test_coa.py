"""NET-3: CoA (RFC 5176) against a loopback NAS speaking pyrad: ACK confirms; NAK
then Disconnect; a lost packet is retried; a silent NAS fails and is queued again."""
from __future__ import annotations

import pytest

from lastmile.core import ispconfig
from lastmile.core.actors import automation
from lastmile.core.choices import AccountStatus
from lastmile.core.models import TimelineEntry
from lastmile.network.choices import NocChannel, NocRequestState
from lastmile.network.coa import accounting_record, coa_deliver
from lastmile.network.loopback import LoopbackNas
from lastmile.network.models import NasDevice, NocRequest
from lastmile.network.services import noc_requests_retry, service_restore, service_shut_off
from tests.mixins import make_account

BOT = automation("test step")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _live(today, catalog):
    """The real adapters (not the simulated network)."""


def _with_session(nas: LoopbackNas):
    device = NasDevice.objects.create(name="tower 1", address="127.0.0.1", secret="nas-secret", coa_port=nas.port)
    account = make_account(network="wireless")
    accounting_record({"User-Name": account.number, "Acct-Status-Type": "Start", "NAS-IP-Address": "127.0.0.1",
                       "Acct-Session-Id": "S1", "Framed-IP-Address": "100.64.0.9"})
    return device, account


def _shut_off(account):
    return service_shut_off(account=account, operation="disconnect", actor=BOT, key=f"off:{account.pk}")


def test_net3_disconnect_step_sends_coa_and_ack_confirms():
    with LoopbackNas() as nas:
        _, account = _with_session(nas)
        request = _shut_off(account)
        assert request.channel == NocChannel.RADIUS_COA and request.state == NocRequestState.SENT
        assert not account.work_orders.exists()  # the NAS does it, not a technician
        assert coa_deliver(timeout=0.5, retries=1) == {"confirmed": 1, "failed": 0}
    request.refresh_from_db()
    assert request.state == NocRequestState.CONFIRMED and "CoA-ACK" in request.detail
    pkt = nas.received[0]
    assert pkt["User-Name"] == [account.number] and pkt["Acct-Session-Id"] == ["S1"]
    assert pkt["Mikrotik-Address-List"] == ["lastmile_suspended"]
    assert TimelineEntry.objects.filter(account=account, type="noc.confirmed").exists()


def test_net3_nak_then_disconnect_request_confirms():
    from pyrad import packet

    with LoopbackNas(answer=lambda p: "nak" if p.code == packet.CoARequest else "ack") as nas:
        _, account = _with_session(nas)
        request = _shut_off(account)
        coa_deliver(timeout=0.5, retries=0)
    request.refresh_from_db()
    assert [p.code for p in nas.received] == [packet.CoARequest, packet.DisconnectRequest]
    assert request.state == NocRequestState.CONFIRMED
    assert "CoA-NAK" in request.detail and "Disconnect-ACK" in request.detail


def test_net3_lost_packet_is_retried_by_pyrad():
    seen = []

    def first_lost(pkt):
        seen.append(pkt)
        return None if len(seen) == 1 else "ack"

    with LoopbackNas(answer=first_lost) as nas:
        _, account = _with_session(nas)
        request = _shut_off(account)
        coa_deliver(timeout=0.3, retries=2)
    request.refresh_from_db()
    assert len(seen) == 2 and request.state == NocRequestState.CONFIRMED


def test_net3_silent_nas_fails_then_the_retry_job_queues_it_again():
    with LoopbackNas(answer=lambda p: None) as nas:
        _, account = _with_session(nas)
        request = _shut_off(account)
        assert coa_deliver(timeout=0.2, retries=1) == {"confirmed": 0, "failed": 1}
        request.refresh_from_db()
        assert request.state == NocRequestState.FAILED and "no answer" in request.detail
        assert len(nas.received) == 2  # the first try and pyrad's retry
        nas.answer = lambda p: "ack"
        assert noc_requests_retry(now=request.next_attempt_at) == 1
        request.refresh_from_db()
        assert request.state == NocRequestState.SENT and request.attempts == 2
        coa_deliver(now=request.next_attempt_at, timeout=0.5, retries=1)
    request.refresh_from_db()
    assert request.state == NocRequestState.CONFIRMED


def test_net3_restore_completes_on_coa_ack_with_the_active_reply():
    with LoopbackNas() as nas:
        _, account = _with_session(nas)
        _shut_off(account)
        coa_deliver(timeout=0.5, retries=1)
        with ispconfig.override(noc_auto_confirm=False):
            restore = service_restore(account=account, actor=BOT, key=f"on:{account.pk}")
        assert restore.restore_pending
        coa_deliver(timeout=0.5, retries=1)
        account.refresh_from_db()
        assert account.status == AccountStatus.ACTIVE
        assert "Mikrotik-Rate-Limit" in nas.received[-1] and "Mikrotik-Address-List" not in nas.received[-1]
        assert NocRequest.objects.filter(account=account, state=NocRequestState.SENT).count() == 0


def test_net3_wireless_without_nas_keeps_the_work_order():
    account = make_account(network="wireless")
    request = _shut_off(account)
    assert request.channel == NocChannel.WORK_ORDER and account.work_orders.count() == 1


def test_net3_package_change_sends_the_new_rate_at_once():
    """A downgrade reaches the NAS by the change's own CoA (core.hooks PACKAGE_CHANGED),
    not only when the minute job's comparison notices it."""
    from lastmile.core.actors import superuser
    from lastmile.network.coa import coa_reconcile
    from lastmile.network.models import PackageRadiusProfile
    from lastmile.plans.services import plan_change_request

    PackageRadiusProfile.objects.create(package_code="basic", rate_limit="25M/25M")
    with LoopbackNas() as nas:
        _, account = _with_session(nas)
        plan_change_request(account=account, to="basic", actor=superuser("test agent"),
                            consent="verbal_recorded", consent_reference="call 17", identity_verified=True)
        queued = NocRequest.objects.filter(account=account, channel=NocChannel.RADIUS_COA,
                                           state=NocRequestState.SENT)
        assert queued.count() == 1 and "package classic -> basic" in TimelineEntry.objects.filter(
            account=account, type="noc.requested").last().reason
        assert coa_reconcile() == 0  # nothing left for the comparison to find
        assert coa_deliver(timeout=0.5, retries=1) == {"confirmed": 1, "failed": 0}
    assert nas.received[-1]["Mikrotik-Rate-Limit"] == ["25M/25M"]


def test_net3_unconfirmed_coa_unsuspend_asks_nobody_to_call_the_noc(today):
    """DLQ-7's "call the NOC" is for a NOC; a CoA is retried by machine and asks a
    person only when its attempts run out, about the router."""
    from lastmile.network.services import noc_followups_open
    from lastmile.tickets.models import Ticket

    with LoopbackNas(answer=lambda p: None) as nas:
        _, account = _with_session(nas)
        _shut_off(account)
        coa_deliver(timeout=0.2, retries=0)
        with ispconfig.override(noc_auto_confirm=False):
            service_restore(account=account, actor=BOT, key=f"on:{account.pk}")
        today.advance(minutes=10)
        assert noc_followups_open() == 0
        for _ in range(8):  # every attempt unanswered
            coa_deliver(timeout=0.1, retries=0)
            today.advance(hours=2)
            noc_requests_retry()
        noc_requests_retry()  # once asked, never asked again
    assert Ticket.objects.filter(account=account, kind="noc_followup").count() == 2  # the shut-off's and this
    ticket = Ticket.objects.get(account=account, kind="noc_followup", subject__contains="unsuspend")
    assert ticket.subject.startswith("The router did not take the unsuspend")
    notes = " ".join(ticket.notes.values_list("body", flat=True))
    assert "Check the router" in notes and "Call the NOC" not in notes
