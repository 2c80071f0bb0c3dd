"""The timeline (AUD-1) and scheduled events (PKG-7, CAN-1, DLQ-1 wireless disconnect)."""
from __future__ import annotations

from django.db import models


class InsertOnlyQuerySet(models.QuerySet):
    """AUD-1: records that cannot be edited or removed, not even in bulk."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model.__name__} is insert-only")

    def delete(self):
        raise PermissionError(f"{self.model.__name__} is insert-only")


class InsertOnlyModel(models.Model):
    objects = InsertOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(f"{type(self).__name__} is insert-only: it cannot be edited")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} is insert-only: it cannot be deleted")


class TimelineEntry(InsertOnlyModel):
    """One thing that happened: the account's activity feed, the audit trail (AUD-1),
    the API's event list and the simulator's output are these records.

    `type` uses the vocabulary of scenarios.md; `data` holds its fields.
    """

    # no index of its own: the composite index that starts with it serves (issue 14:
    # one index less to write per row)
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.PROTECT,
        related_name="timeline", db_index=False,
    )
    date = models.DateField()
    at = models.DateTimeField()
    type = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    actor = models.CharField(max_length=150)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ("id",)
        indexes = [
            models.Index(fields=["account", "id"]),
            models.Index(fields=["date", "id"]),
        ]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"{self.date} {self.type}"


class ScheduledEventStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ScheduledEvent(models.Model):
    """Something the day run does for an account on a given day.

    `key` is the natural key (e.g. "uninstall:<account>:<date>") and unique, so asking
    twice schedules once and a day run done twice runs it once.
    """

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="scheduled_events"
    )
    action = models.CharField(max_length=64)
    run_on = models.DateField()
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=ScheduledEventStatus.choices, default=ScheduledEventStatus.PENDING
    )
    key = models.CharField(max_length=200, unique=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(blank=True)

    class Meta:
        ordering = ("run_on", "id")
        indexes = [models.Index(fields=["status", "run_on"])]

    def __str__(self) -> str:
        return f"{self.action} on {self.run_on}"


class DayRun(models.Model):
    """One whole-book day run as it happened (issue 10: the admin's home page shows
    the last ones): per stage the count and seconds, and the error that stopped it.
    A log, not an action: running a day twice writes two rows."""

    as_of = models.DateField()
    started_at = models.DateTimeField()
    seconds = models.FloatField()
    counts = models.JSONField(default=dict, blank=True)
    stage_seconds = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"day run {self.as_of} ({'failed' if self.error else 'done'})"
