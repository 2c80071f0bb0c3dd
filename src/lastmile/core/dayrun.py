"""The day run: the only automation entry (architecture.md "Mechanisms").

Order, as scenarios.md fixes it: scheduled events due that day, the bill run on
bill-cycle days, then the daily automation hooks that contexts register (autopay,
delinquency steps, trials, pickups, fees). Each job is idempotent by natural keys
and unique constraints, so running a day twice, or on two workers, does each thing
once; and each stage runs under a lock of its own (`stage_lock`, issue 15), so two
day runs at once take turns stage by stage instead of colliding on those keys.

Scale (issue 6, docs/scaling.md): every job selects only the accounts with something
due, with indexed queries, and writes in bulk a chunk at a time. With a Celery
broker configured (`LASTMILE_CELERY_BROKER`), `run_day` fans each stage out to
workers, one task per (stage, chunk of account ids), and waits until the stage has
finished on every chunk before it starts the next one, so the order above holds.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import clock, scheduling

CHUNK = 5000  # accounts per Celery task
STAGE_TIMEOUT = 3600  # seconds one stage may take on the workers
RESULT_POLL = 0.01  # seconds between looks at the results: Celery's default 0.5 s cost each stage of each day that much
SCHEDULED = "scheduled"


@dataclass(order=True)
class DailyJob:
    order: int
    name: str = field(compare=False)
    fn: Callable = field(compare=False)
    chunked: bool = field(default=True, compare=False)
    due: Callable | None = field(default=None, compare=False)
    locked: bool = field(default=True, compare=False)


_jobs: dict[str, DailyJob] = {}


def daily_job(name: str, order: int, *, chunked: bool = True, due: Callable | None = None, locked: bool = True):
    """Register a job run every day, in `order` (bill run 10, autopay 20, delinquency 40 ...).

    The job is called as fn(as_of=date, account_ids=None|list) and returns a count.
    With workers, a job is called once per chunk of account ids; a job that must see
    every account at once (one batch for the whole day) registers `chunked=False`
    and is then called once, with the day's account_ids as given.

    `due(as_of) -> bool` is the job's own cheap "anything to do today?" probe (the
    guard it starts with). Fanned out, a stage whose probe says no sends no task: a
    task costs a round trip through Redis, and at a million accounts a stage is 200
    of them (issue 14).

    `locked=False`: the stage takes no stage lock (`stage_lock`), for a job whose
    unique constraints alone keep two runs at once from doing its work twice, and
    which runs every day (the lock is two round trips on PostgreSQL).
    """

    def register(fn):
        _jobs[name] = DailyJob(order, name, fn, chunked, due, locked)
        return fn

    return register


def jobs() -> list[DailyJob]:
    return sorted(_jobs.values())


@dataclass
class DayRunReport:
    as_of: dt.date
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def run_day(as_of: dt.date, *, account_ids=None, fan_out: bool | None = None) -> DayRunReport:
    """Run the early-morning automation for `as_of` (all accounts, or only these).

    `fan_out` None decides by itself: to the Celery workers when a broker is
    configured, except in a simulation, for a small set of accounts, or inside an
    open transaction (whose rows the workers could not see).
    """
    report = DayRunReport(as_of)
    if fan_out is None:
        fan_out = _fan_out_wanted(account_ids)
    started, started_at = time.perf_counter(), _wall_now()
    try:
        with _day_clock(as_of):
            if fan_out:
                _run_fanned_out(as_of, account_ids, report)
            else:
                _run(as_of, account_ids, report)
    except Exception as exc:
        if account_ids is None:
            _log_run(report, started_at, time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}")
        raise
    if account_ids is None:  # the whole book; not the one account after a payment
        _log_run(report, started_at, time.perf_counter() - started)
    return report


def _wall_now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()


def _log_run(report: DayRunReport, started_at: dt.datetime, seconds: float, error: str = "") -> None:
    """Issue 10: keep the run for the admin's home page; never the reason a run fails."""
    import logging

    from django.db import DatabaseError, transaction

    from . import bulk
    from .models import DayRun

    # one cached INSERT, atomic by itself: a simulated year logs 365 runs, and on
    # PostgreSQL a transaction around it would add a BEGIN and a COMMIT round trip;
    # inside someone's transaction, a savepoint keeps a failure from breaking it
    guard = transaction.atomic() if transaction.get_connection().in_atomic_block else contextlib.nullcontext()
    try:
        with guard:
            bulk.insert_one(DayRun, {
                "as_of": bulk.db_date(report.as_of, DayRun), "started_at": bulk.db_datetime(started_at, DayRun),
                "seconds": round(seconds, 3), "counts": bulk.json_text(dict(report.counts)),
                "stage_seconds": bulk.json_text({k: round(v, 3) for k, v in report.seconds.items()}),
                "error": error[:2000],
            }, json_fields=("counts", "stage_seconds"))
    except DatabaseError as exc:  # a broken transaction, a database going away
        logging.getLogger(__name__).warning("day run %s not logged: %s", report.as_of, exc)


def recent_runs(*, limit: int = 7) -> list:
    """The last whole-book day runs, newest first, with sentences for the page."""
    from .models import DayRun

    runs = list(DayRun.objects.order_by("-started_at", "-id")[:limit])
    for run in runs:
        run.failed = bool(run.error)
        run.finished_at = run.started_at
        run.seconds_text = f"{run.seconds:.1f} s" if run.seconds >= 0.1 else f"{run.seconds * 1000:.0f} ms"
        done = [(name, n) for name, n in run.counts.items() if n]
        run.counts_text = ", ".join(f"{name.replace('_', ' ')} {n:,}" for name, n in done)
    return runs


