"""NET-3 for ISPs without RADIUS: enforcement through a MikroTik address list.

The router drops (or redirects to the captive page) the addresses on the
walled-garden list; lastmile adds a subscriber's address there when service is shut
off and removes it when service is back. It talks the RouterOS API (TCP 8728, or
api-ssl 8729) with librouteros (GPL-2.0-or-later, so usable in this AGPL-3.0
project; RouterOS-api, MIT, was set aside because its wheel installs a top-level
`tests` package over ours), logging in with the post-6.43 plain login.

The change is made at once, inside the request's transaction, like the UTOPIA CRM's
POST: the router's `!done` confirms the request; a router that cannot be reached or
answers `!trap` fails it, and `noc_requests_retry` sends it again with backoff.
Adding and removing are idempotent (the list is read first), so a retry, or a run
killed between the router's answer and the commit, does no harm.
"""
from __future__ import annotations

import logging
import os

from lastmile.core.choices import AccountStatus, Network

from .choices import NasKind, NocChannel, NocOperation

log = logging.getLogger(__name__)
RESOURCE = "/ip/firewall/address-list"
COMMENT = "lastmile"
# the statuses whose address is on the list (the walled garden, NET-3)
BLOCKED = {AccountStatus.SUSPENDED, AccountStatus.NOT_ACTIVE, AccountStatus.UNINSTALL, AccountStatus.CANCELLED}


def address_list() -> str:
    """LASTMILE_ROUTEROS_LIST, else the list of the RADIUS walled garden."""
    from . import radius

    name = os.environ.get("LASTMILE_ROUTEROS_LIST", "").strip()
    return name or radius.walled_garden().get("Mikrotik-Address-List", "lastmile_suspended")


def timeout() -> float:
    return float(os.environ.get("LASTMILE_ROUTEROS_TIMEOUT", "5"))


def target_of(account):
    """The subscriber and router when the account is enforced by an address list:
    a wireless account whose subscriber has a fixed address behind an active
    `routeros_api` NAS."""
    from .models import Subscriber

    if account is None or account.pk is None or account.network != Network.WIRELESS:
        return None
    return (Subscriber.objects.select_related("nas")
            .filter(account=account, nas__active=True, nas__kind=NasKind.ROUTEROS_API, framed_address__isnull=False)
            .first())


def blocked_for(request) -> bool:
    """Whether the request puts the address on the list (True) or takes it off."""
    if request.operation in (NocOperation.SUSPEND, NocOperation.DISCONNECT, NocOperation.CANCEL):
        return True
    if request.operation == NocOperation.UNSUSPEND:
        return False
    return request.account.status in BLOCKED  # a CoA: whatever the account is now


class RouterOsAddressList:
    channel = NocChannel.ROUTEROS

    def send(self, request):
        from .dispatch import Dispatch

        sub = target_of(request.account)
        if sub is None:
            return Dispatch(self.channel, False, "the account has no address behind a RouterOS router", failed=True)
        nas, ip, blocked = sub.nas, str(sub.framed_address), blocked_for(request)
        where = f"{nas.name} ({nas.address}:{nas.api_port})"
        try:
            changed = list_set(nas, ip, blocked, comment=f"{COMMENT} {request.account.number}")
        except Exception as exc:  # the library raises its own, socket and SSL errors alike
            log.warning("RouterOS API at %s failed: %s", where, exc)
            return Dispatch(self.channel, False, f"RouterOS API at {where} failed: {exc}", failed=True)
        verb = "added to" if blocked else "removed from"
        done = f"{ip} {verb} address list {address_list()} on {where}"
        return Dispatch(self.channel, True, done if changed else f"{done} (it already was)")

    def vlan_of(self, account) -> int | None:
        return None


def list_set(nas, ip: str, blocked: bool, *, comment: str = COMMENT) -> bool:
    """Put `ip` on the walled-garden list of `nas`, or take it off; True when the
    router's list changed."""
    import ssl

    from librouteros import connect
    from librouteros.query import Key

    wrapper = None
    if nas.api_tls:
        context = ssl.create_default_context()
        context.check_hostname = False  # routers' certificates name no host; the chain is still verified
        wrapper = lambda sock: context.wrap_socket(sock)  # noqa: E731
    api = connect(nas.address, nas.api_username or "admin", nas.api_password, port=nas.api_port,
                  timeout=timeout(), ssl_wrapper=wrapper)
    try:
        entries = api.path(*RESOURCE.strip("/").split("/"))
        present = [row[".id"] for row in entries.select(Key(".id")).where(
            Key("list") == address_list(), Key("address") == ip)]
        if blocked and not present:
            entries.add(list=address_list(), address=ip, comment=comment)
            return True
        if not blocked and present:
            entries.remove(*present)
            return True
        return False
    finally:
        api.close()
