"""Issue 15: a hypothesis fuzzer of scenario files. Random mutations of the shipped
scenarios (tests/scenarios/*.yaml): lines dropped, doubled, swapped or cut short,
values replaced by hostile ones, YAML broken. Each mutated file must give what
`lastmile simulate` promises (scenarios.md): a run, or exit code 2 with the file's
line in the message; never a traceback.

The in-process path of `lastmile simulate` (scenario.parse, then runner.run, a
ScenarioError being exit 2) runs on the test database inside a savepoint rolled back
after each file, so no subprocess or migration per example. A mutated file that
parses and spans more than MAX_RUN_DAYS is parsed only: a run of decades is valid
and would tell nothing more.

LASTMILE_FUZZ_EXAMPLES (default 200) bounds the files.
"""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from lastmile.simulation import scenario as scenario_mod
from lastmile.simulation.runner import run
from lastmile.simulation.yamlload import ScenarioError

EXAMPLES = int(os.environ.get("LASTMILE_FUZZ_EXAMPLES", "200"))
MAX_RUN_DAYS = 40
SCENARIOS = Path(__file__).parent.parent / "scenarios"
FILES = sorted(p for p in SCENARIOS.glob("*.yaml") if not p.name.endswith(".expect.yaml"))
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in FILES}

HOSTILE = [
    "", "~", "null", "-1", "0", "1e309", "NaN", "-Infinity", "99999999999.00", "0.001", "65.00.00",
    "2026-02-30", "2026-13-01", "9999-12-31", "0001-01-01", "yes", "[]", "{}", "[", "{", "'", '"',
    "!!python/object:os.system", "&a", "*a", "@", "`", "|", ">", "- x", "?", "%", "\t", "x" * 300,
    "\u202e", "ref", "do", "payment", "premium", "utopia", "wireless", "-", "::", "[1, 2", "{on: }",
]


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(TEXTS)))
    lines = TEXTS[name].splitlines()
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["drop", "double", "swap", "cut", "value", "key", "indent", "truncate"]))
        line = lines[i]
        if kind == "drop":
            del lines[i]
        elif kind == "double":
            lines.insert(i, line)
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "cut":
            lines[i] = line[: draw(st.integers(0, len(line)))]
        elif kind == "value" and ":" in line:
            head, _, _ = line.rpartition(":")
            lines[i] = f"{head}: {draw(st.sampled_from(HOSTILE))}"
        elif kind == "key" and ":" in line:
            _, sep, tail = line.partition(":")
            indent = line[: len(line) - len(line.lstrip())]
            lines[i] = f"{indent}{draw(st.sampled_from(HOSTILE)) or 'x'}{sep}{tail}"
        elif kind == "indent":
            lines[i] = " " * draw(st.integers(0, 5)) + line.lstrip()
        elif kind == "truncate":
            lines = lines[: i + 1]
    return name, "\n".join(lines) + "\n"


def simulate_in_process(text: str) -> tuple[int, str]:
    """What `lastmile simulate` does with one file, on the current database: (exit
    code, message). Anything but a run or a ScenarioError escapes: that is the bug."""
    try:
        parsed = scenario_mod.parse(text)
        if (parsed.end - parsed.start).days <= MAX_RUN_DAYS:
            with transaction.atomic():
                run(parsed)
                transaction.set_rollback(True)
    except ScenarioError as exc:
        return 2, exc.format("fuzzed.yaml")
    return 0, ""


@pytest.mark.django_db
def test_mutated_scenario_files_run_or_exit_2_with_a_line_never_a_traceback(today):
    seen = {"files": 0, "runs": 0, "exit2": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(case=mutated())
    def one(case):
        name, text = case
        seen["files"] += 1
        try:
            code, message = simulate_in_process(text)
        except Exception as exc:
            raise AssertionError(f"a traceback for a mutation of {name}:\n{text}") from exc
        if code == 2:
            seen["exit2"] += 1
            assert message.startswith("fuzzed.yaml:") and message.split(":")[1].isdigit(), (
                f"exit 2 without a line number for a mutation of {name}: {message}\n{text}")
        else:
            seen["runs"] += 1

    one()
    print(f"scenario fuzzer: {seen['files']} files, {seen['runs']} ran, {seen['exit2']} exit 2 with a line")
    assert seen["files"] >= min(EXAMPLES, 50) and seen["exit2"] and seen["runs"]


@pytest.mark.django_db
@pytest.mark.parametrize("text", [
    "start: 2026-09-01\nend: 2026-09-02\n",  # no accounts, no events: a valid empty run
    "",
    "- just a list\n",
    "start: [\n",
    "start: 2026-09-01\nend: 2026-08-01\naccounts: []\nevents: []\n",
])
def test_edge_files_run_or_exit_2_with_a_line(today, text):
    code, message = simulate_in_process(textwrap.dedent(text))
    assert code == 0 or (code == 2 and message.split(":")[1].isdigit()), message
