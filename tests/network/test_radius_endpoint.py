"""NET-3: the rlm_rest endpoint lastmile answers FreeRADIUS on (the Django test client
speaking rlm_rest's JSON), and the status hook that queues a CoA."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from lastmile.accounts.models import Account
from lastmile.core.actors import automation
from lastmile.network.choices import NocChannel, NocOperation
from lastmile.network.coa import accounting_record
from lastmile.network.models import NasDevice, NocRequest, PackageRadiusProfile, Subscriber
from tests.mixins import make_account

KEY = "k-test"
BOT = automation("test step")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _key(monkeypatch, today, catalog):
    monkeypatch.setenv("LASTMILE_RADIUS_API_KEY", KEY)


def ask(path, attrs, key=KEY):
    body = {name: {"type": "string", "value": [value]} for name, value in attrs.items()}
    return Client().post(f"/internal/radius/{path}", data=json.dumps(body), content_type="application/json",
                         headers={"X-Lastmile-Radius-Key": key} if key else {})


def test_net3_endpoint_refuses_a_wrong_key_and_staff_cookies_do_not_help():
    account = make_account(network="wireless")
    assert ask("authorize", {"User-Name": account.number}, key="nope").status_code == 403
    assert ask("authorize", {"User-Name": account.number}, key="").status_code == 403


def test_net3_active_reply_carries_the_package_rate_and_pool():
    account = make_account(network="wireless")
    PackageRadiusProfile.objects.create(package_code=account.package.code, rate_limit="25M/5M", framed_pool="p1")
    from lastmile.network import radius

    radius._profile_cache["at"] = 0.0  # re-read now
    reply = ask("authorize", {"User-Name": account.number})
    assert reply.status_code == 200
    body = reply.json()
    assert body["reply:Mikrotik-Rate-Limit"]["value"] == "25M/5M"
    assert body["reply:Framed-Pool"]["value"] == "p1"
    assert body["reply:Class"]["value"] == f"lastmile:{account.number}:active"
    assert "reply:Mikrotik-Address-List" not in body


@pytest.mark.parametrize("status", ["suspended", "not_active"])
def test_net3_dlq8_shut_off_accounts_get_the_walled_garden(status):
    account = make_account(network="wireless")
    Account.objects.filter(pk=account.pk).update(status=status)
    body = ask("authorize", {"User-Name": account.number}).json()
    assert body["reply:Mikrotik-Address-List"]["value"] == "lastmile_suspended"
    assert body["reply:WISPr-Redirection-URL"]["value"].endswith("/portal/")
    assert "reply:Mikrotik-Rate-Limit" not in body


@pytest.mark.parametrize("status", ["uninstall", "cancelled"])
def test_net3_closed_accounts_are_rejected(status):
    account = make_account(network="wireless")
    Account.objects.filter(pk=account.pk).update(status=status)
    reply = ask("authorize", {"User-Name": account.number})
    assert reply.status_code == 401 and status in reply.json()["reply:Reply-Message"]["value"]
    assert ask("authorize", {"User-Name": "nobody"}).status_code == 401


def test_net3_radius_username_maps_to_the_account_and_accounting_links_the_nas():
    account = make_account(network="wireless")
    Subscriber.objects.create(account=account, radius_username="ana@tower", framed_address="100.64.1.5")
    nas = NasDevice.objects.create(name="t1", address="10.0.0.1", secret="s")
    assert ask("authorize", {"User-Name": "ana@tower"}).json()["reply:Framed-IP-Address"]["value"] == "100.64.1.5"
    assert ask("accounting", {"User-Name": "ana@tower", "Acct-Status-Type": "Start", "NAS-IP-Address": "10.0.0.1",
                              "Acct-Session-Id": "X1"}).status_code == 204
    sub = Subscriber.objects.get(account=account)
    assert sub.nas == nas and sub.session_id == "X1"
    ask("accounting", {"User-Name": "ana@tower", "Acct-Status-Type": "Stop", "Acct-Session-Id": "X1"})
    sub.refresh_from_db()
    assert sub.nas is None and sub.session_id == ""


def test_net3_status_change_of_a_wireless_session_queues_one_coa():
    from lastmile.accounts.services import account_status_set

    account = make_account(network="wireless")
    NasDevice.objects.create(name="t1", address="127.0.0.1", secret="s")
    accounting_record({"User-Name": account.number, "Acct-Status-Type": "Start", "NAS-IP-Address": "127.0.0.1",
                       "Acct-Session-Id": "S"})
    account_status_set(account=account, to="delinquent", actor=BOT, reason="test")
    coas = NocRequest.objects.filter(account=account, channel=NocChannel.RADIUS_COA)
    assert [c.operation for c in coas] == [NocOperation.COA]
    account_status_set(account=account, to="suspended", actor=BOT, reason="test")
    assert coas.count() == 1  # the queued one carries the state at delivery
