"""Endpoints an admin registers, and one delivery per (endpoint, timeline entry)
with the log of its attempts.

The unique (endpoint, entry) pair is the natural key of the fan-out: running it
twice, or on two workers at once, creates each delivery once.
"""
from __future__ import annotations

from django.db import models

from .protocol import new_secret


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=80, default=new_secret)
    event_types = models.JSONField(default=list)  # exact types, "family.*", or ["*"]
    active = models.BooleanField(default=True)
    # an endpoint receives what happens after it is registered, not the history
    start_after_entry_id = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up after 24 hours)"


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    entry = models.ForeignKey("core.TimelineEntry", on_delete=models.DO_NOTHING, db_constraint=False,
                              related_name="+")
    event_id = models.UUIDField()  # the same for every endpoint the entry goes to
    event_type = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("-id",)
        constraints = [models.UniqueConstraint(fields=["endpoint", "entry"], name="webhook_delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} to {self.endpoint_id}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, what the receiver answered, how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("delivery", "number")
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_once")]


class FanOutCursor(models.Model):
    """How far the fan-out has read the timeline: every entry up to `last_entry_id`
    has its deliveries. `gap_seen_at` times a hole in the ids (PostgreSQL: a
    transaction not yet committed, or one rolled back) that the cursor waits at."""

    name = models.CharField(max_length=30, primary_key=True)
    last_entry_id = models.BigIntegerField(default=0)
    gap_seen_at = models.DateTimeField(null=True, blank=True)
