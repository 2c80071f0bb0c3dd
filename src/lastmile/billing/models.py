"""The ledger and statements (BIL-1, BIL-4).

The ledger is append-only: a mistake is corrected by a void entry that points at
it, never by an edit (BIL-7: a payment reversal points at its payment the same way,
through `voids`, so a payment can be reversed once). The balance is the sum of the entries; nothing stores one.
"""
from __future__ import annotations

from django.db import models

from lastmile.core.models import InsertOnlyModel

from .choices import ChargeKind, EntryType, PaymentMethod, ReversalReason


class LedgerEntry(InsertOnlyModel):
    """One movement of money. `amount` is signed: positive raises what the customer owes."""

    # no index of its own: the composite index that starts with it serves (issue 14:
    # one index less to write per row)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="ledger", db_index=False)
    entry_type = models.CharField(max_length=10, choices=EntryType.choices)
    kind = models.CharField(max_length=20, choices=ChargeKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    posted_on = models.DateField()
    posted_at = models.DateTimeField()
    method = models.CharField(max_length=10, choices=PaymentMethod.choices, blank=True)
    voids = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="voided_by"
    )
    # natural key of an automatic entry ("recurring:<account>:<period>"): posted once
    key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    description = models.CharField(max_length=300, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    actor = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    # BIL-7: the charge an adjustment corrects (nullable, so adding it keeps the
    # insert-only triggers: no table rebuild)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    # BIL-7: why a payment reversal happened (returned check, NSF, chargeback)
    reason_code = models.CharField(max_length=20, choices=ReversalReason.choices, null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = [models.Index(fields=["account", "id"])]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.posted_on} {self.kind} {self.amount}"


class Statement(models.Model):
    """A monthly statement, issued in advance on the bill-cycle day (BIL-1).

    It carries every entry of the account after the previous statement's last one,
    up to and including `through_entry_id`, so its lines are derived from the ledger.
    """

    # no index of its own: the composite index that starts with it serves (issue 14:
    # one index less to write per row)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="statements", db_index=False)
    period_start = models.DateField()
    period_end = models.DateField()
    issued_on = models.DateField()
    due_on = models.DateField()
    recurring = models.DecimalField(max_digits=12, decimal_places=2)
    balance = models.DecimalField(max_digits=12, decimal_places=2)
    amount_due = models.DecimalField(max_digits=12, decimal_places=2)
    previous_entry_id = models.BigIntegerField(default=0)
    through_entry_id = models.BigIntegerField()

    class Meta:
        ordering = ("account", "period_start")
        constraints = [
            models.UniqueConstraint(fields=["account", "period_start"], name="one_statement_per_period"),
            models.CheckConstraint(condition=models.Q(amount_due__gte=0), name="amount_due_not_negative"),
        ]
        # (due_on, id): a due date's statements and its newest one at once, which the
        # reports' daily close asks of every due date (issue 14)
        indexes = [models.Index(fields=["due_on", "id"], name="billing_statement_due_id")]

    def __str__(self) -> str:
        return f"statement {self.period_start}..{self.period_end} due {self.due_on}: {self.amount_due}"
