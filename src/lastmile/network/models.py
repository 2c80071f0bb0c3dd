"""Requests to the network operator (NET-1, NET-2) and wireless work orders."""
from django.db import models

from .choices import (
    NasKind,
    NocChannel,
    NocOperation,
    NocRequestState,
    WorkOrderKind,
    WorkOrderStatus,
)


class NocRequest(models.Model):
    """One suspend / unsuspend / cancel / disconnect request, with the address ID and
    address it was confirmed against (NET-2) and its state (NET-1).

    An `unsuspend` request carries the reinstatement that waits on it (DLQ-7):
    `restore_pending` until the NOC confirmed and the VLAN check passed, then
    `completed_at`. `followup_at` is when the "call the NOC" ticket was opened (once).
    A request whose delivery failed is retried by a periodic job (`attempts`,
    `next_attempt_at`).
    """

    # no index of its own: the composite index that starts with it serves (issue 14:
    # one index less to write per row)
    account = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="noc_requests", db_index=False)
    operation = models.CharField(max_length=16, choices=NocOperation.choices)
    channel = models.CharField(max_length=16, choices=NocChannel.choices)
    address_id = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=NocRequestState.choices, default=NocRequestState.SENT)
    key = models.CharField(max_length=250, unique=True)
    sent_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    detail = models.TextField(blank=True)
    batch = models.JSONField(default=list, blank=True)
    requested_by = models.CharField(max_length=150, blank=True)
    restore_pending = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    followup_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("sent_at", "id")
        indexes = [models.Index(fields=["state", "operation"]), models.Index(fields=["account", "operation"])]

    def __str__(self) -> str:
        return f"{self.operation} {self.address_id} ({self.state})"


class WorkOrder(models.Model):
    """NET-1 wireless: a disconnect or reconnect for a technician; completing it is the
    network's confirmation of its request."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="work_orders")
    request = models.OneToOneField(NocRequest, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="work_order")
    kind = models.CharField(max_length=16, choices=WorkOrderKind.choices)
    scheduled_on = models.DateField()
    status = models.CharField(max_length=8, choices=WorkOrderStatus.choices, default=WorkOrderStatus.OPEN)
    key = models.CharField(max_length=250, unique=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ("scheduled_on", "id")
        indexes = [models.Index(fields=["status", "scheduled_on"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.account_id} on {self.scheduled_on} ({self.status})"


class NasDevice(models.Model):
    """NET-3: a NAS (a MikroTik router, an access concentrator) that asks FreeRADIUS
    about subscribers and takes CoA / Disconnect requests on `coa_port` (RFC 5176).
    Managed in the Django admin; matched by the NAS-IP-Address of accounting."""

    name = models.CharField(max_length=100)
    address = models.GenericIPAddressField(unique=True, help_text="NAS-IP-Address; CoA requests go here.")
    secret = models.CharField(max_length=128, help_text="The RADIUS shared secret the NAS uses for CoA.")
    kind = models.CharField(max_length=16, choices=NasKind.choices, default=NasKind.MIKROTIK)
    coa_port = models.PositiveIntegerField(default=3799)
    active = models.BooleanField(default=True)
    # the RouterOS API (kind routeros_api): lastmile adds a suspended subscriber's
    # address to the walled-garden address list and removes it when service is back
    api_port = models.PositiveIntegerField(default=8728, help_text="8728, or 8729 with TLS.")
    api_username = models.CharField(max_length=64, blank=True)
    api_password = models.CharField(max_length=128, blank=True)
    api_tls = models.BooleanField(default=False, help_text="api-ssl (8729); the router's certificate is verified.")

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return f"{self.name} ({self.address})"


class Subscriber(models.Model):
    """NET-3: an account's RADIUS identity and the session the NAS holds for it.

    The RADIUS username is `radius_username` (the account number unless set). The
    session (`nas`, `session_id`, `session_ip`) comes from RADIUS accounting: Start
    and Interim-Update set it, Stop clears it. `applied` is what the NAS was last told
    (status and package), so a change nobody published (a package move) is noticed
    by the minute job and re-sent."""

    account = models.OneToOneField("accounts.Account", on_delete=models.PROTECT, related_name="radius")
    radius_username = models.CharField(max_length=64, unique=True)
    radius_password = models.CharField(max_length=128, blank=True,
                                       help_text="Empty: the NAS authenticates the line (MAC/port); "
                                                 "FreeRADIUS accepts the username alone.")
    framed_address = models.GenericIPAddressField(null=True, blank=True)
    framed_pool = models.CharField(max_length=64, blank=True)
    nas = models.ForeignKey(NasDevice, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    session_id = models.CharField(max_length=64, blank=True)
    session_ip = models.GenericIPAddressField(null=True, blank=True)
    session_at = models.DateTimeField(null=True, blank=True)
    applied = models.CharField(max_length=80, blank=True)

    def __str__(self) -> str:
        return self.radius_username


class PackageRadiusProfile(models.Model):
    """NET-3: the RADIUS reply of a package, keyed by the package's code so the
    catalog needs no network fields. Without a row, the rate limit comes from the
    package's name ("100 Mbps" -> `100M/100M`) or the configured default."""

    package_code = models.SlugField(max_length=32, unique=True)
    rate_limit = models.CharField(max_length=100, blank=True, help_text="e.g. 50M/50M (Mikrotik-Rate-Limit)")
    rate_limit_attribute = models.CharField(max_length=64, default="Mikrotik-Rate-Limit")
    framed_pool = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.package_code
