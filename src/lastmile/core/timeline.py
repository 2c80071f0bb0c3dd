"""Writing the timeline (AUD-1: who, when, why; insert-only).

Values are stored as the scenarios print them: money as two-decimal strings, dates
as ISO strings.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from . import clock
from .actors import Actor
from .models import TimelineEntry
from .money import fmt

_PLAIN = frozenset({str, int, bool, float, type(None)})


def _jsonable(value):
    if type(value) in _PLAIN:  # most fields: nothing to convert (the day run writes 10^5 rows)
        return value
    if isinstance(value, (Decimal, dt.date)):
        return _json_default(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _json_default(value):
    """What `_jsonable` turns to text, for json's own encoder: it walks the data in C
    and asks only about the values it cannot write (a delinquency day writes 54,000
    entries, issue 14)."""
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, dt.date):  # a datetime too
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_ENCODER = json.JSONEncoder(default=_json_default)


def record(type_: str, *, account, actor: Actor | str, why: str = "", **data) -> TimelineEntry:
    """Write one timeline entry dated by the injected clock; `why` is the audit reason (AUD-1).

    One cached INSERT ... RETURNING instead of `Model.save` (issue 6: every service
    writes one of these, so it is on the path of every payment).
    """
    from . import bulk

    now = clock.now()
    entry = TimelineEntry(
        account=account, date=now.date(), at=now, type=type_, data=_jsonable(data),
        actor=str(actor), reason=why,
    )
    pk = bulk.insert_one(TimelineEntry, {
        "account": account.pk if account is not None else None,
        "date": bulk.db_date(entry.date, TimelineEntry), "at": bulk.db_datetime(now, TimelineEntry),
        "type": type_, "data": bulk.json_text(entry.data), "actor": entry.actor, "reason": why,
    }, json_fields={"data"})
    return bulk.loaded(entry, pk)


def build(type_: str, *, account_id: int | None, actor: Actor | str, why: str = "", **data):
    """An unsaved entry for `bulk_create` (the bill run writes thousands at once)."""
    now = clock.now()
    return TimelineEntry(
        account_id=account_id,
        date=now.date(),
        at=now,
        type=type_,
        data=_jsonable(data),
        actor=str(actor),
        reason=why,
    )


def bulk_record(entries: list[TimelineEntry], batch_size: int = 2000) -> None:
    TimelineEntry.objects.bulk_create(entries, batch_size=batch_size)


_COLUMNS = ["account", "date", "at", "type", "data", "actor", "reason"]


def record_many(entries) -> int:
    """Write many entries dated now in one `executemany` (the day run's chunks).

    `entries` yields (account_id, type, actor, why, data) with data a dict of
    fields, stored exactly as `record` stores them.
    """
    from . import bulk

    now = clock.now()
    day, at = bulk.db_date(now.date(), TimelineEntry), bulk.db_datetime(now, TimelineEntry)
    dumps = _ENCODER.encode
    rows = [
        (account_id, day, at, type_, dumps(data), str(actor), why)
        for account_id, type_, actor, why, data in entries
    ]
    return bulk.insert(TimelineEntry, _COLUMNS, rows, json_fields={"data"})
