"""Requests to the network operator (NET-1, NET-2)."""
from django.db import models

from .choices import NocChannel, NocOperation, NocRequestState


class NocRequest(models.Model):
    """One suspend / unsuspend / cancel / disconnect request, with the address ID and
    address it was confirmed against (NET-2) and its state (NET-1)."""

    account = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="noc_requests")
    operation = models.CharField(max_length=16, choices=NocOperation.choices)
    channel = models.CharField(max_length=16, choices=NocChannel.choices)
    address_id = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=NocRequestState.choices, default=NocRequestState.SENT)
    key = models.CharField(max_length=250, unique=True)
    sent_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    detail = models.TextField(blank=True)
    batch = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("sent_at", "id")
        indexes = [models.Index(fields=["state", "operation"]), models.Index(fields=["account", "operation"])]

    def __str__(self) -> str:
        return f"{self.operation} {self.address_id} ({self.state})"
