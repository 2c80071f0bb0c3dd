from django.db import models


class ContractKind(models.TextChoices):
    """CON-1 residential or commercial; CAN-8 a UTOPIA lease (UTOPIA's, not ours)."""

    RESIDENTIAL = "residential", "Residential"
    COMMERCIAL = "commercial", "Commercial"
    UTOPIA_LEASE = "utopia_lease", "UTOPIA lease"


class ContractSource(models.TextChoices):
    """CON-2: a digital contract (start and term) or a paper one (signature date)."""

    DIGITAL = "digital", "Digital"
    PAPER = "paper", "Paper"
    NONE = "", "-"


class ContractStatus(models.TextChoices):
    """CON-8: month-to-month unless we know of a contract; unknown needs a lookup."""

    NONE = "none", "No contract (month-to-month)"
    KNOWN = "known", "Contract on file"
    UNKNOWN = "unknown", "Unknown: needs a lookup"


class CancellationStatus(models.TextChoices):
    WAITING_UTOPIA = "waiting_utopia", "Waiting for the UTOPIA admin (CAN-8)"
    WAITING_CONTRACT = "waiting_contract", "Waiting for the contract lookup (CON-8)"
    CONFIRMED = "confirmed", "Confirmed, uninstall scheduled"
    UNINSTALLED = "uninstalled", "Uninstalled"
    DECLINED = "declined", "Declined by the admin"

    @classmethod
    def open(cls) -> tuple[str, ...]:
        """A cancellation still under way: the account cannot ask for another."""
        return (cls.WAITING_UTOPIA, cls.WAITING_CONTRACT, cls.CONFIRMED)


class EquipmentState(models.TextChoices):
    """CAN-5/CAN-6: where the POE is."""

    PENDING = "pending", "Pickup pending"
    RETURNED = "returned", "Returned"
    FAILED = "failed", "Pickup failed, fee charged"
    FEE_CHARGED = "fee_charged", "Not returned in time, fee charged"
