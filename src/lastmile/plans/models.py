"""Plan changes and trials (PKG-1..PKG-10, BIL-2).

A `PlanChange` is one request to move an account to another package, whatever
became of it: applied at once, waiting on an admin's ticket (PKG-4, PKG-10),
scheduled for a future day (PKG-7), declined, or not made because the customer
reported speed problems (PKG-3). It keeps the consent and the identity check of
PKG-6 and the ledger entries of its proration (BIL-2), so a trial's charges can be
voided later (PKG-5).
"""
from __future__ import annotations

from django.db import models

from .choices import ChangeKind, ChangeStatus, Consent, PendingOn, TrialStatus


class PlanChange(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="plan_changes")
    from_package = models.ForeignKey("catalog.Package", on_delete=models.PROTECT, related_name="+")
    to_package = models.ForeignKey("catalog.Package", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    status = models.CharField(max_length=10, choices=ChangeStatus.choices)
    pending_on = models.CharField(max_length=24, choices=PendingOn.choices, blank=True, default="")
    requested_on = models.DateField()
    requested_at = models.DateTimeField()
    # PKG-7: the day the change takes effect; None = the day it is applied
    effective_on = models.DateField(null=True, blank=True)
    applied_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)  # PKG-3: why the customer wants Premium
    speed_issues = models.BooleanField(default=False)  # PKG-3
    consent = models.CharField(max_length=16, choices=Consent.choices)  # PKG-6
    consent_reference = models.CharField(max_length=200, blank=True)  # PKG-6
    identity_verified = models.BooleanField(default=False)  # PKG-6
    # BIL-2: the proration entries this change posted (voided by a trial revert, PKG-5)
    proration_entry_ids = models.JSONField(default=list, blank=True)
    # PKG-6: the price the agent read to the customer before the change (plan_change_preview)
    quoted = models.JSONField(default=dict, blank=True)
    ticket_id = models.BigIntegerField(null=True, blank=True)  # the ticket it waits on / opened
    requested_by = models.CharField(max_length=150)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ("requested_at", "id")
        indexes = [models.Index(fields=["account", "status"])]
        constraints = [
            # one change waiting on an admin per account: asking twice opens no second ticket
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(status=ChangeStatus.PENDING),
                name="one_pending_plan_change_per_account",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_package=models.F("to_package")),
                name="plan_change_moves_package",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_package_id}->{self.to_package_id} ({self.status})"


class Trial(models.Model):
    """PKG-5: a few days on a higher package; revertible until the next statement
    after its end is issued, after which it is simply kept."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="trials")
    from_package = models.ForeignKey("catalog.Package", on_delete=models.PROTECT, related_name="+")
    to_package = models.ForeignKey("catalog.Package", on_delete=models.PROTECT, related_name="+")
    plan_change = models.OneToOneField(PlanChange, on_delete=models.PROTECT, related_name="trial")
    started_on = models.DateField()
    ends_on = models.DateField()  # the trial's last day (the reminder task's day)
    status = models.CharField(max_length=10, choices=TrialStatus.choices, default=TrialStatus.ACTIVE)
    proration_entry_ids = models.JSONField(default=list, blank=True)
    reverted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("started_on", "id")
        indexes = [models.Index(fields=["status", "ends_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(status=TrialStatus.ACTIVE),
                name="one_active_trial_per_account",
            ),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("started_on")),
                                   name="trial_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"trial {self.started_on}..{self.ends_on} ({self.status})"
