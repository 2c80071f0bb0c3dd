"""Domain events between contexts, so billing need not import delinquency.

A context publishes what happened (a payment posted, the customer was reached); other
contexts subscribe in their AppConfig.ready(). Handlers run in the publisher's
transaction, so a failure leaves nothing half done.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

_subscribers: dict[str, list[Callable]] = defaultdict(list)

# the events there are, and what they carry
# a payment reduces the balance too: PAYMENT_POSTED alone says so (one subscriber
# call on the hot path, issue 14), so a handler of reductions subscribes to both
PAYMENT_POSTED = "payment_posted"  # account, entry, actor
BALANCE_REDUCED = "balance_reduced"  # account, actor (a credit, a void, a waiver; not a payment)
CUSTOMER_CONTACTED = "customer_contacted"  # account, how, actor  (DLQ-2)
AUTOPAY_ENABLED = "autopay_enabled"  # account, actor
STATUS_CHANGED = "status_changed"  # account, previous, to, actor
SERVICE_RESTORED = "service_restored"  # account, actor  (DLQ-7: NOC confirmed, VLAN back, portal on)
PACKAGE_CHANGED = "package_changed"  # account, previous, to, actor  (packages' codes; NET-3 re-sends the rate)


def subscribe(event: str, handler: Callable) -> None:
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def publish(event: str, **payload) -> None:
    for handler in list(_subscribers[event]):
        handler(**payload)
