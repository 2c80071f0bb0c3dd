"""One arm of a what-if: the day run over the coming months on a copy of the live
database, with one set of policies, and what it did.

It runs the way `lastmile simulate` runs a scenario (the early-morning day run, then
the customers' payments as the business day, then the periodic checks), through the
same services as the live system, with the simulated network (no NOC is emailed, no
NAS told) and the test card processor. It is only ever run on a throw-away copy
(`whatif.copy`); `run_arm` refuses the live database's own settings by construction,
since it is called only from the child process the comparison starts on a copy.
"""
from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from lastmile.core import clock, ispconfig, periodic
from lastmile.core.actors import superuser
from lastmile.core.calendar import add_months
from lastmile.core.dayrun import run_day
from lastmile.core.errors import LastmileError
from lastmile.core.money import ZERO, fmt
from lastmile.simulation import runner
from lastmile.simulation.state import simulation

from . import behaviour

log = logging.getLogger(__name__)
SHUT_OFF = {"suspended", "not_active"}
FEES = ("reactivation_fee", "etf", "equipment_fee")
ACTOR = "what-if: customer payment"


def window(start: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The first and last day run (inclusive)."""
    return start, add_months(start, months) - dt.timedelta(days=1)


def payment_plan(*, start: dt.date, months: int, network: str | None) -> dict[dt.date, list[tuple[int, Decimal]]]:
    """Day -> [(account id, share of its latest bill)], from each account's last three
    statements and the payments after each (behaviour.history)."""
    from lastmile.accounts.models import Account
    from lastmile.billing.choices import EntryType
    from lastmile.billing.models import LedgerEntry, Statement

    since = add_months(start, -behaviour.HISTORY_MONTHS - 1)
    live = Account.objects.exclude(status__in=("cancelled", "uninstall"))
    if network:
        live = live.filter(network=network)
    ids = set(live.values_list("pk", flat=True))
    statements, payments = defaultdict(list), defaultdict(list)
    for account_id, issued_on, due in (Statement.objects.filter(issued_on__gte=since, issued_on__lt=start)
                                       .values_list("account_id", "issued_on", "amount_due").iterator()):
        if account_id in ids:
            statements[account_id].append((issued_on, due))
    for account_id, on, amount in (LedgerEntry.objects.filter(entry_type=EntryType.PAYMENT, posted_on__gte=since,
                                                              posted_on__lt=start)
                                   .values_list("account_id", "posted_on", "amount").iterator()):
        if account_id in ids:
            payments[account_id].append((on, -amount))
    plan: dict[dt.date, list[tuple[int, Decimal]]] = defaultdict(list)
    for account_id, issued in statements.items():
        habits = behaviour.history(issued, payments.get(account_id, ()), before=start)
        for day, share in behaviour.planned(habits, start=start, months=months):
            plan[day].append((account_id, share))
    return plan


def _pay(day_plan: list[tuple[int, Decimal]], counts: dict) -> None:
    """Each planned payment: its share of the account's latest statement, through
    `payment_post` (so cases close and service is reinstated as it would be live)."""
    from lastmile.accounts.models import Account
    from lastmile.billing.models import Statement
    from lastmile.billing.services import payment_post

    if not day_plan:
        return
    ids = [account_id for account_id, _ in day_plan]
    latest = {}
    for account_id, due in (Statement.objects.filter(account_id__in=ids, issued_on__lte=clock.today())
                            .order_by("account_id", "issued_on", "id").values_list("account_id", "amount_due")):
        latest[account_id] = due
    accounts = Account.objects.in_bulk(ids)
    actor = superuser(ACTOR)
    for account_id, share in day_plan:
        amount = behaviour.amount_for(share, latest.get(account_id) or ZERO)
        if amount <= ZERO:
            continue
        try:
            with transaction.atomic():
                payment_post(account=accounts[account_id], amount=amount, method="phone", actor=actor,
                             reason="what-if: paid as in the last three months")
            counts["payments"] += 1
        except LastmileError:
            counts["payments_refused"] += 1


def run_arm(*, start: dt.date, months: int, policies: dict[str, str], network: str | None = None,
            scenario=None, minutes_per_call: int = 6) -> dict:
    """Run the months and return the figures of `figures`. With a scenario, its
    accounts are added and its events are the customers' behaviour; without one,
    each account pays as in its last three months."""
    from lastmile.core.models import TimelineEntry

    first, last = window(start, months)
    sim_clock = clock.FixedClock(first, hour=5)
    counts = defaultdict(int)
    with clock.use_clock(sim_clock), ispconfig.override(noc_auto_confirm=True, policies=policies), simulation():
        first_entry = TimelineEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if scenario is not None:
            ctx = runner._set_up(scenario)
            by_day = defaultdict(list)
            for event in scenario.events:
                by_day[event.on].append(event)
            plan = {}
        else:
            plan = payment_plan(start=first, months=months, network=network)
        day = first
        while day <= last:
            sim_clock.set_day(day, hour=6)
            run_day(day)
            sim_clock.set_day(day, hour=runner.BUSINESS_DAY_OPENS)
            if scenario is not None:
                for event in by_day.get(day, ()):
                    sim_clock.advance(minutes=1)
                    runner._dispatch(ctx, event)
            else:
                _pay(plan.get(day, []), counts)
            periodic.run_periodic(simulated=True)
            sim_clock.set_day(day, hour=runner.BUSINESS_DAY_CLOSES)
            periodic.run_periodic(simulated=True)
            day += dt.timedelta(days=1)
    result = figures(since_id=first_entry, first=first, last=last, network=network,
                     minutes_per_call=minutes_per_call)
    result["payments_planned"] = counts["payments"] + counts["payments_refused"]
    result["payments_refused"] = counts["payments_refused"]
    return result


def figures(*, since_id: int, first: dt.date, last: dt.date, network: str | None, minutes_per_call: int) -> dict:
    """What the run did, read back from the timeline, the ledger and the cases it wrote."""
    from lastmile.billing.choices import EntryType
    from lastmile.billing.models import LedgerEntry
    from lastmile.core.models import TimelineEntry
    from lastmile.delinquency.models import Case

    entries = TimelineEntry.objects.filter(id__gt=since_id)
    ledger = LedgerEntry.objects.filter(posted_on__gte=first, posted_on__lte=last)
    cases = Case.objects.filter(opened_on__gte=first, opened_on__lte=last)
    closed = Case.objects.filter(closed_on__gte=first, closed_on__lte=last, outcome="paid")
    if network:
        entries = entries.filter(account__network=network)
        ledger = ledger.filter(account__network=network)
        cases = cases.filter(account__network=network)
        closed = closed.filter(account__network=network)
    shut_offs = reinstated = cancelled = 0
    for data in entries.filter(type="account.status_changed").values_list("data", flat=True).iterator():
        before, after = data.get("from"), data.get("to")
        if after in SHUT_OFF and before not in SHUT_OFF:
            shut_offs += 1
        elif before in SHUT_OFF and after == "active":
            reinstated += 1
        elif after == "cancelled":
            cancelled += 1
    calls = entries.filter(type="call_task.created").count()
    collected = {}
    month = first.replace(day=1)
    while month <= last:
        end = min(add_months(month, 1) - dt.timedelta(days=1), last)
        paid = ledger.filter(entry_type=EntryType.PAYMENT, posted_on__lte=end).aggregate(s=Sum("amount"))["s"]
        collected[end.isoformat()] = fmt(-(paid or ZERO))
        month = add_months(month, 1)
    fees = ledger.filter(entry_type=EntryType.CHARGE, kind__in=FEES).aggregate(s=Sum("amount"))["s"] or ZERO
    days = [(closed_on - d).days for d, closed_on in closed.values_list("d", "closed_on")]
    return {
        "cases_opened": cases.count(),
        "call_tasks": calls,
        "agent_hours": f"{Decimal(calls * minutes_per_call) / 60:.1f}",
        "shut_offs": shut_offs,
        "reinstatements": reinstated,
        "cancellations": cancelled,
        "fees_charged": fmt(fees),
        "collected_by": collected,
        "median_days_d_to_payment": (f"{statistics.median(days):.1f}" if days else "-"),
        "noc_requests": entries.filter(type="noc.requested").count(),
    }
