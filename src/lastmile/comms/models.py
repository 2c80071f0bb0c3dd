"""The outbox: an email or a text is written in the same transaction as the change
that causes it, and delivered afterwards with retries; delivery is recorded, never
lost, never duplicated (`key` is unique)."""
from django.db import models


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up)"
    SKIPPED = "skipped", "Not sent"  # NOT-1: e.g. the balance was paid before it went out


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class OutboxMessage(models.Model):
    account = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="messages")
    template = models.CharField(max_length=64)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    key = models.CharField(max_length=250, unique=True)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # BIL-8: what to render and attach at delivery ("statement" + the statement's id);
    # rendering is the outbox's step, never the caller's (the bill run stays fast)
    attachment_kind = models.CharField(max_length=20, blank=True, default="", db_default="")
    attachment_ref = models.BigIntegerField(null=True, blank=True)
    # db_default on each: the delinquency day run bulk-inserts rows without naming them
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL,
                               db_default=Channel.EMAIL)
    html_body = models.TextField(blank=True, default="", db_default="")  # the email's HTML part
    skip_reason = models.CharField(max_length=300, blank=True, default="", db_default="")
    provider_ref = models.CharField(max_length=64, blank=True, default="", db_default="")  # Twilio's sid

    class Meta:
        ordering = ("id",)
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["attachment_kind", "attachment_ref"])]

    def __str__(self) -> str:
        what = "text" if self.channel == Channel.SMS else self.template
        return f"{what} to {', '.join(self.to)}"
