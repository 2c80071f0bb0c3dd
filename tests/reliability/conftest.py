"""Session fixtures of the fault tests: the seeded template and the reference run
(the four days run once, uninterrupted, alone), shared by every test here."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import pytest

from .harness import DAYS, Db, Factory


@dataclass
class Reference:
    states: dict = field(default_factory=dict)  # day -> state after that day
    seconds: dict = field(default_factory=dict)  # day -> how long its run-day took
    startup: float = 0.0  # a run-day with nothing to do: the command's own cost

    @property
    def final(self) -> dict:
        return self.states[DAYS[-1]]


@pytest.fixture(scope="session")
def factory(tmp_path_factory):
    made = Factory(tmp_path_factory.mktemp("reliability"))
    yield made
    made.drop_all()


@pytest.fixture(scope="session")
def reference(factory) -> Reference:
    ref = Reference()
    quiet = factory.clone("quiet")
    started = time.perf_counter()
    done = quiet.run_day(dt.date(2026, 9, 10))
    assert done.returncode == 0, done.stderr[-3000:]
    ref.startup = time.perf_counter() - started
    db: Db = factory.clone("reference")
    for day in DAYS:
        started = time.perf_counter()
        done = db.run_day(day)
        ref.seconds[day] = time.perf_counter() - started
        assert done.returncode == 0, done.stderr[-3000:]
        ref.states[day] = db.state()
    return ref
