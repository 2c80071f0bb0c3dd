"""DLQ-1, DLQ-4, CAL-3: when each policy step falls due. Pure: no database."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lastmile.delinquency.policy import SHIPPED_DIR, read
from lastmile.delinquency.schedule import (
    CaseFacts,
    NextSteps,
    Policy,
    Step,
    StepTime,
    delinquency_day,
    due_steps,
    next_step,
    projected,
    skip_reason,
    step_date,
)

D = dt.date


def shipped(name: str) -> Policy:
    return read(Path(SHIPPED_DIR) / f"{name}.yaml")


def dates(policy: Policy, d: dt.date) -> dict[str, dt.date]:
    return dict(projected(policy, CaseFacts(d)))


def test_dlq1_utopia_billing_aug_2026_16th_sunday_rolls_to_monday():
    assert dates(shipped("utopia-billing"), D(2026, 8, 16)) == {
        "notice": D(2026, 8, 17), "warning_call": D(2026, 8, 17), "suspend": D(2026, 8, 18)}


def test_dlq1_utopia_billing_sep_2026_no_roll():
    assert dates(shipped("utopia-billing"), D(2026, 9, 16)) == {
        "notice": D(2026, 9, 16), "warning_call": D(2026, 9, 17), "suspend": D(2026, 9, 18)}


def test_dlq1_utopia_2021_03_aug_2026_final_notice_three_business_days_before_month_end():
    assert dates(shipped("utopia-2021-03"), D(2026, 8, 16)) == {
        "first_contact": D(2026, 8, 17), "shutoff": D(2026, 8, 18),
        "final_notice": D(2026, 8, 26), "cancel": D(2026, 8, 31)}


def test_dlq1_utopia_2021_03_sep_2026_last_business_day_wednesday():
    assert dates(shipped("utopia-2021-03"), D(2026, 9, 16)) == {
        "first_contact": D(2026, 9, 16), "shutoff": D(2026, 9, 18),
        "final_notice": D(2026, 9, 25), "cancel": D(2026, 9, 30)}


def test_cal3_sunday_to_monday_moves_the_18th_of_oct_2026():
    assert dates(shipped("utopia-2021-03"), D(2026, 10, 16)) == {
        "first_contact": D(2026, 10, 16), "shutoff": D(2026, 10, 19),
        "final_notice": D(2026, 10, 27), "cancel": D(2026, 10, 30)}


def test_cal3_sunday_to_monday_leaves_a_saturday():
    # Jan 2027: the 16th is a Saturday; sunday_to_monday moves only Sundays
    assert dates(shipped("utopia-2021-03"), D(2027, 1, 16))["first_contact"] == D(2027, 1, 16)


def test_cal3_none_keeps_a_sunday():
    policy = Policy("p", 1, "utopia", "none", 16, (Step("a", StepTime("day_of_month", 16), "none"),))
    assert dates(policy, D(2026, 8, 16)) == {"a": D(2026, 8, 16)}


def test_dlq1_utopia_2022_04_suspend_two_days_after_open_ran():
    policy = shipped("utopia-2022-04")
    assert dates(policy, D(2026, 8, 16)) == {"open": D(2026, 8, 17), "suspend": D(2026, 8, 19)}
    # counted from the day `open` actually ran, not from D
    late = CaseFacts(D(2026, 8, 16), {"open": D(2026, 8, 20)})
    assert next_step(policy, late).on == D(2026, 8, 24)  # Sat 22 -> Mon 24


def test_dlq1_wireless_2022_04_aug_2026():
    assert dates(shipped("wireless-2022-04"), D(2026, 8, 16)) == {
        "first_call": D(2026, 8, 17), "second_call": D(2026, 8, 19),
        "delinquent_email": D(2026, 8, 24), "deactivate": D(2026, 8, 31)}


def test_dlq1_wireless_2022_04_nov_2026_thanksgiving_month():
    assert dates(shipped("wireless-2022-04"), D(2026, 11, 16)) == {
        "first_call": D(2026, 11, 16), "second_call": D(2026, 11, 19),
        "delinquent_email": D(2026, 11, 23), "deactivate": D(2026, 12, 1)}


def test_cal3_next_business_day_skips_labor_day():
    policy = Policy("p", 1, "utopia", "next_business_day", 16,
                    (Step("a", StepTime("day_of_month", 7), "next_business_day"),))
    # month of D is August: Aug 7 < D, so the next month's 7th: Labor Day -> Tue Sep 8
    assert dates(policy, D(2026, 8, 16)) == {"a": D(2026, 9, 8)}


def test_dlq1_a_step_is_never_before_its_predecessor():
    policy = shipped("utopia-billing")
    # the notice ran late, on the 20th: the warning call (day 17) and suspend (day 18)
    # cannot come before it; month-anchored dates move to the next month's
    facts = CaseFacts(D(2026, 9, 16), {"notice": D(2026, 9, 20)})
    assert next_step(policy, facts).on == D(2026, 10, 19)  # Oct 17 is a Saturday
    # a days_after step is held at its predecessor's day
    wireless = shipped("wireless-2022-04")
    facts = CaseFacts(D(2026, 9, 16), {"first_call": D(2026, 9, 25)})
    assert next_step(wireless, facts).on == D(2026, 9, 25)


def test_dlq1_business_days_before_month_end_and_last_business_day():
    policy = shipped("utopia-2021-03")
    facts = CaseFacts(D(2026, 11, 16), {"first_contact": D(2026, 11, 16), "shutoff": D(2026, 11, 18)})
    assert step_date(policy, 2, facts) == D(2026, 11, 24)  # last business day Mon Nov 30; Thanksgiving 26
    facts = CaseFacts(D(2026, 11, 16), {**facts.done, "final_notice": D(2026, 11, 24)})
    assert step_date(policy, 3, facts) == D(2026, 11, 30)


def test_dlq1_due_steps_same_day_run_in_order():
    policy = shipped("utopia-billing")
    due = due_steps(policy, CaseFacts(D(2026, 8, 16)), D(2026, 8, 17))
    assert [s.step.name for s in due] == ["notice", "warning_call"]
    assert due_steps(policy, CaseFacts(D(2026, 8, 16)), D(2026, 8, 16)) == []


def test_dlq4_resume_forces_the_next_step_that_day():
    policy = shipped("utopia-2021-03")
    facts = CaseFacts(D(2026, 8, 16), {"first_contact": D(2026, 8, 17), "shutoff": D(2026, 8, 18)},
                      resume_on=D(2026, 8, 22))
    nxt = next_step(policy, facts)
    assert (nxt.step.name, nxt.on, nxt.forced) == ("final_notice", D(2026, 8, 22), True)
    # later steps follow the rules again from that day
    after = CaseFacts(facts.d, {**facts.done, "final_notice": D(2026, 8, 22)})
    assert next_step(policy, after).on == D(2026, 8, 31)


def test_dlq2_dlq4_skip_conditions():
    step = Step("s", StepTime("days_after", 0), "none", skip_if=("paid", "arrangement", "contact"))
    assert skip_reason(step, paid=False, arrangement=False, contact=False) is None
    assert skip_reason(step, paid=False, arrangement=False, contact=True) == "contact"
    assert skip_reason(step, paid=True, arrangement=True, contact=True) == "paid"
    # a forced step (resume) ignores every condition but paid
    assert skip_reason(step, paid=False, arrangement=True, contact=True, forced=True) is None
    assert skip_reason(step, paid=True, arrangement=False, contact=False, forced=True) == "paid"
    bare = Step("t", StepTime("days_after", 0), "none")
    assert skip_reason(bare, paid=False, arrangement=True, contact=True) is None


@pytest.mark.parametrize(("due_on", "expected"), [
    (D(2026, 8, 5), D(2026, 8, 16)),    # not rolled, even on a Sunday
    (D(2026, 9, 5), D(2026, 9, 16)),
    (D(2026, 9, 20), D(2026, 10, 16)),  # due after the 16th: next month's
])
def test_dlq_delinquency_day_of_the_due_month(due_on, expected):
    assert delinquency_day(due_on, 16) == expected


@pytest.mark.parametrize("name", ["utopia-billing", "utopia-2021-03", "utopia-2022-04", "wireless-2022-04"])
def test_dlq1_remembered_next_step_answers_as_next_step(name):
    """Issue 14: the day run's memo of next_step gives next_step's own answer for every
    D of a year, every prefix of the steps done and a resume day, asked twice."""
    policy = shipped(name)
    memo = NextSteps()
    day = D(2026, 1, 16)
    asked = 0
    while day.year == 2026:
        done: dict[str, dt.date] = {}
        for step in policy.steps:
            for resume in (None, day + dt.timedelta(days=3)):
                facts = CaseFacts(day, dict(done), resume)
                for _ in range(2):
                    assert memo(policy, facts) == next_step(policy, facts)
                    asked += 1
            done[step.name] = day + dt.timedelta(days=len(done))
        assert memo(policy, CaseFacts(day, dict(done))) is None  # every step done
        day += dt.timedelta(days=7)
    assert asked > 100
