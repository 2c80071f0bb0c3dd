"""Choice sets of plan changes and trials (PKG-1..PKG-10)."""
from django.db import models


class ChangeKind(models.TextChoices):
    UPGRADE = "upgrade", "Upgrade"  # PKG-2/PKG-3: to a higher rank
    DOWNGRADE = "downgrade", "Downgrade"  # PKG-1: any time, no review
    TRIAL = "trial", "Trial"  # PKG-5: an upgrade on trial
    REVERT = "revert", "Trial revert"  # PKG-5: back to the package before the trial


class ChangeStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    PENDING = "pending", "Waiting on a ticket"  # PKG-4 availability, PKG-10 UTOPIA admin
    DECLINED = "declined", "Declined"  # the ticket's answer said no
    SCHEDULED = "scheduled", "Scheduled"  # PKG-7 a future effective date
    REFUSED = "refused", "Not made"  # PKG-3 speed issues: a troubleshooting ticket instead


class Consent(models.TextChoices):
    """PKG-6 (seed 003): a written agreement or a recorded verbal one."""

    WRITTEN = "written", "Written agreement"
    VERBAL_RECORDED = "verbal_recorded", "Recorded verbal agreement"


class PendingOn(models.TextChoices):
    """What a pending change waits for (`plan_change.pending` reason)."""

    NOTHING = "", "Nothing"
    PREMIUM_AVAILABILITY = "premium_availability", "Premium availability check"
    UTOPIA_ADMIN = "utopia_admin", "UTOPIA admin"


class TrialStatus(models.TextChoices):
    ACTIVE = "active", "Active"  # on the trial package, revert still possible
    KEPT = "kept", "Kept"  # the next statement after the trial was issued
    REVERTED = "reverted", "Reverted"
