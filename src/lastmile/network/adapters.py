"""Network adapters (NET-1): how a request reaches the operator.

- UTOPIA by email to its NOC (configurable to/CC; defaults on example.invalid),
- UTOPIA by its CRM (`utopia_channel: crm`): an HTTP POST of JSON to `utopia_crm_url`,
- wireless with a NAS session by RADIUS CoA (network.coa, NET-3), behind a MikroTik
  without RADIUS by its address list (network.routeros), else by a
  disconnect/reconnect work order,
- the simulated network of `lastmile simulate`, which confirms at once unless
  `noc_auto_confirm: false`.

`send(request)` returns a Dispatch: whether the operator already confirmed, or
whether delivery failed (the request is then `failed` and retried by a periodic job).
`vlan_of(account)` reads the ONT's VLAN (DLQ-7) when the adapter can; None means a
person checks it when confirming.
"""
from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request

from lastmile.core import clock, ispconfig

from .choices import NocChannel, NocOperation, WorkOrderKind
from .dispatch import Dispatch
from .dispatch import simulating as _simulating

CRM_TIMEOUT_SECONDS = 5
log = logging.getLogger(__name__)




class SimulatedNetwork:
    """The simulator's network: confirms each request at once when `noc_auto_confirm`
    is on; its ONTs come back on the configured VLAN unless a test says otherwise."""

    channel = NocChannel.SIMULATED
    vlans: dict[int, int] = {}  # account id -> VLAN, for tests of a mismatch

    def send(self, request) -> Dispatch:
        return Dispatch(self.channel, ispconfig.current().noc_auto_confirm, "simulated network")

    def vlan_of(self, account) -> int | None:
        return self.vlans.get(account.pk, ispconfig.current().restored_vlan)


class UtopiaEmail:
    """Seed 002: an email to the NOC with name, address ID, address and the request,
    through the outbox (delivered by `comms.services.outbox_deliver` with retries).
    Not recorded as the customer's `email.sent`: it is the NOC's mail."""

    channel = NocChannel.EMAIL

    def send(self, request) -> Dispatch:
        from lastmile.comms.services import email_send

        settings = ispconfig.current()
        email_send(
            template=f"noc_{request.operation}", to=[settings.noc_email], cc=list(settings.noc_cc),
            account=request.account, actor="automation: NOC adapter", key=f"noc:{request.key}",
            context={"request": request}, record=False,
        )
        return Dispatch(self.channel, False, f"emailed {settings.noc_email}")

    def vlan_of(self, account) -> int | None:
        return None  # checked by the NOC person who confirms


class UtopiaCrm:
    """UTOPIA's CRM: one JSON POST per request. The request key goes along so the CRM
    can recognise a retry. Any transport error or non-2xx answer is a failure; an
    answer `{"status": "confirmed"}` confirms at once."""

    channel = NocChannel.CRM
    # a CRM that is down is not asked again for a minute: a day run shutting off many
    # accounts must not wait out a timeout for each; the retry job sends them later
    BREAKER_SECONDS = 60
    _down_until: dict[str, float] = {}

    def send(self, request) -> Dispatch:
        url = ispconfig.current().utopia_crm_url
        if time.monotonic() < self._down_until.get(url, 0.0):
            return Dispatch(self.channel, False, f"CRM at {url} failed moments ago; queued for retry",
                            failed=True)
        dispatch = self._post(url, request)
        if dispatch.failed:
            self._down_until[url] = time.monotonic() + self.BREAKER_SECONDS
        else:
            self._down_until.pop(url, None)
        return dispatch

    def _post(self, url: str, request) -> Dispatch:
        account = request.account
        payload = {
            "key": request.key, "operation": request.operation, "address_id": request.address_id,
            "address": request.address, "name": account.name if account else "",
            "account_number": account.number if account else "",
            "reason": "Shut off for non payment" if request.operation == NocOperation.SUSPEND else "",
            "sent_at": clock.now().isoformat(),
        }
        http = urllib.request.Request(
            url, data=json.dumps(payload).encode(), method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(http, timeout=CRM_TIMEOUT_SECONDS) as response:  # noqa: S310
                body = response.read(65536)
                status = response.status
        except urllib.error.HTTPError as exc:
            return Dispatch(self.channel, False, f"CRM answered HTTP {exc.code} at {url}", failed=True)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return Dispatch(self.channel, False, f"CRM unreachable at {url}: {exc}", failed=True)
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            answer = {}
        confirmed = isinstance(answer, dict) and answer.get("status") == "confirmed"
        return Dispatch(self.channel, confirmed, f"CRM HTTP {status} at {url}")

    def vlan_of(self, account) -> int | None:
        return None


class WirelessWorkOrder:
    """Wireless: a work order for a technician, scheduled today; completing it
    (`work_order_complete`) confirms the request."""

    channel = NocChannel.WORK_ORDER

    def send(self, request) -> Dispatch:
        from .models import WorkOrder

        kind = WorkOrderKind.RECONNECT if request.operation == NocOperation.UNSUSPEND else WorkOrderKind.DISCONNECT
        WorkOrder.objects.get_or_create(
            key=f"wo:{request.key}",
            defaults=dict(account=request.account, request=request, kind=kind, scheduled_on=clock.today(),
                          created_at=clock.now()),
        )
        return Dispatch(self.channel, False, f"work order: {kind}")

    def vlan_of(self, account) -> int | None:
        return None


def adapter_for(account, *, simulated: bool | None = None):
    """The adapter of the account's network (NET-1); the simulator's network when
    simulating or when settings.LASTMILE_SIMULATED_NETWORK is on."""
    from django.conf import settings as django_settings

    if simulated is None:
        simulated = getattr(django_settings, "LASTMILE_SIMULATED_NETWORK", False) or _simulating()
    if simulated:
        return SimulatedNetwork()
    if account is not None and account.network == "wireless":
        from .coa import RadiusCoa, session_of
        from .routeros import RouterOsAddressList, target_of

        # NET-3: a NAS holding the session takes a CoA; a router without RADIUS takes
        # the address on its walled-garden list; without either a technician goes
        if session_of(account):
            return RadiusCoa()
        return RouterOsAddressList() if target_of(account) else WirelessWorkOrder()
    channel = (ispconfig.current().utopia_channel or "email").strip().lower()
    if channel == "crm":
        return UtopiaCrm()
    if channel != "email":
        log.warning("utopia_channel %r is neither email nor crm; the NOC is emailed", channel)
    return UtopiaEmail()
