"""What an adapter's send returns, shared by every channel (adapters, coa, routeros),
so the channels depend on it and not on each other."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dispatch:
    channel: str
    confirmed: bool
    detail: str = ""
    failed: bool = False
    queued: bool = False  # NET-3: written now, delivered after the transaction (network.coa)


def simulating() -> bool:
    """Inside `lastmile simulate` (or a what-if): the simulated network answers."""
    from lastmile.simulation.state import simulating as on

    return on()
