"""Declarative scenario tests: every `NAME.yaml` here runs through the simulator and
is checked against `NAME.expect.yaml`:

    accounts: {ref: {status: ..., balance: "..."}}    # subset of the final state
    timeline: [ {date, account, type, ...}, ... ]      # must appear, in this order
    absent:   [ {type: ...}, ... ]                     # must not appear at all
    counts:   [ {match: {...}, count: N}, ... ]        # exactly N entries match

Each scenario also runs with every day run done twice, and must come out the same
(the day run is idempotent), and no event may fail with an internal error.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from lastmile.simulation import scenario as scenario_mod
from lastmile.simulation.runner import run

HERE = Path(__file__).parent
FILES = sorted(p for p in HERE.glob("*.yaml") if not p.name.endswith(".expect.yaml"))


def _norm(value):
    if isinstance(value, (dt.date,)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def _matches(entry: dict, pattern: dict) -> bool:
    return all(str(k) in entry and _norm(entry[str(k)]) == _norm(v) for k, v in pattern.items())


def check(result: dict, expect: dict, name: str) -> None:
    for ref, state in (expect.get("accounts") or {}).items():
        assert ref in result["accounts"], f"{name}: no account {ref}"
        for key, value in state.items():
            assert _norm(result["accounts"][ref][key]) == _norm(value), (
                f"{name}: account {ref} {key} is {result['accounts'][ref][key]!r}, expected {value!r}"
            )
    timeline = result["timeline"]
    position = 0
    for pattern in expect.get("timeline") or []:
        for i in range(position, len(timeline)):
            if _matches(timeline[i], pattern):
                position = i + 1
                break
        else:
            raise AssertionError(
                f"{name}: no timeline entry {pattern} after position {position}\n"
                + "\n".join(str(e) for e in timeline)
            )
    for pattern in expect.get("absent") or []:
        found = [e for e in timeline if _matches(e, pattern)]
        assert not found, f"{name}: unexpected {found}"
    for item in expect.get("counts") or []:
        found = [e for e in timeline if _matches(e, item["match"])]
        assert len(found) == item["count"], f"{name}: {len(found)} entries match {item['match']}, expected {item['count']}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario(path: Path):
    expect_path = path.with_name(path.stem + ".expect.yaml")
    assert expect_path.exists(), f"{path.name} has no {expect_path.name}"
    expect = yaml.safe_load(expect_path.read_text()) or {}
    scenario = scenario_mod.read(path)
    result = run(scenario)
    internal = [e for e in result["timeline"] if e["type"] == "action.refused" and "internal error" in e["reason"]]
    assert not internal, internal
    check(result, expect, path.stem)


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_day_run_twice_changes_nothing(path: Path, django_db_blocker):
    """Architecture: running a day twice changes nothing (natural keys, unique constraints)."""
    from django.db import transaction

    scenario = scenario_mod.read(path)
    with transaction.atomic():
        once = run(scenario)
        transaction.set_rollback(True)
    twice = run(scenario_mod.read(path), repeat_days=True)
    assert _without_ids(twice) == _without_ids(once)


# database ids differ between two runs on PostgreSQL (sequences are not rolled back)
_ID_FIELDS = {"number", "ticket", "case", "plan_change", "cancellation", "arrangement", "request", "task",
              "noc_request", "work_order", "statement", "entry", "subject"}


def _without_ids(result: dict) -> dict:
    return {
        "accounts": {ref: {k: v for k, v in state.items() if k not in _ID_FIELDS}
                     for ref, state in result["accounts"].items()},
        "timeline": [{k: v for k, v in e.items() if k not in _ID_FIELDS} for e in result["timeline"]],
    }
