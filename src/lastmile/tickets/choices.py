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


# who works each kind of ticket, as the seeds set them (group, category, type, assignee)
ROUTING: dict[str, tuple[str, str, str, str]] = {
    TicketKind.DELINQUENCY: ("Billing", "Delinquency", "Collections", "Billing"),
    TicketKind.TROUBLESHOOTING: ("Support", "Speed", "Troubleshooting", "Support"),
    TicketKind.PREMIUM_AVAILABILITY: ("Admin", "Premium availability", "Review", "Admin"),
    TicketKind.CANCELLATION: ("Billing", "Misc", "Transfer", "NOC"),  # CAN-2
    TicketKind.UTOPIA_ADMIN: ("Admin", "UTOPIA", "Account change", "Admin"),
    TicketKind.CONTRACT_LOOKUP: ("Billing", "Contracts", "Lookup", "Onboarding specialist"),
    TicketKind.NOC_FOLLOWUP: ("NOC", "Reinstatement", "Call NOC", "NOC"),
}
