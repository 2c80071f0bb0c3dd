"""Reads of the outbox: what was written to a customer, and whether it went out."""
from __future__ import annotations

from lastmile.core.errors import NotFound

from .models import Channel, OutboxMessage


def account_emails(*, account, limit: int = 200):
    """The account's emails as written, newest first, with their delivery state (texts
    are `account_texts`)."""
    return OutboxMessage.objects.filter(account=account, channel=Channel.EMAIL).order_by(
        "-created_at", "-id")[:limit]


def account_texts(*, account, limit: int = 200):
    """The account's text messages (NOT-1), newest first, with their delivery state."""
    return OutboxMessage.objects.filter(account=account, channel=Channel.SMS).order_by(
        "-created_at", "-id")[:limit]


def text_preferences(*, account) -> dict:
    """Which of the account's numbers take texts, and whether the customer opted out."""
    from lastmile.accounts.models import Account

    opted_out = Account.objects.filter(pk=account.pk).values_list("sms_opt_out", flat=True).first()
    numbers = list(account.phones.order_by("position", "id").values_list("number", "mobile"))
    return {"opted_out": bool(opted_out), "phones": [n for n, _ in numbers],
            "mobile": [n for n, mobile in numbers if mobile]}


def account_email_get(*, account, message_id: int) -> OutboxMessage:
    """One email of this account (another account's id is not found, not shown)."""
    try:
        return OutboxMessage.objects.get(account=account, pk=message_id, channel=Channel.EMAIL)
    except OutboxMessage.DoesNotExist:
        raise NotFound(f"account {account.number} has no email {message_id}", field="email") from None
