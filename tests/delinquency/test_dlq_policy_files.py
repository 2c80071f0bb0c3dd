"""DLQ-1: policies are data, checked at load; a mistake names file, line and field."""
from __future__ import annotations

import textwrap

import pytest

from lastmile.delinquency.policy import PolicyError, all_policies, get_policy, parse, read

GOOD = """\
name: my-isp-2026
version: 3
network: wireless
roll: next_business_day
steps:
  - name: first_call
    time: {days_after: 0}
    actions: [ticket, call_tasks]
  - name: letter
    time: {days_after: 5, from: first_call}
    skip_if: [paid, contact]
    actions:
      - email: delinquency_notice
"""


def test_dlq1_the_four_shipped_policies_load_with_their_steps():
    names = {p.name: [s.name for s in p.steps] for p in all_policies()}
    assert names["utopia-billing"] == ["notice", "warning_call", "suspend"]
    assert names["utopia-2021-03"] == ["first_contact", "shutoff", "final_notice", "cancel"]
    assert names["utopia-2022-04"] == ["open", "suspend"]
    assert names["wireless-2022-04"] == ["first_call", "second_call", "delinquent_email", "deactivate"]
    assert get_policy("utopia-2021-03").roll == "sunday_to_monday"
    assert get_policy("wireless-2022-04").step("second_call").skip_if == ("paid", "arrangement", "contact")


def test_dlq1_a_good_policy_parses_and_normalises_actions():
    policy = parse(GOOD, "mine.yaml")
    assert (policy.name, policy.version, policy.network) == ("my-isp-2026", 3, "wireless")
    assert policy.steps[0].actions == (("ticket", {}), ("call_tasks", {}))
    assert policy.steps[1].time.from_ == "first_call"


@pytest.mark.parametrize(("mistake", "line", "field", "words"), [
    (("roll: next_business_day", "roll: weekends"), 4, "roll", "not one of"),
    (("    time: {days_after: 0}", "    time: {day_of_month: 40}"), 7, "steps[0] (first_call).time.day_of_month", "1 to 31"),
    (("      - email: delinquency_notice", "      - email: overdue_letter"), 13, "steps[1] (letter).actions[0].email", "no email template"),
    (("    skip_if: [paid, contact]", "    skip_if: [paid, weather]"), 11, "steps[1] (letter).skip_if", "not one of"),
    (("from: first_call", "from: letter"), 10, "steps[1] (letter).time.from", "not an earlier step"),
    (("    actions: [ticket, call_tasks]", "    actions: [ticket, fax]"), 8, "steps[0] (first_call).actions[1]", "unknown action"),
    (("version: 3", "version: three"), 2, "version", "whole number"),
    (("network: wireless", "network: wireless\ncolour: blue"), 4, "colour", "unknown field"),
])
def test_dlq1_a_policy_with_a_mistake_is_rejected_with_file_line_and_field(tmp_path, mistake, line, field, words):
    path = tmp_path / "broken.yaml"
    path.write_text(GOOD.replace(*mistake))
    with pytest.raises(PolicyError) as caught:
        read(path)
    err = caught.value
    assert (err.path, err.line, err.field) == (str(path), line, field)
    assert words in err.message
    assert err.format().startswith(f"{path}:{line}: {field}: ")


def test_dlq1_missing_steps_and_bad_yaml_are_rejected():
    with pytest.raises(PolicyError) as caught:
        parse("name: x\nversion: 1\nnetwork: utopia\nroll: none\n", "x.yaml")
    assert caught.value.field == "steps" and "required" in caught.value.message
    with pytest.raises(PolicyError) as caught:
        parse("name: x\n  bad: [", "x.yaml")
    assert caught.value.path == "x.yaml" and caught.value.line


def test_dlq1_a_policy_by_path_is_what_a_scenario_can_try(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(textwrap.dedent(GOOD))
    assert get_policy(str(path)).name == "my-isp-2026"
    assert get_policy("my-isp-2026", 3).source == str(path)
