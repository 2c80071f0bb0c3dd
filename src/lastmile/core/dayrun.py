"""The day run: the only automation entry (architecture.md "Mechanisms").

Order, as scenarios.md fixes it: scheduled events due that day, the bill run on
bill-cycle days, then the daily automation hooks that contexts register (autopay,
delinquency steps, trials, pickups, fees). Each job is idempotent by natural keys
and unique constraints, so running a day twice, or on two workers, does each thing
once.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import clock, scheduling


@dataclass(order=True)
class DailyJob:
    order: int
    name: str = field(compare=False)
    fn: Callable = field(compare=False)


_jobs: dict[str, DailyJob] = {}


def daily_job(name: str, order: int):
    """Register a job run every day, in `order` (bill run 10, autopay 20, delinquency 40 ...).

    The job is called as fn(as_of=date, account_ids=None|list) and returns a count.
    """

    def register(fn):
        _jobs[name] = DailyJob(order, name, fn)
        return fn

    return register


def jobs() -> list[DailyJob]:
    return sorted(_jobs.values())


@dataclass
class DayRunReport:
    as_of: dt.date
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def run_day(as_of: dt.date, *, account_ids=None) -> DayRunReport:
    """Run the early-morning automation for `as_of` (all accounts, or only these)."""
    report = DayRunReport(as_of)
    current = clock.get_clock()
    if current.today() == as_of:
        return _run(as_of, account_ids, report)
    with clock.use_clock(clock.FixedClock(as_of)):
        return _run(as_of, account_ids, report)


def _run(as_of, account_ids, report: DayRunReport) -> DayRunReport:
    started = time.perf_counter()
    report.counts["scheduled"] = scheduling.run_due(as_of, account_ids)
    report.seconds["scheduled"] = time.perf_counter() - started
    for job in jobs():
        started = time.perf_counter()
        report.counts[job.name] = job.fn(as_of=as_of, account_ids=account_ids) or 0
        report.seconds[job.name] = time.perf_counter() - started
    return report
