"""Delinquency cases, their steps and payment arrangements (DLQ-1 .. DLQ-7)."""
from __future__ import annotations

from django.db import models


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class CaseOutcome(models.TextChoices):
    """The outcomes of `delinquency.closed` in scenarios.md."""

    PAID = "paid", "Paid in full"
    ARRANGEMENT = "arrangement", "Arrangement kept"
    CANCELLED = "cancelled", "Account cancelled"
    CLAIM = "claim", "Where is my payment?"


class Case(models.Model):
    """One delinquency case: one open per account at a time (later unpaid statements
    join it). It records the policy name and version it follows (DLQ-1).

    `next_due_on` is the day its next step falls due, recomputed whenever a step runs
    or the case changes, so the day run selects due cases with one indexed query.
    """

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="delinquency_cases")
    policy_name = models.CharField(max_length=100)
    policy_version = models.PositiveIntegerField()
    d = models.DateField(help_text="D, the delinquency day the steps count from")
    opened_on = models.DateField()
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.CharField(max_length=12, choices=CaseOutcome.choices, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    paused = models.BooleanField(default=False)  # DLQ-4: an arrangement is being kept
    resume_on = models.DateField(null=True, blank=True)  # DLQ-4: forced next step that day
    contact_since = models.DateField()  # DLQ-2: contact counts from here (open or last resume)
    last_contact_on = models.DateField(null=True, blank=True)
    contacts = models.JSONField(default=list, blank=True)  # [{on, how}], DLQ-2
    next_due_on = models.DateField(null=True, blank=True)
    shut_off = models.BooleanField(default=False)  # DLQ-1 "shut off" done and not yet restored
    ticket_id = models.BigIntegerField(null=True, blank=True)
    grace_until = models.DateField(null=True, blank=True)  # DLQ-6: no new case before this day

    class Meta:
        ordering = ("-opened_on", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(status="open"), name="one_open_case_per_account"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_due_on"]),
            models.Index(fields=["grace_until"]),
        ]

    def __str__(self) -> str:
        return f"case #{self.pk} {self.policy_name} v{self.policy_version} ({self.status})"

    @property
    def contacted(self) -> bool:
        """DLQ-2: the customer was reached since the case opened or last resumed."""
        return self.last_contact_on is not None and self.last_contact_on >= self.contact_since


class StepOutcome(models.TextChoices):
    RAN = "ran", "Ran"
    SKIPPED = "skipped", "Skipped"


class CaseStep(models.Model):
    """A step run or skipped, once per case (the unique pair makes a repeated day run
    do nothing)."""

    # no index of its own: the composite index that starts with it serves (issue 14:
    # one index less to write per row)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps", db_index=False)
    step = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField()
    on = models.DateField()
    outcome = models.CharField(max_length=8, choices=StepOutcome.choices)
    reason = models.CharField(max_length=200, blank=True)
    forced = models.BooleanField(default=False)
    at = models.DateTimeField()

    class Meta:
        ordering = ("case", "position")
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="one_run_per_case_step")]

    def __str__(self) -> str:
        return f"{self.step} {self.outcome} on {self.on}"


class ArrangementStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"  # DLQ-4: an agent's proposal, waiting for a manager
    DECLINED = "declined", "Declined"
    SUPERSEDED = "superseded", "Superseded"  # a manager's own arrangement replaced the proposal
    ACTIVE = "active", "Active"
    KEPT = "kept", "Kept"
    BROKEN = "broken", "Broken"


class Arrangement(models.Model):
    """DLQ-4: specific dates with specific amounts, approved by a manager.

    Installment i is met when payments posted since `after_entry_id` reach the
    cumulative amount through i by the end of its date. `check_after` is the date
    of the first installment not yet met: the day run breaks the arrangement once
    that day is over.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="arrangements")
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="arrangements")
    installments = models.JSONField()  # [{"on": "YYYY-MM-DD", "amount": "12.50"}]
    after_entry_id = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ArrangementStatus.choices, default=ArrangementStatus.ACTIVE)
    check_after = models.DateField(null=True, blank=True)
    created_on = models.DateField()
    created_at = models.DateTimeField()
    approved_by = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.CharField(max_length=150, blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.CharField(max_length=150, blank=True)
    declined_reason = models.TextField(blank=True, default="")
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="active"), name="one_active_arrangement_per_case"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="proposed"), name="one_open_proposal_per_case"
            ),
        ]
        indexes = [models.Index(fields=["status", "check_after"])]

    def __str__(self) -> str:
        return f"arrangement #{self.pk} ({self.status})"


class ClaimMethod(models.TextChoices):
    BILL_PAY = "bill_pay", "bill pay"
    CHECK = "check", "check by mail"


class PaymentClaim(models.Model):
    """DLQ-6 "Where is my payment?": what the customer says was sent. It shows on the
    account until a payment posted after it arrives (resolved) or the grace ends."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="claims")
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="payment_claims")
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    method = models.CharField(max_length=10, choices=ClaimMethod.choices, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()
    after_entry_id = models.BigIntegerField(default=0)  # a payment after this entry resolves it
    grace_until = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    resolved_by_entry = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("-recorded_at", "-id")
        constraints = [models.UniqueConstraint(fields=["case"], name="one_claim_per_case")]

    def __str__(self) -> str:
        return f"payment claim #{self.pk} ({self.account_id})"
