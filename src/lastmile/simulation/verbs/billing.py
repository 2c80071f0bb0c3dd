"""Scenario verbs of the foundation: payment, customer_called, enable_autopay."""
from __future__ import annotations

from lastmile.accounts.selectors import default_card
from lastmile.accounts.services import autopay_enable, card_add, customer_contact_record
from lastmile.billing.services import payment_post
from lastmile.core.errors import InvalidInput

from ..registry import MONEY, TEXT, verb


@verb("payment", amount=MONEY, method=TEXT)
def payment(ctx, account, actor, amount=None, method=None):
    if amount is None:
        raise InvalidInput("a payment needs its amount", field="amount")
    if method is None:
        raise InvalidInput("a payment needs its method (card, phone, check, bill_pay, cash)", field="method")
    payment_post(account=account, amount=amount, method=method, actor=actor)


@verb("customer_called")
def customer_called(ctx, account, actor):
    customer_contact_record(account=account, how="customer called", actor=actor)


@verb("enable_autopay")
def enable_autopay(ctx, account, actor):
    """The customer gives a card over the phone; the processor returns a token (BIL-6)."""
    if default_card(account=account) is None:
        card_add(account=account, token=f"tok_sim_{account.number}", last4="4242", brand="visa",
                 actor=actor, why="Card given to set up autopay.")
    autopay_enable(account=account, actor=actor)
