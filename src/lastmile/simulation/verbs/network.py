"""noc_confirm: the NOC confirms the account's oldest waiting request (NET-1, DLQ-7)."""
from __future__ import annotations

from lastmile.core.errors import InvalidInput
from lastmile.network.services import noc_request_confirm

from ..registry import TEXT, verb


@verb("noc_confirm", operation=TEXT)
def noc_confirm(ctx, account, actor, operation=None):
    """With `noc_auto_confirm: false` requests wait; this confirms one, which completes
    a waiting reinstatement and closes its noc_followup ticket."""
    if not operation:
        raise InvalidInput("say which request the NOC confirmed: suspend, unsuspend, cancel or disconnect",
                           field="operation")
    noc_request_confirm(account=account, operation=str(operation), actor=actor)
