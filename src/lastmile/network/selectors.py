"""Reads of the network context: what waits on the NOC (NET-1, DLQ-7)."""
from __future__ import annotations

from lastmile.tickets.choices import TicketStatus
from lastmile.tickets.models import Ticket

from .choices import NocOperation, NocRequestState, WorkOrderStatus
from .models import NocRequest, WorkOrder


def noc_requests_pending(*, account=None):
    """Requests sent and not yet confirmed (failed ones are retried, see noc_requests_by_state)."""
    qs = NocRequest.objects.filter(state=NocRequestState.SENT)
    if account is not None:
        qs = qs.filter(account=account)
    return qs.order_by("sent_at", "id")


def noc_requests_by_state(*, state: str, account=None):
    qs = NocRequest.objects.filter(state=state)
    if account is not None:
        qs = qs.filter(account=account)
    return qs.order_by("sent_at", "id")


def noc_requests_of(*, account):
    """The account's requests, newest first (the console's network panel)."""
    return NocRequest.objects.filter(account=account).order_by("-sent_at", "-id")


def restore_pending(*, account) -> NocRequest | None:
    """The reinstatement waiting on the NOC (DLQ-7), if any."""
    return (NocRequest.objects.filter(account=account, operation=NocOperation.UNSUSPEND, restore_pending=True)
            .order_by("-id").first())


def noc_followups(*, account=None, open_only: bool = True):
    """`noc_followup` tickets: call the NOC (unconfirmed, VLAN wrong, not deliverable)."""
    qs = Ticket.objects.filter(kind="noc_followup")
    if open_only:
        qs = qs.filter(status=TicketStatus.OPEN)
    if account is not None:
        qs = qs.filter(account=account)
    return qs.order_by("opened_at", "id")


def work_orders_open(*, on=None):
    qs = WorkOrder.objects.filter(status=WorkOrderStatus.OPEN)
    if on is not None:
        qs = qs.filter(scheduled_on__lte=on)
    return qs.order_by("scheduled_on", "id")


def noc_request_get(*, request_id: int) -> NocRequest:
    from lastmile.core.errors import NotFound

    try:
        return NocRequest.objects.select_related("account", "account__address").get(pk=request_id)
    except NocRequest.DoesNotExist:
        raise NotFound(f"there is no NOC request #{request_id}", field="request") from None


def noc_desk(*, state: str = NocRequestState.SENT):
    """NET-1: the NOC desk: requests in `state` (sent: not yet confirmed), oldest
    first. Wireless work orders are the technicians' (completing one confirms it)."""
    from .choices import NocChannel

    return (NocRequest.objects.select_related("account", "account__address").filter(state=state)
            .exclude(channel=NocChannel.WORK_ORDER).order_by("sent_at", "id"))
