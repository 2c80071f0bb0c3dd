"""NET-3 without RADIUS: the RouterOS API adds a shut-off subscriber's address to the
walled-garden address list and removes it when service is back, against a loopback
router speaking the API's wire protocol."""
from __future__ import annotations

import pytest

from lastmile.core import ispconfig
from lastmile.core.actors import automation
from lastmile.core.choices import AccountStatus
from lastmile.network.adapters import adapter_for
from lastmile.network.choices import NasKind, NocChannel, NocRequestState
from lastmile.network.models import NasDevice, Subscriber
from lastmile.network.routeros import RouterOsAddressList, list_set
from lastmile.network.services import noc_requests_retry, service_restore, service_shut_off
from tests.mixins import make_account
from tests.network.routeros_loopback import LoopbackRouter

BOT = automation("test step")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _live(today, catalog):
    """The real adapters (not the simulated network)."""


def _behind(port: int, *, password: str = "router-secret", ip: str = "100.64.1.20"):
    router = NasDevice.objects.create(name="tower 2", address="127.0.0.1", secret="-", kind=NasKind.ROUTEROS_API,
                                      api_port=port, api_username="lastmile", api_password=password)
    account = make_account(network="wireless")
    Subscriber.objects.create(account=account, radius_username=account.number, nas=router, framed_address=ip)
    return account


def test_net3_routeros_shut_off_lists_the_address_and_restore_removes_it():
    with LoopbackRouter() as router:
        account = _behind(router.port)
        assert isinstance(adapter_for(account), RouterOsAddressList)
        request = service_shut_off(account=account, operation="disconnect", actor=BOT, key=f"off:{account.pk}")
        assert request.channel == NocChannel.ROUTEROS and request.state == NocRequestState.CONFIRMED
        assert router.listed() == {"100.64.1.20"}
        assert not account.work_orders.exists()  # the router does it, not a technician
        with ispconfig.override(noc_auto_confirm=False):
            restore = service_restore(account=account, actor=BOT, key=f"on:{account.pk}")
        assert restore.state == NocRequestState.CONFIRMED
        assert router.listed() == set()
        assert "/login" in router.commands and "/ip/firewall/address-list/remove" in router.commands
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE


def test_net3_routeros_listing_twice_adds_one_entry():
    """A retry after a crash between the router's answer and the commit does no harm."""
    with LoopbackRouter() as router:
        account = _behind(router.port)
        nas = account.radius.nas
        assert list_set(nas, "100.64.1.20", True) is True
        assert list_set(nas, "100.64.1.20", True) is False
        assert len(router.entries) == 1


def test_net3_routeros_down_fails_then_the_retry_job_confirms(today):
    with LoopbackRouter() as router:
        port = router.port
    account = _behind(port)  # nothing listens there now
    request = service_shut_off(account=account, operation="disconnect", actor=BOT, key=f"off:{account.pk}")
    assert request.state == NocRequestState.FAILED and "failed" in request.detail
    with LoopbackRouter() as router:
        NasDevice.objects.update(api_port=router.port)
        today.advance(minutes=5)
        assert noc_requests_retry() == 1
        assert router.listed() == {"100.64.1.20"}
    request.refresh_from_db()
    assert request.state == NocRequestState.CONFIRMED


def test_net3_routeros_wrong_password_is_a_failure_with_the_reason():
    with LoopbackRouter() as router:
        account = _behind(router.port, password="wrong")
        request = service_shut_off(account=account, operation="disconnect", actor=BOT, key=f"off:{account.pk}")
    assert request.state == NocRequestState.FAILED
    assert "invalid user name or password" in request.detail
    assert router.entries == []