def run_stage(stage: str, as_of: dt.date, account_ids=None) -> int:
    """One stage (`scheduled` or a job's name) for some accounts: a worker's task.

    Two workers given the same chunk (two day runs fanned out at once) take turns.
    """
    fn = _stage_fn(stage)
    with _day_clock(as_of), stage_lock(stage, as_of, account_ids):
        return fn(as_of=as_of, account_ids=account_ids) or 0


def stage_lock(stage: str, as_of: dt.date, account_ids=None):
    """Issue 15: one stage of one day runs in one process at a time (a cron overlap,
    a retried job, a second worker on the same chunk wait for it, then find the work
    done). A PostgreSQL advisory lock, or the SQLite file's lock (core.locks); a
    process killed while holding it lets it go with its connection."""
    from . import locks

    job = _jobs.get(stage)
    if job is not None and not job.locked:
        return contextlib.nullcontext(True)
    scope = "all" if account_ids is None else f"{min(account_ids, default=0)}-{max(account_ids, default=0)}:{len(account_ids)}"
    return locks.held(f"dayrun:{stage}:{as_of.isoformat()}:{scope}")


def _day_clock(as_of: dt.date):
    if clock.get_clock().today() == as_of:
        return contextlib.nullcontext()
    return clock.use_clock(clock.FixedClock(as_of))


def _run_scheduled(*, as_of, account_ids=None) -> int:
    return scheduling.run_due(as_of, account_ids)


def _stages() -> list[tuple[str, Callable, bool, Callable | None]]:
    return [(SCHEDULED, _run_scheduled, True, scheduling.anything_due)] + [
        (j.name, j.fn, j.chunked, j.due) for j in jobs()]


def _stage_fn(stage: str) -> Callable:
    if stage == SCHEDULED:
        return _run_scheduled
    try:
        return _jobs[stage].fn
    except KeyError:
        raise LookupError(f"no daily job {stage!r}; known: {', '.join(_jobs)}") from None


def _due_stages(as_of: dt.date):
    """Each stage with whether it has anything to do today: the probes asked in one
    statement where they can be (core.bulk.ask_in_turn)."""
    from . import bulk

    stages = _stages()
    probes = [None if due is None else (lambda due=due: due(as_of)) for _n, _f, _c, due in stages]
    return zip(stages, bulk.ask_in_turn(probes), strict=True)


def _run(as_of, account_ids, report: DayRunReport) -> DayRunReport:
    """In this process, stage by stage. A stage whose probe says nothing is due is
    not entered: no lock is taken for it (on PostgreSQL two round trips), which is
    most of a quiet day (issue 14: a simulated account-year is 365 of them)."""
    for (name, fn, _chunked, _due), due in _due_stages(as_of):
        started = time.perf_counter()
        if due:
            with stage_lock(name, as_of, account_ids):
                report.counts[name] = fn(as_of=as_of, account_ids=account_ids) or 0
        else:
            report.counts[name] = 0
        report.seconds[name] = time.perf_counter() - started
    return report


def _fan_out_wanted(account_ids) -> bool:
    from django.conf import settings
    from django.db import connection

    if not getattr(settings, "CELERY_BROKER_URL", ""):
        return False
    if account_ids is not None and len(account_ids) <= CHUNK:
        return False  # one account after a payment, a small batch: faster right here
    if connection.in_atomic_block:
        return False
    from lastmile.simulation.state import simulating

    return not simulating()


def account_chunks(account_ids=None, size: int | None = None) -> list[list[int]]:
    """The day's accounts in id order, `size` (default CHUNK) at a time: one task each."""
    size = size or CHUNK
    if account_ids is None:
        from django.apps import apps

        account = apps.get_model("accounts", "Account")
        account_ids = list(account.objects.order_by("pk").values_list("pk", flat=True))
    else:
        account_ids = sorted(account_ids)
    return [account_ids[i:i + size] for i in range(0, len(account_ids), size)]


def _run_fanned_out(as_of, account_ids, report: DayRunReport) -> DayRunReport:
    """Each stage as a group of tasks; the next stage starts when all have finished.

    A failed chunk raises here and the later stages do not run that day; running the
    day again finishes it (every job is idempotent).
    """
    from celery import group

    from lastmile.config.celery import day_stage

    chunks = None  # read on the first day a chunked stage has work: a million ids are 0.4 s
    day = as_of.isoformat()
    for (name, _fn, chunked, _due), due in _due_stages(as_of):
        started = time.perf_counter()
        if not due:
            counts = []  # nothing to do anywhere today: no task
        elif not chunked:
            one = day_stage.delay(name, day, account_ids)
            counts = [one.get(timeout=STAGE_TIMEOUT, interval=RESULT_POLL, disable_sync_subtasks=False)]
            one.forget()
        else:
            if chunks is None:
                chunks = account_chunks(account_ids)
            counts = []
            if chunks:
                result = group(day_stage.s(name, day, chunk) for chunk in chunks).apply_async()
                counts = result.get(timeout=STAGE_TIMEOUT, interval=RESULT_POLL, disable_sync_subtasks=False)
                result.forget()
        report.counts[name] = sum(counts)
        report.seconds[name] = time.perf_counter() - started
    return report
