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


_many: dict[tuple[str, Callable], Callable] = {}


def subscribe(event: str, handler: Callable, *, many: Callable | None = None) -> None:
    """`many(payloads)`, when given, takes a whole batch of the event at once (the
    day run's bulk paths publish thousands: issue 14), answering with one query
    what `handler` would ask per event."""
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)
    if many is not None:
        _many[(event, handler)] = many


def publish(event: str, **payload) -> None:
    for handler in list(_subscribers[event]):
        handler(**payload)


def publish_many(event: str, payloads: list[dict]) -> None:
    """The same events as `publish` once per payload, with each subscriber handed
    the whole batch in turn (its `many` handler, or its handler per payload).
    Subscribers are other contexts and independent of each other, so handler by
    handler is the same as event by event."""
    if not payloads:
        return
    for handler in list(_subscribers[event]):
        many = _many.get((event, handler))
        if many is not None:
            many(payloads)
        else:
            for payload in payloads:
                handler(**payload)
