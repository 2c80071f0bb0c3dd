"""Reads the API and the console share that no context offers on its own.

Views call these (and the contexts' selectors); nothing here writes.
"""
from __future__ import annotations

from lastmile.accounts.models import Account, Note, PaymentCard
from lastmile.accounts.selectors import account_search
from lastmile.core.errors import NotFound
from lastmile.core.models import TimelineEntry
from lastmile.tickets.choices import TaskStatus, TicketStatus
from lastmile.tickets.models import CallTask, Ticket, TicketNote


def account_list(*, query: str = ""):
    """Search by name, address, address ID or account number; every account without a query."""
    if (query or "").strip():
        ids = [a.pk for a in account_search(query=query, limit=200)]
        return Account.objects.select_related("package", "address").filter(pk__in=ids).order_by("name", "number")
    return Account.objects.select_related("package", "address").order_by("number")


def account_timeline(*, account, newest_first: bool = False, types: list[str] | None = None):
    """The account's timeline: the same records the simulator prints (AUD-1)."""
    qs = TimelineEntry.objects.filter(account=account)
    if types:
        qs = qs.filter(type__in=types)
    return qs.order_by("-id" if newest_first else "id")


def account_notes(*, account):
    return Note.objects.filter(account=account).order_by("written_at", "id")


def account_cards(*, account):
    """BIL-6: newest first; the first is the default card."""
    return PaymentCard.objects.filter(account=account).order_by("-added_at", "-id")


def ticket_list(*, status: str | None = TicketStatus.OPEN, account=None, kind: str | None = None):
    qs = Ticket.objects.select_related("account")
    if status:
        qs = qs.filter(status=status)
    if account is not None:
        qs = qs.filter(account=account)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-opened_at", "-id")


def ticket_get(*, ticket_id: int) -> Ticket:
    try:
        return Ticket.objects.select_related("account").get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise NotFound(f"there is no ticket #{ticket_id}", field="ticket") from None


def ticket_notes(*, ticket: Ticket):
    return TicketNote.objects.filter(ticket=ticket).order_by("written_at", "id")


def call_task_queue(*, status: str | None = TaskStatus.OPEN, account=None):
    """DLQ-3: the agents' work queue, oldest call first."""
    qs = CallTask.objects.select_related("account", "account__address")
    if status:
        qs = qs.filter(status=status)
    if account is not None:
        qs = qs.filter(account=account)
    return qs.order_by("created_at", "id")


def call_task_get(*, task_id: int) -> CallTask:
    try:
        return CallTask.objects.select_related("account").get(pk=task_id)
    except CallTask.DoesNotExist:
        raise NotFound(f"there is no call task #{task_id}", field="task") from None
