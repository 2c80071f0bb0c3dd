"""When each delinquency step is due (DLQ-1, DLQ-4, CAL-3), as pure functions.

No Django import: the policy steps, the case's facts and the business calendar go in,
dates come out, and every rule here is tested without a database.

The rules (decided in issue 4):
- A step's date never comes before the date its predecessor ran or was skipped
  (same day is fine: steps on one day run in policy order) and never before D.
  Call that day `earliest`.
- Month-anchored times (`day_of_month`, `business_days_before_month_end`,
  `last_business_day`) are evaluated in the month of `earliest`: the first
  occurrence, rolled by the step's CAL-3 rule, that is on or after `earliest`,
  trying that month and then the next.
- `days_after: N` counts from D or from the day the named step actually ran, then
  rolls; it too is never before `earliest`.
- A step is due when its date is on or before today and every earlier step is done.
- After a broken arrangement (DLQ-4) the case's `resume_on` forces the next step not
  yet run to run that day, whatever its date and its skip conditions except `paid`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from lastmile.core import calendar as cal_mod
from lastmile.core.calendar import DEFAULT_CALENDAR, BusinessCalendar

FROM_D = "D"
SKIP_CONDITIONS = ("paid", "arrangement", "contact")


@dataclass(frozen=True)
class StepTime:
    """One of the four DLQ-1 time kinds."""

    kind: str  # day_of_month | days_after | business_days_before_month_end | last_business_day
    n: int = 0
    from_: str = FROM_D  # days_after only: "D" or an earlier step's name

    def describe(self) -> str:
        if self.kind == "day_of_month":
            return f"day {self.n} of the month"
        if self.kind == "days_after":
            return f"{self.n} days after {'D' if self.from_ == FROM_D else self.from_}"
        if self.kind == "business_days_before_month_end":
            return f"{self.n} business days before the month's last business day"
        return "the last business day of the month"


@dataclass(frozen=True)
class Step:
    name: str
    time: StepTime
    roll: str
    skip_if: tuple[str, ...] = ()
    actions: tuple = ()


@dataclass(frozen=True)
class Policy:
    name: str
    version: int
    network: str
    roll: str
    delinquency_day: int | None
    steps: tuple[Step, ...]
    source: str = ""

    def step(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)

    def index(self, name: str) -> int:
        for i, s in enumerate(self.steps):
            if s.name == name:
                return i
        raise KeyError(name)


@dataclass(frozen=True)
class CaseFacts:
    """What the schedule needs to know about a case.

    `done` maps each step already run or skipped to the day it happened.
    """

    d: dt.date
    done: Mapping[str, dt.date] = field(default_factory=dict)
    resume_on: dt.date | None = None


@dataclass(frozen=True)
class NextStep:
    index: int
    step: Step
    on: dt.date
    forced: bool = False  # DLQ-4: a resume after a broken arrangement


def _month_candidates(time: StepTime, year: int, month: int, cal: BusinessCalendar) -> dt.date:
    if time.kind == "day_of_month":
        return cal_mod.month_day(year, month, time.n)
    if time.kind == "business_days_before_month_end":
        return cal_mod.business_days_before_month_end(year, month, time.n, cal)
    if time.kind == "last_business_day":
        return cal_mod.last_business_day_of_month(year, month, cal)
    raise ValueError(f"{time.kind!r} is not month-anchored")


def step_date(
    policy: Policy, index: int, facts: CaseFacts, cal: BusinessCalendar = DEFAULT_CALENDAR,
    *, earliest: dt.date | None = None,
) -> dt.date:
    """The day step `index` falls on, given that every earlier step is done (DLQ-1, CAL-3).

    `earliest` defaults to max(D, the day the previous step ran or was skipped).
    """
    step = policy.steps[index]
    if earliest is None:
        earliest = facts.d
        if index > 0:
            previous = facts.done.get(policy.steps[index - 1].name)
            if previous is None:
                raise ValueError(f"step {step.name!r} follows {policy.steps[index - 1].name!r}, not done yet")
            earliest = max(earliest, previous)
    time = step.time
    if time.kind == "days_after":
        base = facts.d if time.from_ == FROM_D else facts.done.get(time.from_)
        if base is None:
            raise ValueError(f"step {step.name!r} counts from {time.from_!r}, which has not run")
        return max(cal_mod.roll(base + dt.timedelta(days=time.n), step.roll, cal), earliest)
    year, month = earliest.year, earliest.month
    for _ in range(2):
        candidate = cal_mod.roll(_month_candidates(time, year, month, cal), step.roll, cal)
        if candidate >= earliest:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    # unreachable for real calendars: the next month's date is always later
    return earliest


def next_step(policy: Policy, facts: CaseFacts, cal: BusinessCalendar = DEFAULT_CALENDAR) -> NextStep | None:
    """The first step not yet done and the day it is due, or None when all are done."""
    for index, step in enumerate(policy.steps):
        if step.name in facts.done:
            continue
        if facts.resume_on is not None:
            return NextStep(index, step, facts.resume_on, forced=True)
        return NextStep(index, step, step_date(policy, index, facts, cal))
    return None


class NextSteps:
    """`next_step`, remembered per (policy, D, steps done, resume day) for one run.

    Why: a delinquency day asks it two or three times for each of its 10,000 cases,
    and the cases opened on one day share their D and their history, so the answers
    repeat: half a second of a 100,000-account 16th (issue 14). The policy object
    is kept with its answer, so a key is never confused with a policy collected
    since."""

    def __init__(self, cal: BusinessCalendar = DEFAULT_CALENDAR):
        self._cal = cal
        self._memo: dict[tuple, tuple[Policy, NextStep | None]] = {}

    def __call__(self, policy: Policy, facts: CaseFacts) -> NextStep | None:
        key = (id(policy), facts.d, frozenset(facts.done.items()), facts.resume_on)
        hit = self._memo.get(key)
        if hit is None or hit[0] is not policy:
            hit = self._memo[key] = (policy, next_step(policy, facts, self._cal))
        return hit[1]


def due_steps(
    policy: Policy, facts: CaseFacts, today: dt.date, cal: BusinessCalendar = DEFAULT_CALENDAR,
) -> list[NextStep]:
    """Every step due by `today`, assuming each runs today (what a day run does in order).

    A day run calls `next_step` again after each step; this helper answers the same
    question for tests and for `check_policy`.
    """
    done = dict(facts.done)
    resume = facts.resume_on
    result = []
    while True:
        nxt = next_step(policy, CaseFacts(facts.d, done, resume), cal)
        if nxt is None or nxt.on > today:
            return result
        result.append(nxt)
        done[nxt.step.name] = today
        resume = None


def projected(
    policy: Policy, facts: CaseFacts, cal: BusinessCalendar = DEFAULT_CALENDAR,
) -> list[tuple[str, dt.date]]:
    """Every remaining step with its date, supposing each runs on its own date.

    Used to tell the customer when service will be shut off or cancelled, and by
    `check_policy` to show an ISP what its policy does in a given month.
    """
    done = dict(facts.done)
    resume = facts.resume_on
    result = []
    while True:
        nxt = next_step(policy, CaseFacts(facts.d, done, resume), cal)
        if nxt is None:
            return result
        result.append((nxt.step.name, nxt.on))
        done[nxt.step.name] = nxt.on
        resume = None


def skip_reason(step: Step, *, paid: bool, arrangement: bool, contact: bool, forced: bool = False) -> str | None:
    """Which of the step's skip conditions holds (DLQ-1, DLQ-2), or None to run it.

    A forced step (DLQ-4 resume) is skipped only when the balance is paid.
    """
    facts = {"paid": paid, "arrangement": arrangement, "contact": contact}
    conditions = ("paid",) if forced else step.skip_if
    for condition in conditions:
        if facts[condition]:
            return condition
    return None


def delinquency_day(due_on: dt.date, day: int) -> dt.date:
    """D: day `day` of the due month of the oldest unpaid statement (not rolled: the
    billing system marks the account delinquent even on a Sunday; steps roll). When
    the statement falls due after that day, D is in the next month."""
    d = cal_mod.month_day(due_on.year, due_on.month, day)
    if d < due_on:
        nxt = cal_mod.first_of_next_month(due_on)
        d = cal_mod.month_day(nxt.year, nxt.month, day)
    return d
