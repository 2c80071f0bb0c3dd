"""Choice sets shared across contexts (NetBox style: one class per set)."""
from django.db import models


class AccountStatus(models.TextChoices):
    """The account statuses of scenarios.md; DLQ-9 says which are billed."""

    ACTIVE = "active", "Active"
    DELINQUENT = "delinquent", "Delinquent"
    SUSPENDED = "suspended", "Suspended"
    NOT_ACTIVE = "not_active", "Not active"
    UNINSTALL = "uninstall", "Uninstall"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def billed(cls) -> tuple[str, ...]:
        """DLQ-9: statements keep coming while active, delinquent or suspended."""
        return (cls.ACTIVE, cls.DELINQUENT, cls.SUSPENDED)

    @classmethod
    def shut_off(cls) -> tuple[str, ...]:
        """DLQ-7: service is off for non-payment; paying in full (or an approved
        arrangement) reinstates it."""
        return (cls.SUSPENDED, cls.NOT_ACTIVE)

    @classmethod
    def closed(cls) -> tuple[str, ...]:
        """CAN-1: no service left (plan changes, trials and cancellations are refused)."""
        return (cls.UNINSTALL, cls.CANCELLED)


class AccountKind(models.TextChoices):
    RESIDENTIAL = "residential", "Residential"
    COMMERCIAL = "commercial", "Commercial"


class Network(models.TextChoices):
    UTOPIA = "utopia", "UTOPIA fiber"
    WIRELESS = "wireless", "Fixed wireless"


class Role(models.TextChoices):
    """architecture.md roles; permissions are checked in services."""

    AGENT = "agent", "Agent"
    BILLING = "billing", "Billing"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"
    NOC = "noc", "NOC"
