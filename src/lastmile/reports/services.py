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
    stored_due_dates,
)


def collections_close(*, as_of: dt.date) -> int:
    """Store every due date whose last shut-off day is before `as_of` (a payment
    posted on `as_of` could still count for one that ends today). Returns how many
    due dates were stored."""
    candidates = list(Statement.objects.filter(due_on__lt=as_of).values_list("due_on", flat=True)
                      .distinct().order_by())
    stored = set(CollectedDueDate.objects.values_list("due_on", flat=True).distinct())
    current = set(stored_due_dates(stored))
    closed = 0
    for due_on in candidates:
        if due_on in current:
            continue
        issued, cut, last = due_date_window(due_on)
        if last >= as_of:
            continue
        if due_on in stored:  # statements were added since (an import): store it anew
            CollectedDueDate.objects.filter(due_on=due_on).delete()
        closed += _store(due_on, issued, last, cut, as_of)
    return closed


@transaction.atomic
def _store(due_on, issued, last, cut, as_of) -> int:
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
