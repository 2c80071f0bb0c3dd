from __future__ import annotations

from lastmile.core.errors import NotFound

from .models import Package


def package_get(*, code: str) -> Package:
    try:
        return Package.objects.get(code=code)
    except Package.DoesNotExist:
        known = ", ".join(Package.objects.values_list("code", flat=True))
        raise NotFound(f"there is no package {code!r}; the packages are {known}", field="to") from None


def package_list():
    return Package.objects.order_by("rank")
