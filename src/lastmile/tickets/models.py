"""Tickets (TKT-1), their notes, and the agents' work queue (call tasks, reminders)."""
from __future__ import annotations

from django.db import models

from lastmile.core.models import InsertOnlyModel

from .choices import CallOutcome, TaskStatus, TicketKind, TicketStatus


class Ticket(models.Model):
    """TKT-1: assignee (a user or a team such as NOC), group, category, type, status,
    subject, notes, account. `key` is the natural key of an automatic ticket."""

    # no index of its own: the composite index that starts with it serves (issue 14:
    # one index less to write per row)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="tickets", db_index=False)
    kind = models.CharField(max_length=32, choices=TicketKind.choices)
    subject = models.CharField(max_length=200)
    assignee = models.CharField(max_length=100)  # a team (Billing, NOC ...) or a user's name
    # set when the ticket is assigned to one person; `assignee` then holds their name
    assignee_user = models.ForeignKey("auth.User", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="assigned_tickets")
    group = models.CharField(max_length=50)
    category = models.CharField(max_length=50)
    ticket_type = models.CharField(max_length=50)
    status = models.CharField(max_length=10, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    opened_on = models.DateField()
    opened_at = models.DateTimeField()
    closed_on = models.DateField(null=True, blank=True)
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    # what the ticket waits on (a plan change, a cancellation), for its resolver
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-opened_at", "-id")
        indexes = [models.Index(fields=["account", "kind", "status"]), models.Index(fields=["status", "group"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}: {self.subject}"


class TicketNote(InsertOnlyModel):
    """TKT-1: every automatic step writes what it did here; never edited."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="notes")
    body = models.TextField()
    author = models.CharField(max_length=150)
    written_at = models.DateTimeField()

    class Meta:
        ordering = ("written_at", "id")


class CallTask(models.Model):
    """DLQ-3: one call per phone number on the account, in the agents' work queue.

    `batch` groups the tasks of one step: when all have an outcome and none reached
    the customer, that step's email goes out.
    """

    # no index of its own: the composite index that starts with it serves (issue 14:
    # one index less to write per row)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="call_tasks", db_index=False)
    phone = models.CharField(max_length=32)
    purpose = models.CharField(max_length=300)
    batch = models.CharField(max_length=200, db_index=True)
    key = models.CharField(max_length=250, unique=True)
    created_on = models.DateField()
    created_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=CallOutcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.CharField(max_length=150, blank=True)
    # db_default: the day run bulk-inserts call tasks without naming this column
    note = models.TextField(blank=True, default="", db_default="")  # what the agent wrote with the outcome
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["account", "status"]), models.Index(fields=["status", "created_on"])]

    def __str__(self) -> str:
        return f"call {self.phone}: {self.purpose}"


class Task(models.Model):
    """A dated to-do in the work queue: a trial's last day (PKG-5), an equipment
    pickup in float (CAN-5), a call to the NOC (DLQ-7)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    key = models.CharField(max_length=250, unique=True)
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("due_on", "id")
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_on}: {self.title}"
