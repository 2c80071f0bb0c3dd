"""Network adapters (NET-1): how a request reaches the operator.

- UTOPIA by email to its NOC (configurable to/CC; defaults on example.invalid),
- UTOPIA by its CRM (HTTP; loopback only unless configured),
- wireless by a disconnect/reconnect work order,
- the simulated network of `lastmile simulate`, which confirms the same day unless
  `noc_auto_confirm: false`.
Each returns whether the operator already confirmed.
"""
from __future__ import annotations

from dataclasses import dataclass

from lastmile.core import ispconfig

from .choices import NocChannel


@dataclass(frozen=True)
class Dispatch:
    channel: str
    confirmed: bool
    detail: str = ""


class SimulatedNetwork:
    channel = NocChannel.SIMULATED

    def send(self, request) -> Dispatch:
        return Dispatch(self.channel, ispconfig.current().noc_auto_confirm, "simulated network")

    def vlan_of(self, account) -> int:
        return ispconfig.current().restored_vlan


class UtopiaEmail:
    """Seed 002: an email to the NOC with name, address ID, address and the request."""

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
        return None  # checked by a person logging in to the ONT


class WirelessWorkOrder:
    channel = NocChannel.WORK_ORDER

    def send(self, request) -> Dispatch:
        return Dispatch(self.channel, False, f"work order: {request.operation}")

    def vlan_of(self, account) -> int | None:
        return None


def adapter_for(account, *, simulated: bool | None = None):
    from django.conf import settings as django_settings

    if simulated is None:
        simulated = getattr(django_settings, "LASTMILE_SIMULATED_NETWORK", False) or _simulating()
    if simulated:
        return SimulatedNetwork()
    if account is not None and account.network == "wireless":
        return WirelessWorkOrder()
    return UtopiaEmail()


def _simulating() -> bool:
    from lastmile.simulation.state import simulating

    return simulating()
