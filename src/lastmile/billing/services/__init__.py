"""Every write to the ledger: posting (`ledger`) and correcting (`corrections`, BIL-7).

One import path for every caller: `from lastmile.billing.services import ...`.
"""
from .corrections import (
    adjustment_check,
    adjustment_post,
    charge_void,
    correction_allowed,
    credit_refund,
    needs_manager,
    payment_reverse,
    refund_check,
    refund_refusal,
    reversal_of,
    reversal_refusal,
)
from .ledger import (
    LARGEST,
    charge_post,
    dollars,
    entry_void,
    opening_balance_post,
    payment_post,
    void_refusal,
)

__all__ = [
    "LARGEST", "adjustment_check", "adjustment_post", "charge_post", "charge_void", "correction_allowed", "credit_refund",
    "dollars", "entry_void", "needs_manager", "opening_balance_post", "payment_post", "payment_reverse",
    "refund_check", "refund_refusal", "reversal_of", "reversal_refusal", "void_refusal",
]
