"""Requests to the network operator (NET-1, NET-2) and wireless work orders."""
from django.db import models

from .choices import NocChannel, NocOperation, NocRequestState, WorkOrderKind, WorkOrderStatus


class NocRequest(models.Model):
    """One suspend / unsuspend / cancel / disconnect request, with the address ID and
    address it was confirmed against (NET-2) and its state (NET-1).

    An `unsuspend` request carries the reinstatement that waits on it (DLQ-7):
    `restore_pending` until the NOC confirmed and the VLAN check passed, then
    `completed_at`. `followup_at` is when the "call the NOC" ticket was opened (once).
    A request whose delivery failed is retried by a periodic job (`attempts`,
    `next_attempt_at`).
    """

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
    requested_by = models.CharField(max_length=150, blank=True)
    restore_pending = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    followup_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("sent_at", "id")
        indexes = [models.Index(fields=["state", "operation"]), models.Index(fields=["account", "operation"])]

    def __str__(self) -> str:
        return f"{self.operation} {self.address_id} ({self.state})"


class WorkOrder(models.Model):
    """NET-1 wireless: a disconnect or reconnect for a technician; completing it is the
    network's confirmation of its request."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="work_orders")
    request = models.OneToOneField(NocRequest, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="work_order")
    kind = models.CharField(max_length=16, choices=WorkOrderKind.choices)
    scheduled_on = models.DateField()
    status = models.CharField(max_length=8, choices=WorkOrderStatus.choices, default=WorkOrderStatus.OPEN)
    key = models.CharField(max_length=250, unique=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ("scheduled_on", "id")
        indexes = [models.Index(fields=["status", "scheduled_on"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.account_id} on {self.scheduled_on} ({self.status})"
