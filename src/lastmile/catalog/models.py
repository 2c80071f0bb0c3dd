"""Packages and their prices (PKG-1)."""
from django.db import models


class Package(models.Model):
    """A ranked package: a higher rank is an upgrade (PKG-1)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    monthly = models.DecimalField(max_digits=12, decimal_places=2)
    rank = models.PositiveSmallIntegerField(unique=True)
    sold = models.BooleanField(default=True, help_text="Still sold to new changes (PKG-9).")
    requires_review = models.BooleanField(
        default=False,
        help_text="PKG-3/PKG-4: upgrades to it need a reason and a check of availability.",
    )

    class Meta:
        ordering = ("rank",)
        constraints = [models.CheckConstraint(condition=models.Q(monthly__gte=0), name="package_price_not_negative")]

    def __str__(self) -> str:
        return f"{self.name} (${self.monthly}/mo)"
