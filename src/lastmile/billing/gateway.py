"""The card processor seen by autopay (BIL-5): kept as an import path; the adapter
lives in `billing.processors` (the test processor is the default)."""
from __future__ import annotations

from .processors import ChargeResult, processor
from .processors.test import TestProcessor

__all__ = ["ChargeResult", "TestProcessor", "processor"]
