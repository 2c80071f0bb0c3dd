from django.db import models


class PremiumAvailability(models.TextChoices):
    """PKG-4: whether the top package can be sold at a service address."""

    YES = "yes", "Available"
    NO = "no", "Not available"
    UNKNOWN = "unknown", "Unknown"
