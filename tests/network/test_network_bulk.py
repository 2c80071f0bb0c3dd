"""The bulk shut-off (issue 6) writes what the one-account service writes
(DLQ-1 "shut off", DLQ-8, NET-1, NET-2): same timeline entries in the same order
per account, same NOC requests, same NOC emails, same portal and status."""
from __future__ import annotations

import contextlib

import pytest
from django.db import transaction

from lastmile.accounts.models import Account, ServiceAddress
from lastmile.comms.models import OutboxMessage
from lastmile.core import hooks, ispconfig
from lastmile.core.actors import automation
from lastmile.core.models import TimelineEntry
from lastmile.network.bulk import service_shut_off_many, shut_off_bulk_ready
from lastmile.network.models import NocRequest
from lastmile.network.services import service_restore, service_shut_off
from lastmile.simulation.state import simulation
from tests.mixins import make_account

BOT = automation("delinquency utopia-2022-04 suspend")
WHY = "shut off for non payment"


def _accounts(prefix: str):
    """Two UTOPIA accounts (portal on / already off) and a wireless one, named alike
    in both sets so their rows can be compared."""
    made = [
        make_account(name="Ana Lopez", network="utopia"),
        make_account(name="Ben Ortiz", network="utopia"),
        make_account(name="Cy Wu", network="wireless"),
    ]
    Account.objects.filter(pk=made[1].pk).update(portal_access=False, status="delinquent")
    for account in made:
        account.refresh_from_db()
    return made


def _operation(account) -> str:
    return "suspend" if account.network == "utopia" else "disconnect"


def _since(mark: int, account) -> list[tuple]:
    return [(e.type, e.data, e.actor, e.reason)
            for e in TimelineEntry.objects.filter(account=account, id__gt=mark).order_by("id")]


def _noc(account) -> list[tuple]:
    return list(NocRequest.objects.filter(account=account).order_by("id").values_list(
        "operation", "channel", "address_id", "address", "state", "detail", "requested_by", "attempts",
        "confirmed_at", "sent_at", "restore_pending"))


def _mail(account) -> list[tuple]:
    return list(OutboxMessage.objects.filter(account=account).order_by("id").values_list(
        "template", "to", "cc", "subject", "body", "status"))


def _mark() -> int:
    return TimelineEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _state(account) -> tuple:
    account.refresh_from_db()
    return account.status, account.portal_access


def _compare(channel_context):
    one, many = _accounts("one"), _accounts("many")
    seen = []

    def handler(*, account, previous, to, actor, **_):
        seen.append((account.pk, previous, to, str(actor)))

    hooks.subscribe(hooks.STATUS_CHANGED, handler)
    try:
        with channel_context:
            mark = _mark()
            for account in one:
                service_shut_off(account=account, operation=_operation(account), actor=BOT,
                                 key=f"dlq-shutoff:one:{account.pk}", why=WHY)
            mark_many = _mark()
            assert shut_off_bulk_ready(account_ids=[a.pk for a in many]) == {a.pk for a in many}
            with transaction.atomic():
                service_shut_off_many(rows=[(a.pk, _operation(a), f"dlq-shutoff:many:{a.pk}", str(BOT), WHY)
                                            for a in many])
    finally:
        hooks._subscribers[hooks.STATUS_CHANGED].remove(handler)
    for a, b in zip(one, many, strict=True):
        assert _since(mark_many, b) == _since(mark, a)
        assert _noc(b) == _noc(a)
        assert _mail(b) == _mail(a)
        assert _state(b) == _state(a)
    by_account = {pk: rest for pk, *rest in seen}
    for a, b in zip(one, many, strict=True):
        assert by_account.get(b.pk) == by_account.get(a.pk)
    return one, many


@pytest.mark.django_db
def test_dlq1_dlq8_bulk_shut_off_equals_service_on_the_simulated_network(today, catalog):
    one, many = _compare(_sim(auto=True))
    types = [t for t, *_ in _since(0, many[0])]
    assert types[-4:] == ["noc.requested", "noc.confirmed", "portal.changed", "account.status_changed"]
    # the account whose portal was already off gets no portal.changed
    assert "portal.changed" not in [t for t, *_ in _since(0, many[1])][-3:]


@pytest.mark.django_db
def test_net1_bulk_shut_off_equals_service_when_the_noc_confirms_later(today, catalog):
    one, many = _compare(_sim(auto=False))
    assert NocRequest.objects.get(account=many[0]).state == "sent"


@pytest.mark.django_db
def test_net2_bulk_shut_off_emails_the_noc_like_the_service(today, catalog):
    """The UTOPIA email adapter: one email per request to the NOC, keyed per request."""
    with ispconfig.override(utopia_channel="email", noc_email="noc@utopia.example", noc_cc=["ops@isp.example"]):
        ready_probe = make_account(name="Probe", network="wireless")
        # wireless accounts go to a technician's work order: not batched
        assert shut_off_bulk_ready(account_ids=[ready_probe.pk]) == set()
        utopia_one = make_account(name="Dee Park", network="utopia")
        utopia_many = make_account(name="Dee Park", network="utopia")
        mark = _mark()
        service_shut_off(account=utopia_one, operation="suspend", actor=BOT, key="k:one", why=WHY)
        mark_many = _mark()
        with transaction.atomic():
            service_shut_off_many(rows=[(utopia_many.pk, "suspend", "k:many", str(BOT), WHY)])
        assert _since(mark_many, utopia_many) == _since(mark, utopia_one)
        assert _noc(utopia_many) == _noc(utopia_one)
        assert _mail(utopia_many) == _mail(utopia_one)
        assert len(_mail(utopia_many)) == 1
        assert OutboxMessage.objects.filter(key="noc:k:many").exists()
        assert _state(utopia_many) == _state(utopia_one) == ("suspended", False)


@pytest.mark.django_db
def test_dlq1_bulk_ready_leaves_the_cases_the_service_must_decide(today, catalog):
    with _sim(auto=True):
        fresh = make_account(name="Fresh", network="utopia")
        no_id = make_account(name="No Id", network="utopia")
        ServiceAddress.objects.filter(account=no_id).update(address_id="")
        off = make_account(name="Off", network="utopia")
        service_shut_off(account=off, operation="suspend", actor=BOT, key="k:off", why=WHY)
        restored = make_account(name="Restored", network="utopia")
        service_shut_off(account=restored, operation="suspend", actor=BOT, key="k:r", why=WHY)
        service_restore(account=restored, actor=BOT, key="k:r2")
        ids = [fresh.pk, no_id.pk, off.pk, restored.pk]
        assert shut_off_bulk_ready(account_ids=ids) == {fresh.pk}
        assert shut_off_bulk_ready(account_ids=[fresh.pk], keys=["k:off"]) == set()
    with ispconfig.override(utopia_channel="crm", utopia_crm_url="http://127.0.0.1:9/none"):
        assert shut_off_bulk_ready(account_ids=[fresh.pk]) == set()


@contextlib.contextmanager
def _sim(*, auto: bool):
    with simulation(), ispconfig.override(noc_auto_confirm=auto):
        yield
