"""Issue 14: the day run's "anything due today?" guards are asked together, in one
statement, and a stage whose guard says no is not entered (no lock, no call).
What must hold: every probe gets the answer it would get alone, and work done by
one stage is seen by the guards of the stages after it."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lastmile.core import bulk, dayrun, periodic
from lastmile.core.models import DayRun

DAY = dt.date(2026, 9, 10)


def _any_run_on(day: dt.date) -> bool:
    return bulk.exists(f"SELECT 1 FROM {bulk.table(DayRun)} WHERE as_of = %s LIMIT 1",
                       [bulk.db_date(day, DayRun)])


def _log(day: dt.date) -> None:
    DayRun.objects.create(as_of=day, started_at="2026-09-10T05:00:00Z", seconds=0, counts={}, stage_seconds={})


@pytest.mark.django_db
def test_probes_asked_together_answer_as_each_alone_in_one_statement():
    _log(DAY)
    probes = [
        lambda: _any_run_on(DAY),
        lambda: _any_run_on(DAY + dt.timedelta(days=1)),
        lambda: _any_run_on(DAY - dt.timedelta(days=1)) or _any_run_on(DAY),  # the second guard decides
        lambda: _any_run_on(DAY) and _any_run_on(DAY + dt.timedelta(days=1)),
    ]
    alone = [p() for p in probes]
    with CaptureQueriesContext(connection) as asked:
        together = bulk.ask_together(probes)
    assert together == alone == [True, False, True, False]
    assert len(asked.captured_queries) == 1
    assert asked.captured_queries[0]["sql"].startswith("SELECT EXISTS(")


@pytest.mark.django_db
def test_a_guard_reached_only_in_the_real_pass_is_asked_on_its_own():
    _log(DAY)
    # the recording pass answers False, so this probe only reaches its second guard
    # when the first is really True
    probe = lambda: _any_run_on(DAY) and _any_run_on(DAY)  # noqa: E731
    other = lambda: _any_run_on(DAY + dt.timedelta(days=5)) and _any_run_on(DAY)  # noqa: E731
    assert bulk.ask_together([probe, other]) == [True, False]


@pytest.mark.django_db
def test_work_of_one_stage_makes_a_later_stage_due():
    """ask_in_turn asks again after a yes: the first stage's work (a row for the
    11th) is what the second stage's guard looks for."""
    later = DAY + dt.timedelta(days=1)
    probes = [lambda: _any_run_on(DAY), lambda: _any_run_on(later), None]
    _log(DAY)
    seen = []
    for i, due in enumerate(bulk.ask_in_turn(probes)):
        seen.append(due)
        if i == 0 and due:
            _log(later)
    assert seen == [True, True, True]


@pytest.mark.django_db
def test_a_stage_whose_probe_says_no_is_not_entered(monkeypatch, today):
    called = []

    def quiet(**_):
        called.append("quiet")
        raise AssertionError("a stage with nothing due was run")

    def busy(**_):
        called.append("busy")
        return 3

    monkeypatch.setitem(dayrun._jobs, "zz_quiet", dayrun.DailyJob(998, "zz_quiet", quiet, due=lambda as_of: False))
    monkeypatch.setitem(dayrun._jobs, "zz_busy", dayrun.DailyJob(999, "zz_busy", busy, due=lambda as_of: True))
    report = dayrun.run_day(DAY, fan_out=False)
    assert called == ["busy"]
    assert report.counts["zz_quiet"] == 0 and report.counts["zz_busy"] == 3


@pytest.mark.django_db
def test_minute_jobs_whose_guard_says_no_are_not_called(monkeypatch):
    called = []
    monkeypatch.setattr(periodic, "_jobs", {
        "idle": periodic.PeriodicJob("idle", lambda: called.append("idle"), True, due=lambda: False),
        "work": periodic.PeriodicJob("work", lambda: called.append("work") or 2, True, due=lambda: True),
        "always": periodic.PeriodicJob("always", lambda: called.append("always") or 1, True),
    })
    assert periodic.run_periodic(simulated=True) == {"idle": 0, "work": 2, "always": 1}
    assert called == ["work", "always"]
