"""A what-if asked for in the console: it runs in its own process (minutes at a
large ISP), so the request is recorded and its result kept for the manager to read."""
from django.db import models

from .choices import RunStatus


class WhatIfRun(models.Model):
    requested_by = models.CharField(max_length=150)
    requested_at = models.DateTimeField()
    policy = models.CharField(max_length=200)
    network = models.CharField(max_length=16)
    start = models.DateField()
    months = models.PositiveSmallIntegerField()
    minutes_per_call = models.PositiveSmallIntegerField(default=6)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-requested_at", "-id")

    def __str__(self) -> str:
        return f"what if {self.network} followed {self.policy} from {self.start} ({self.status})"
