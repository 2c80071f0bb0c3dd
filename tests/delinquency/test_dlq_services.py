"""DLQ-4, DLQ-5, DLQ-6 refusals, and the day run's cost on a quiet day."""
from __future__ import annotations

import datetime as dt

import pytest

from lastmile.core.actors import with_role
from lastmile.core.errors import InvalidInput, PermissionRefused, RuleRefusal
from lastmile.delinquency.jobs import delinquency_run
from lastmile.delinquency.models import Case, CaseStep
from lastmile.delinquency.services import arrangement_create, fee_waive, payment_claim_record
from tests.mixins import make_account, of_type, run_scenario_text

pytestmark = pytest.mark.django_db

SCENARIO = """
start: 2026-09-01
end: {end}
accounts:
  - ref: ana
    name: Ana Lopez
    kind: residential
    network: utopia
    plan: classic
    address: {{line1: "12 Elm St", city: Orem, state: UT, postal_code: "84057", address_id: "UT-10042"}}
    phones: ["801-555-0101"]
    emails: ["ana@example.test"]
events: []
"""


def test_dlq4_arrangement_validation(today, catalog, agent):
    account = make_account()
    manager = with_role("manager")
    with pytest.raises(PermissionRefused):
        arrangement_create(account=account, installments=[{"on": dt.date(2026, 9, 20), "amount": "10"}],
                           actor=with_role("noc"))
    with pytest.raises(InvalidInput, match="at least one installment"):
        arrangement_create(account=account, installments=[], actor=manager)
    with pytest.raises(InvalidInput, match="before today"):
        arrangement_create(account=account, installments=[{"on": dt.date(2026, 8, 20), "amount": "10"}],
                           actor=manager)
    with pytest.raises(InvalidInput, match="must come after"):
        arrangement_create(account=account, actor=manager, installments=[
            {"on": dt.date(2026, 9, 20), "amount": "10"}, {"on": dt.date(2026, 9, 20), "amount": "10"}])
    with pytest.raises(InvalidInput, match="more than 0.00"):
        arrangement_create(account=account, installments=[{"on": dt.date(2026, 9, 20), "amount": "0"}],
                           actor=manager)
    # valid, but there is no delinquency to arrange
    with pytest.raises(RuleRefusal, match="no open delinquency case"):
        arrangement_create(account=account, installments=[{"on": dt.date(2026, 9, 20), "amount": "10"}],
                           actor=manager)


def test_dlq6_claim_without_a_case_is_refused(today, catalog, agent):
    with pytest.raises(RuleRefusal, match="no open delinquency case"):
        payment_claim_record(account=make_account(), actor=agent)


def test_dlq5_nothing_to_waive_is_refused(today, catalog, agent):
    with pytest.raises(RuleRefusal, match="no reactivation fee"):
        fee_waive(account=make_account(), actor=agent)
    with pytest.raises(InvalidInput):
        fee_waive(account=make_account(name="Bo"), kind="recurring", actor=agent)


def test_dlq1_case_records_policy_and_steps_once():
    result = run_scenario_text(SCENARIO.format(end="2026-09-20"), repeat_days=True)
    case = Case.objects.get()
    assert (case.policy_name, case.policy_version, case.d) == ("utopia-2022-04", 1, dt.date(2026, 9, 16))
    assert list(CaseStep.objects.values_list("step", "on")) == [
        ("open", dt.date(2026, 9, 16)), ("suspend", dt.date(2026, 9, 18))]
    assert len(of_type(result, "delinquency.opened")) == 1
    assert case.next_due_on is None


def test_dlq1_scenario_can_try_a_policy_file(tmp_path):
    policy = tmp_path / "mine.yaml"
    policy.write_text(
        "name: mine\nversion: 2\nnetwork: utopia\nroll: none\nsteps:\n"
        "  - name: letter\n    time: {days_after: 1}\n    actions: [{email: final_notice}]\n")
    text = SCENARIO.format(end="2026-09-20").replace(
        "accounts:", f"settings:\n  policies: {{utopia: {policy}}}\naccounts:", 1)
    result = run_scenario_text(text)
    assert of_type(result, "delinquency.opened")[0]["policy"] == "mine"
    emails = of_type(result, "email.sent")
    assert [(e["date"], e["template"]) for e in emails] == [("2026-09-17", "final_notice")]


