"""Card processors behind one adapter: `processor()` is the one configured by
`LASTMILE_PAYMENTS` (test, the default, or stripe)."""
from __future__ import annotations

from .base import ChargeResult, Processor, cents

__all__ = ["ChargeResult", "Processor", "cents", "processor", "processor_name"]


def processor_name() -> str:
    from django.conf import settings

    return (getattr(settings, "LASTMILE_PAYMENTS", "test") or "test").strip().lower()


def processor() -> Processor:
    name = processor_name()
    if name == "test":
        from .test import TestProcessor

        return TestProcessor()
    if name == "stripe":
        from .stripe import StripeProcessor

        return StripeProcessor.from_settings()
    raise RuntimeError(f"LASTMILE_PAYMENTS={name!r} is not a processor; use test or stripe")
