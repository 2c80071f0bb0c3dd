"""What an import remembers (IMP-1, IMP-2), kept in this app so no other app's
tables change: the natural keys of every imported record, the old system's
statements and payments as read-only history, and the first bill date.
"""
from __future__ import annotations

from django.db import models


class ImportRun(models.Model):
    """One `lastmile import` (or one console confirmation): who, when, what, how many."""

    source = models.CharField(max_length=16)
    files = models.TextField()
    actor = models.CharField(max_length=150)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    ok = models.BooleanField(default=False)
    counts = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    first_bill_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"import #{self.pk} {self.source} {self.started_at:%Y-%m-%d %H:%M}"


class SourceRecord(models.Model):
    """IMP-1: (source system, kind, source id) is the natural key of an imported record.

    `data` is the row as lastmile read it, so an updated export can be compared
    field by field and only what changed is applied.
    """

    source = models.CharField(max_length=16)
    kind = models.CharField(max_length=16)
    source_id = models.CharField(max_length=100)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField(null=True, blank=True)
    checksum = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "source_id"], name="import_source_record_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id}"


class HistoryStatement(models.Model):
    """IMP-2: a statement the old system issued. Shown and reported, never billed,
    never in the ledger: the opening balance stays the source of truth."""

    source = models.CharField(max_length=16)
    source_id = models.CharField(max_length=100)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField()
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    checksum = models.CharField(max_length=40)

    class Meta:
        ordering = ("account", "issued_on", "id")
        indexes = [models.Index(fields=["account", "issued_on"])]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="import_history_statement_once"),
        ]


class HistoryPayment(models.Model):
    """IMP-2: a payment the old system took; history, not a ledger entry."""

    source = models.CharField(max_length=16)
    source_id = models.CharField(max_length=100)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    method = models.CharField(max_length=40, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    checksum = models.CharField(max_length=40)

    class Meta:
        ordering = ("account", "paid_on", "id")
        indexes = [models.Index(fields=["account", "paid_on"])]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="import_history_payment_once"),
        ]


class FirstBill(models.Model):
    """IMP-2: the first cycle date lastmile bills for an imported account, once.

    `basis`: `given` (the export said what it billed through), `history` (the latest
    imported statement), or `assumed` (nothing said: the period of the import day is
    taken as billed by the old system, so nobody is billed twice).
    """

    account = models.OneToOneField("accounts.Account", on_delete=models.PROTECT, related_name="+")
    on = models.DateField()
    basis = models.CharField(max_length=8)
    # what the export said the old system billed through (None when it did not say)
    billed_through = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["done", "on"])]

