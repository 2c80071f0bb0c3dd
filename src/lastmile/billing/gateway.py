"""The card processor seen by autopay (BIL-5).

lastmile stores only a processor token and the last four digits (BIL-6). The
built-in processor is the test processor the demo and the simulator use: it approves
every token except those that begin with `decline`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ChargeResult:
    approved: bool
    reference: str
    message: str = ""


class TestProcessor:
    def charge(self, *, token: str, amount: Decimal, idempotency_key: str) -> ChargeResult:
        ref = "tp_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
        if token.startswith("decline"):
            return ChargeResult(False, ref, "card declined")
        return ChargeResult(True, ref)


def processor():
    return TestProcessor()
