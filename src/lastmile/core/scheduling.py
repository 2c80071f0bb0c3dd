"""Scheduled events (PKG-7 future changes, CAN-1 uninstall, wireless disconnects).

Contexts register a handler per action; the day run runs every pending event due on
or before its day. Claiming an event is a conditional update inside the handler's
transaction, so two workers never run one event twice.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from . import clock, timeline
from .actors import Actor, automation
from .models import ScheduledEvent, ScheduledEventStatus

_handlers: dict[str, Callable[..., str | None]] = {}
_batch_handlers: dict[str, Callable[..., dict[int, str]]] = {}
BATCH = 1000


def scheduled_action(action: str):
    """Register the handler that carries out `action` on its day."""

    def register(fn):
        _handlers[action] = fn
        return fn

    return register


def scheduled_action_batch(action: str):
    """Register a handler for many of `action`'s events due together.

    Why: a what-if's two months on 100,000 accounts disconnect tens of thousands of
    wireless accounts one event at a time (issue 14). The batch handler gets the
    claimed events (at most one per account) and returns {event id: result} for
    those it carried out exactly as the one-event handler would; the events it
    leaves go through the one-event handler, in the same transaction.
    """

    def register(fn):
        _batch_handlers[action] = fn
        return fn

    return register


@transaction.atomic
def event_schedule(
    *, account, action: str, run_on: dt.date, actor: Actor | str, key: str | None = None,
    payload: dict | None = None, reason: str = "", record: bool = True,
) -> ScheduledEvent:
    """Schedule once per natural key; asking again returns the existing event."""
    key = key or f"{action}:{account.pk}:{run_on.isoformat()}"
    event, created = ScheduledEvent.objects.get_or_create(
        key=key,
        defaults=dict(
            account=account, action=action, run_on=run_on, payload=payload or {},
            created_by=str(actor), created_at=clock.now(),
        ),
    )
    if created and record:
        timeline.record(
            "scheduled.created", account=account, actor=actor, why=reason,
            action=action, on=run_on,
        )
    return event


@transaction.atomic
def event_cancel(*, event: ScheduledEvent, actor: Actor | str, reason: str) -> bool:
    claimed = ScheduledEvent.objects.filter(
        pk=event.pk, status=ScheduledEventStatus.PENDING
    ).update(status=ScheduledEventStatus.CANCELLED, done_at=clock.now(), result=reason[:500])
    if claimed:
        timeline.record(
            "scheduled.cancelled", account=event.account, actor=actor, why=reason,
            action=event.action, on=event.run_on,
        )
    return bool(claimed)


def pending_events(*, account, action: str | None = None):
    qs = ScheduledEvent.objects.filter(account=account, status=ScheduledEventStatus.PENDING)
    return qs.filter(action=action) if action else qs


def anything_due(as_of: dt.date) -> bool:
    """A raw guard on the (status, run_on) index: most days nothing is scheduled."""
    from . import bulk

    return bulk.exists(
        f"SELECT 1 FROM {bulk.table(ScheduledEvent)} WHERE status = %s AND run_on <= %s LIMIT 1",
        [ScheduledEventStatus.PENDING.value, bulk.db_date(as_of, ScheduledEvent)],
    )


def run_due(as_of: dt.date, account_ids=None) -> int:
    """Run every pending event due by `as_of`, oldest first; returns how many ran."""
    if not anything_due(as_of):
        return 0
    qs = ScheduledEvent.objects.filter(status=ScheduledEventStatus.PENDING, run_on__lte=as_of)
    if account_ids is not None:
        qs = qs.filter(account_id__in=account_ids)
    due = list(qs.order_by("run_on", "id").values_list("id", "action", "account_id"))
    ran, i = 0, 0
    while i < len(due):
        action = due[i][1]
        if action not in _batch_handlers:
            ran += _run_one(due[i][0])
            i += 1
            continue
        # a run of the same action, oldest first: one event per account goes in the
        # batch, an account's later events run one by one after it (their order kept)
        j = i
        while j < len(due) and due[j][1] == action and j - i < BATCH:
            j += 1
        seen: set[int] = set()
        batch, after = [], []
        for event_id, _action, account_id in due[i:j]:
            (after if account_id in seen else batch).append(event_id)
            seen.add(account_id)
        ran += _run_batch(action, batch)
        ran += sum(_run_one(event_id) for event_id in after)
        i = j
    return ran


@transaction.atomic
def _run_batch(action: str, event_ids: list[int]) -> int:
    """Claim the batch's pending events (locked, so a second worker waits and then
    finds them done) and carry them out: the batch handler first, then the
    one-event handler for what it left."""
    from . import bulk

    events = list(ScheduledEvent.objects.select_for_update(of=("self",)).select_related("account")
                  .filter(pk__among=bulk.Ids(event_ids), status=ScheduledEventStatus.PENDING).order_by("pk"))
    if not events:
        return 0
    ScheduledEvent.objects.filter(pk__among=bulk.Ids(e.pk for e in events)).update(
        status=ScheduledEventStatus.DONE, done_at=clock.now())
    actor = automation(f"scheduled {action}")
    results = dict(_batch_handlers[action](events=events, actor=actor))
    handler = _handlers[action]
    for event in events:
        if event.pk not in results:
            results[event.pk] = handler(event=event, actor=actor)
    by_result: dict[str, list[int]] = {}
    for event_id, result in results.items():
        if result:
            by_result.setdefault(str(result)[:500], []).append(event_id)
    for result, ids in by_result.items():
        ScheduledEvent.objects.filter(pk__among=bulk.Ids(ids)).update(result=result)
    return len(events)


def _run_one(event_id: int) -> bool:
    with transaction.atomic():
        claimed = ScheduledEvent.objects.filter(
            pk=event_id, status=ScheduledEventStatus.PENDING
        ).update(status=ScheduledEventStatus.DONE, done_at=clock.now())
        if not claimed:
            return False
        event = ScheduledEvent.objects.select_related("account").get(pk=event_id)
        handler = _handlers.get(event.action)
        if handler is None:
            raise LookupError(f"no handler registered for scheduled action {event.action!r}")
        result = handler(event=event, actor=automation(f"scheduled {event.action}"))
        if result:
            ScheduledEvent.objects.filter(pk=event_id).update(result=str(result)[:500])
    return True
