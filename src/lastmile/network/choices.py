from django.db import models


class NocOperation(models.TextChoices):
    SUSPEND = "suspend", "Suspend"
    UNSUSPEND = "unsuspend", "Unsuspend"
    CANCEL = "cancel", "Cancel"
    DISCONNECT = "disconnect", "Disconnect"
    COA = "coa", "Change of authorization"  # NET-3: a status or package change re-sent to the NAS


class NocRequestState(models.TextChoices):
    """NET-1: every request is recorded with its state."""

    SENT = "sent", "Sent"
    CONFIRMED = "confirmed", "Confirmed"
    FAILED = "failed", "Failed"


class NocChannel(models.TextChoices):
    EMAIL = "email", "UTOPIA NOC email"
    CRM = "crm", "UTOPIA CRM"
    WORK_ORDER = "work_order", "Wireless work order"
    SIMULATED = "simulated", "Simulated network"
    RADIUS_COA = "radius_coa", "RADIUS CoA to the NAS"  # NET-3
    ROUTEROS = "routeros", "MikroTik address list (RouterOS API)"  # NET-3, for ISPs without RADIUS


class NasKind(models.TextChoices):
    """NET-3: what the NAS is, so the reply speaks its dictionary."""

    MIKROTIK = "mikrotik", "MikroTik RouterOS"
    OTHER = "other", "Other (RFC 5176)"
    ROUTEROS_API = "routeros_api", "MikroTik, address list by the RouterOS API (no RADIUS)"


class WorkOrderKind(models.TextChoices):
    """NET-1 wireless: a technician disconnects or reconnects the radio."""

    DISCONNECT = "disconnect", "Disconnect"
    RECONNECT = "reconnect", "Reconnect"


class WorkOrderStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