def test_dlq_quiet_day_is_a_handful_of_queries(today, catalog, django_assert_max_num_queries):
    make_account()
    with django_assert_max_num_queries(8):
        assert delinquency_run(as_of=dt.date(2026, 9, 3)) == 0


SCENARIOS = __import__("pathlib").Path(__file__).parent.parent / "scenarios"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["dlq_utopia_2022_04", "dlq_utopia_billing", "dlq_utopia_2021_03",
                                  "dlq_wireless_2022_04"])
def test_dlq1_dlq5_dlq8_bulk_steps_equal_the_per_case_path(name, monkeypatch):
    """Issue 6: the set-based path (openings, records, shut-offs with their fee) gives
    the very timeline the per-case services give."""
    from lastmile.delinquency import bulk
    from tests.mixins import run_scenario_text

    text = (SCENARIOS / f"{name}.yaml").read_text()
    fast = run_scenario_text(text)
    with monkeypatch.context() as patch:
        patch.setattr(bulk, "bulk_ok", lambda *a, **k: False)
        slow = run_scenario_text(text)
    assert any(e["type"] == "noc.requested" for e in fast["timeline"])

    import re

    def without_ids(timeline):  # a second run in the same database numbers its rows on
        return [{k: re.sub(r"\d{5,}", "N", v) if isinstance(v, str) else v for k, v in e.items()
                 if k not in ("case", "ticket", "request")} for e in timeline]

    assert without_ids(fast["timeline"]) == without_ids(slow["timeline"])


@pytest.mark.django_db
def test_dlq1_dlq5_wireless_deactivate_and_disconnects_together_equal_one_by_one(monkeypatch):
    """Issue 14: the wireless `deactivate` (status not_active, a disconnect scheduled)
    and the day's scheduled disconnects, done in bulk, write the timeline that each
    case and each event done on its own writes (shut-off, then the reactivation fee)."""
    import re

    from lastmile.core import scheduling
    from lastmile.delinquency import bulk
    from tests.mixins import run_scenario_text

    text = (SCENARIOS / "dlq_wireless_2022_04.yaml").read_text()
    batched = []
    real = bulk.disconnect_many

    def spy(*, events):
        result = real(events=events)
        batched.extend(result.values())
        return result

    from lastmile.delinquency.services import cases

    one_by_one = []
    real_advance = cases._case_advance

    def advance_spy(pk, *a, **k):
        one_by_one.append(pk)
        return real_advance(pk, *a, **k)

    monkeypatch.setattr(bulk, "disconnect_many", spy)
    monkeypatch.setattr(cases, "_case_advance", advance_spy)
    fast = run_scenario_text(text)
    assert one_by_one == []  # deactivate (status and schedule) went in bulk too
    with monkeypatch.context() as patch:
        patch.setattr(scheduling, "_batch_handlers", {})
        patch.setattr(bulk, "bulk_ok", lambda *a, **k: False)
        slow = run_scenario_text(text)
    assert one_by_one  # the slow run went case by case
    assert batched.count("disconnected") == 2  # wes in September, fay in December

    def without_ids(timeline):
        return [{k: re.sub(r"\d{5,}", "N", v) if isinstance(v, str) else v for k, v in e.items()
                 if k not in ("case", "ticket", "request")} for e in timeline]

    fees = [e for e in fast["timeline"] if e["type"] == "charge.posted" and e.get("kind") == "reactivation_fee"]
    assert [str(e["date"]) for e in fees] == ["2026-09-01", "2026-12-02"]
    assert without_ids(fast["timeline"]) == without_ids(slow["timeline"])
