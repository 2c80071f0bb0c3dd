"""Contracts (CON-1, CON-2) and cancellations (CAN-1 .. CAN-8)."""
from __future__ import annotations

from django.db import models

from lastmile.core.models import InsertOnlyModel

from .choices import (
    CancellationStatus,
    ContractKind,
    ContractSource,
    ContractStatus,
    EquipmentState,
)


class Contract(InsertOnlyModel):
    """CON-1: a contract belongs to an account. Insert-only (CON-2: every signature is
    kept; a renewal appends a new row and the latest one counts).

    `start` is when the term starts: the digital contract's start, the paper
    contract's signature date, the commercial first billing date (CON-3), the lease
    signing. `monthly` null means the account's plan price at the time of the quote.
    """

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="contracts")
    kind = models.CharField(max_length=16, choices=ContractKind.choices)
    source = models.CharField(max_length=8, choices=ContractSource.choices, blank=True, default="")
    start = models.DateField()
    months = models.PositiveSmallIntegerField()
    monthly = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    signed = models.DateField(null=True, blank=True)
    etf_override = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150)

    class Meta:
        ordering = ("account", "start", "id")
        indexes = [models.Index(fields=["account", "kind", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="residential") | models.Q(months__lte=12),
                name="residential_term_at_most_12_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source} from {self.start} ({self.months} months)"


class AccountContractStatus(models.Model):
    """CON-8: no row means month-to-month (`none`)."""

    account = models.OneToOneField("accounts.Account", on_delete=models.PROTECT, related_name="contract_status")
    status = models.CharField(max_length=8, choices=ContractStatus.choices, default=ContractStatus.NONE)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.status


class Cancellation(models.Model):
    """One request to end service (CAN-1) and everything that follows from it."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="cancellations")
    status = models.CharField(max_length=20, choices=CancellationStatus.choices)
    requested_on = models.DateField()
    requested_at = models.DateTimeField()
    requested_by = models.CharField(max_length=150)
    last_day = models.DateField()
    reason = models.TextField()
    improve = models.TextField(blank=True)
    moved_out = models.BooleanField(default=False)
    # CAN-4: what the customer asked, whether it was in time, and what was done
    prorate_requested = models.BooleanField(default=False)
    prorate_in_time = models.BooleanField(default=False)
    prorate_applied = models.BooleanField(default=False)
    short_notice = models.BooleanField(default=False)  # CAN-3
    # the quote (CON-4..CON-7)
    under_contract = models.BooleanField(default=False)
    months_remaining = models.PositiveSmallIntegerField(default=0)
    etf = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    confirmed_on = models.DateField(null=True, blank=True)
    uninstall_on = models.DateField(null=True, blank=True)
    pickup_on = models.DateField(null=True, blank=True)
    equipment = models.CharField(max_length=12, choices=EquipmentState.choices, default=EquipmentState.PENDING)
    equipment_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("-requested_at", "-id")
        indexes = [models.Index(fields=["equipment", "uninstall_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(status__in=CancellationStatus.open()),
                name="one_open_cancellation_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"cancellation of {self.account_id}, last day {self.last_day} ({self.status})"
