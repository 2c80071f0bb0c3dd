"""Writes to the catalog."""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from lastmile.core.errors import InvalidInput
from lastmile.core.money import money

from .models import Package

DEFAULT_CATALOG = (
    {"code": "basic", "name": "Basic", "monthly": "50.00", "rank": 1},
    {"code": "classic", "name": "Classic", "monthly": "65.00", "rank": 2},
    {"code": "premium", "name": "Premium", "monthly": "85.00", "rank": 3},
)


@transaction.atomic
def catalog_load(*, plans=DEFAULT_CATALOG) -> list[Package]:
    """Create or update the packages; the highest rank is the one that needs review (PKG-3)."""
    if not plans:
        raise InvalidInput("give at least one package", field="plans")
    codes, ranks = set(), set()
    for i, plan in enumerate(plans):
        for key in ("code", "name", "monthly", "rank"):
            if key not in plan:
                raise InvalidInput(f"package {i + 1} has no {key}", field=f"plans[{i}].{key}")
        if plan["code"] in codes:
            raise InvalidInput(f"package code {plan['code']!r} appears twice", field="plans")
        if plan["rank"] in ranks:
            raise InvalidInput(f"rank {plan['rank']} appears twice", field="plans")
        codes.add(plan["code"])
        ranks.add(plan["rank"])
    top = max(ranks)
    result = []
    for plan in plans:
        monthly = money(plan["monthly"])
        if monthly < Decimal("0"):
            raise InvalidInput("a monthly price cannot be negative", field="monthly")
        pkg, _ = Package.objects.update_or_create(
            code=plan["code"],
            defaults=dict(
                name=plan["name"], monthly=monthly, rank=plan["rank"],
                requires_review=plan.get("requires_review", plan["rank"] == top),
                sold=plan.get("sold", True),
            ),
        )
        result.append(pkg)
    return result
