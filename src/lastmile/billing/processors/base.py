"""The card processor as lastmile sees it (BIL-5, BIL-6, POR-1).

Only a processor token (a test token, or Stripe's PaymentMethod id created in the
customer's browser) and the last four digits ever reach lastmile; so a processor is
asked to charge a token, never a card number. Every attempt carries its own
idempotency key, so that a retry after a lost answer charges once.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ChargeResult:
    """What became of one attempt.

    `approved` means the money is taken now. `pending` means the processor did not
    give a final answer (a timeout, or a payment still processing): nothing is posted
    now and the processor's webhook posts it if it succeeds. `reference` is the
    processor's id for the attempt (Stripe: the PaymentIntent id).
    """

    approved: bool
    reference: str
    message: str = ""
    pending: bool = False
    code: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)


class Processor(abc.ABC):
    name: str = ""

    @abc.abstractmethod
    def charge(self, *, token: str, amount: Decimal, idempotency_key: str,
               description: str = "", metadata: dict | None = None,
               off_session: bool = False) -> ChargeResult:
        """Charge `amount` (dollars, Decimal) to the card behind `token`.

        A decline is an answer (approved False), not an exception; only a programming
        or configuration error raises.
        """

    @classmethod
    def token_hint(cls) -> str:
        """The sentence the card form shows about where the token comes from."""
        return "The card is sent to the processor from your browser; only a token comes back."


def cents(amount: Decimal) -> int:
    """Dollars to the processor's smallest unit, exactly (no float on the way)."""
    return int((Decimal(amount) * 100).to_integral_value())
