"""core.scheduling's batch handlers (issue 14): the due events of one action claimed
together, each carried out once, by the batch handler or by the one-event handler."""
from __future__ import annotations

import datetime as dt

import pytest

from lastmile.core import scheduling
from lastmile.core.models import ScheduledEvent, ScheduledEventStatus
from lastmile.core.scheduling import event_schedule, run_due
from tests.mixins import make_account

pytestmark = pytest.mark.django_db

ACTION = "test-batch-action"
DAY = dt.date(2026, 9, 10)


@pytest.fixture
def handlers(monkeypatch):
    """A one-event handler and a batch handler that takes only even account ids."""
    calls = {"one": [], "batch": []}

    def one(*, event, actor):
        calls["one"].append(event.account_id)
        return f"one by one for {event.account_id}"

    def batch(*, events, actor):
        calls["batch"].append(sorted(e.account_id for e in events))
        return {e.pk: "in the batch" for e in events if e.account_id % 2 == 0}

    monkeypatch.setitem(scheduling._handlers, ACTION, one)
    monkeypatch.setitem(scheduling._batch_handlers, ACTION, batch)
    return calls


def _schedule(account, run_on, key):
    return event_schedule(account=account, action=ACTION, run_on=run_on, actor="test", key=key)


def test_batch_takes_what_it_can_and_leaves_the_rest_to_the_one_event_handler(today, catalog, handlers):
    accounts = [make_account(name=f"Batch {i}") for i in range(4)]
    events = [_schedule(a, DAY, f"k{a.pk}") for a in accounts]
    assert run_due(DAY) == 4
    assert handlers["batch"] == [sorted(a.pk for a in accounts)]
    odd = sorted(a.pk for a in accounts if a.pk % 2)
    assert sorted(handlers["one"]) == odd
    for event in events:
        event.refresh_from_db()
        assert event.status == ScheduledEventStatus.DONE and event.done_at is not None
        assert event.result == ("in the batch" if event.account_id % 2 == 0
                                else f"one by one for {event.account_id}")
    # the day again: everything is done, nothing runs twice
    assert run_due(DAY) == 0
    assert len(handlers["batch"]) == 1 and sorted(handlers["one"]) == odd


def test_an_accounts_second_event_runs_after_the_batch_in_order(today, catalog, handlers):
    account = make_account(name="Twice")
    first = _schedule(account, DAY - dt.timedelta(days=1), "first")
    second = _schedule(account, DAY, "second")
    later = _schedule(account, DAY + dt.timedelta(days=1), "not yet")
    assert run_due(DAY) == 2
    # the batch saw the account once (its older event); the newer one went alone
    assert handlers["batch"] == [[account.pk]]
    assert len(handlers["one"]) == (1 if account.pk % 2 == 0 else 2)
    statuses = dict(ScheduledEvent.objects.filter(pk__in=[first.pk, second.pk, later.pk])
                    .values_list("key", "status"))
    assert statuses == {"first": "done", "second": "done", "not yet": "pending"}
