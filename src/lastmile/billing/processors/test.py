"""The built-in test processor: the default, used by the demo, the simulator and the
tests. It approves every token except those that begin with `decline`.

Its reference is derived from the idempotency key, so asking twice with one key
gives the same reference, as a real processor's idempotency layer would.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal

from .base import ChargeResult, Processor


class TestProcessor(Processor):
    __test__ = False  # not a pytest class
    name = "test"

    def charge(self, *, token: str, amount: Decimal, idempotency_key: str,
               description: str = "", metadata: dict | None = None,
               off_session: bool = False) -> ChargeResult:
        ref = "tp_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
        if token.startswith("decline"):
            return ChargeResult(False, ref, "card declined", code="card_declined")
        return ChargeResult(True, ref)

    @classmethod
    def token_hint(cls) -> str:
        return ("Test processor: any card number works except 4000 0000 0000 0002, which is declined. "
                "The number stays in your browser; only a test token is sent.")
