"""The reports' one write: storing the collections figures of a due date once its
window is over (issue 10; see models.CollectedDueDate). Automatic and
idempotent: one row per due date and network (a unique pair), written in one
transaction with every network, so a due date is either stored whole or live."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from lastmile.billing.models import Statement

from .models import CollectedDueDate
from .selectors import (
    NETWORKS,
    _collected,
    due_date_window,
    last_statement_id,
    money,
)


def collections_close(*, as_of: dt.date) -> int:
    """Store every due date whose last shut-off day is before `as_of` (a payment
    posted on `as_of` could still count for one that ends today). Returns how many
    due dates were stored.

    It runs every day (and 365 times in a simulated year), so what is already
    stored is found in one plain query of two parts: each due date's newest
    statement, and the newest statement each stored due date was taken with. A stored due date stays
    current while those agree (see selectors.stored_due_dates).
    """
    from django.db import connection

    from lastmile.core import bulk

    st = bulk.table(Statement)
    with connection.cursor() as cursor:
        # a loose index scan of (due_on, id): one probe per due date, however many
        # statements each has (a GROUP BY would read them all, every day); and what
        # is stored, in the same round trip
        cursor.execute(
            f"WITH RECURSIVE d(day) AS (SELECT MIN(due_on) FROM {st} UNION ALL"
            f" SELECT (SELECT MIN(due_on) FROM {st} WHERE due_on > d.day) FROM d WHERE d.day IS NOT NULL)"
            # each due date's newest statement as selectors.last_statement_id asks it
            f" SELECT 1, day, (SELECT id FROM {st} WHERE due_on >= d.day AND due_on <= d.day"
            f" ORDER BY due_on DESC, id DESC LIMIT 1) FROM d"
            f" WHERE day IS NOT NULL AND day < %s"
            f" UNION ALL SELECT DISTINCT 0, due_on, last_statement_id FROM {bulk.table(CollectedDueDate)}",
            [bulk.db_date(as_of, Statement)])
        newest, stored = {}, {}
        for is_newest, d, last in cursor.fetchall():
            (newest if is_newest else stored)[bulk.date_from_db(d)] = last
    if not newest:
        return 0
    closed = 0
    for due_on in sorted(newest):
        if stored.get(due_on) == newest[due_on]:
            continue
        issued, cut, last = due_date_window(due_on)
        if last >= as_of:
            continue
        # statements were added since (an import): store it anew
        closed += _store(due_on, issued, last, cut, as_of, replace=due_on in stored)
    return closed


@transaction.atomic
def _store(due_on, issued, last, cut, as_of, *, replace: bool = False) -> int:
    """One due date's rows, in one transaction with the removal of what they replace,
    so a reader never sees the due date half stored, and two closes at once store it
    once (unique due_on and network; the day run takes no lock for this stage)."""
    if replace:
        CollectedDueDate.objects.filter(due_on=due_on).delete()
    newest = last_statement_id(due_on)
    found = {row[0]: row[1:] for row in _collected(due_on, issued, last, cut)}
    rows = []
    for network in NETWORKS:
        count, billed, by_due, by_d, by_shut = found.get(network) or (0, 0, 0, 0, 0)
        rows.append(CollectedDueDate(due_on=due_on, network=network, statements=count or 0, billed=money(billed),
                                     by_due=money(by_due), by_d=money(by_d), by_shutoff=money(by_shut),
                                     closed_on=as_of, last_statement_id=newest))
    created = CollectedDueDate.objects.bulk_create(rows, ignore_conflicts=True)
    return 1 if created else 0
