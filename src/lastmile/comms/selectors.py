"""Reads of the outbox: what was written to a customer, and whether it went out."""
from __future__ import annotations

from lastmile.core.errors import NotFound

from .models import OutboxMessage


def account_emails(*, account, limit: int = 200):
    """The account's emails as written, newest first, with their delivery state."""
    return OutboxMessage.objects.filter(account=account).order_by("-created_at", "-id")[:limit]


def account_email_get(*, account, message_id: int) -> OutboxMessage:
    """One email of this account (another account's id is not found, not shown)."""
    try:
        return OutboxMessage.objects.get(account=account, pk=message_id)
    except OutboxMessage.DoesNotExist:
        raise NotFound(f"account {account.number} has no email {message_id}", field="email") from None
