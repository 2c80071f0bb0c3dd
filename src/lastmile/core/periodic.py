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


_jobs: dict[str, PeriodicJob] = {}


def periodic_job(name: str, *, in_simulation: bool = True):
    def register(fn):
        _jobs[name] = PeriodicJob(name, fn, in_simulation)
        return fn

    return register


def run_periodic(*, simulated: bool = False) -> dict[str, int]:
    done = {}
    for job in _jobs.values():
        if simulated and not job.in_simulation:
            continue
        done[job.name] = job.fn() or 0
    return done
