"""Jobs that run through the business day, not once a morning: the NOC confirmation
check (DLQ-7, three minutes) and outbox delivery.

The live system runs them every minute (`lastmile serve` or `lastmile periodic`);
the simulator runs them after each event and at the close of each business day,
skipping those that reach outside (`simulated=False` only).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    fn: Callable
    in_simulation: bool
    due: Callable | None = None


_jobs: dict[str, PeriodicJob] = {}


def periodic_job(name: str, *, in_simulation: bool = True, due: Callable | None = None):
    """Register a job of the business day. `due() -> bool` is its cheap "anything to
    do?" guard (a `core.bulk.exists`): the guards of every job are asked in one
    statement, and a job whose guard says no is not called (the simulator runs these
    after every event, issue 14)."""
    def register(fn):
        _jobs[name] = PeriodicJob(name, fn, in_simulation, due)
        return fn

    return register


def run_periodic(*, simulated: bool = False) -> dict[str, int]:
    from . import bulk

    jobs = [job for job in _jobs.values() if not (simulated and not job.in_simulation)]
    done = {}
    for job, due in zip(jobs, bulk.ask_in_turn([job.due for job in jobs]), strict=True):
        done[job.name] = (job.fn() or 0) if due else 0
    return done
