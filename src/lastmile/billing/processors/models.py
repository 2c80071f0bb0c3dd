"""Every card attempt made through a processor, with what became of it.

The natural keys make posting exactly-once: `intent_id` (the processor's id for the
payment: Stripe's PaymentIntent id) and `idempotency_key` (one per attempt) are
unique, so a webhook delivered twice, or a webhook that races the answer of the
request itself, posts one payment.
"""
from __future__ import annotations

from django.db import models


class AttemptStatus(models.TextChoices):
    SUCCEEDED = "succeeded", "Paid"
    PENDING = "pending", "Waiting for the processor"
    DECLINED = "declined", "Declined"
    REFUSED = "refused", "Paid at the processor but not posted (needs a person)"


class AttemptPurpose(models.TextChoices):
    PORTAL = "portal", "Customer portal"
    AUTOPAY = "autopay", "Autopay (BIL-5)"


class ProcessorPayment(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="card_attempts")
    processor = models.CharField(max_length=16)
    intent_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    ledger_key = models.CharField(max_length=200)
    purpose = models.CharField(max_length=10, choices=AttemptPurpose.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    last4 = models.CharField(max_length=4, blank=True)
    status = models.CharField(max_length=10, choices=AttemptStatus.choices)
    message = models.CharField(max_length=300, blank=True)
    entry = models.OneToOneField("billing.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="card_attempt")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("id",)
        indexes = [models.Index(fields=["account", "id"])]

    def __str__(self) -> str:
        return f"{self.processor} {self.intent_id or self.idempotency_key}: {self.status}"
