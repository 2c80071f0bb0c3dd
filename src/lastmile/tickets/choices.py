from django.db import models


class TicketKind(models.TextChoices):
    """The `kind` of `ticket.opened` in scenarios.md."""

    DELINQUENCY = "delinquency", "Delinquency"
    TROUBLESHOOTING = "troubleshooting", "Troubleshooting"
    PREMIUM_AVAILABILITY = "premium_availability", "Premium availability"
    CANCELLATION = "cancellation", "Cancellation"
    UTOPIA_ADMIN = "utopia_admin", "UTOPIA admin"
    CONTRACT_LOOKUP = "contract_lookup", "Contract lookup"
    NOC_FOLLOWUP = "noc_followup", "NOC follow-up"


class TicketStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class CallOutcome(models.TextChoices):
    """DLQ-2: only `reached` is contact; voicemail and no answer are attempts."""

    REACHED = "reached", "Reached the customer"
    VOICEMAIL = "voicemail", "Left a voicemail"
    NO_ANSWER = "no_answer", "No answer"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
    NOT_NEEDED = "not_needed", "Not needed"  # DLQ-3: the customer was reached another way, or the step is over
