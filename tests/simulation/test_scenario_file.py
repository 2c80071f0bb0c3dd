"""scenarios.md is a public contract: a file that is not a valid scenario is rejected
before anything runs, with the file's line and what is wrong (exit code 2)."""
import json
import subprocess
import sys
import textwrap

import pytest

from lastmile.simulation import registry, scenario
from lastmile.simulation.yamlload import ScenarioError

GOOD = """\
start: 2026-09-01
end: 2026-09-10
accounts:
  - ref: ana
    name: Ana Lopez
    kind: residential
    network: utopia
    plan: classic
    address: {line1: "12 Elm St", city: Orem, state: UT, postal_code: "84057", address_id: "UT-10042"}
    phones: ["801-555-0101"]
    emails: ["ana@example.test"]
events:
  - {on: 2026-09-03, account: ana, do: payment, amount: "65.00", method: phone}
"""


def _error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as exc:
        scenario.parse(textwrap.dedent(text))
    return exc.value


def test_a_good_file_parses_with_on_as_a_key():
    parsed = scenario.parse(GOOD)
    assert parsed.events[0].on.isoformat() == "2026-09-03"
    assert parsed.events[0].verb == "payment"
    assert parsed.accounts[0].values["premium_available"] == "unknown"


@pytest.mark.parametrize(
    "old, new, line, words",
    [
        ("do: payment", "do: teleport", 13, "unknown verb 'teleport'"),
        ('amount: "65.00"', 'amount: "65.00", tip: "1.00"', 13, "unknown field 'tip'"),
        ("on: 2026-09-03", "on: 2026-09-31", 13, "not a date"),
        ("account: ana, do", "account: bob, do", 13, "unknown account ref 'bob'"),
        ("on: 2026-09-03", "on: 2026-10-03", 13, "outside the simulated days"),
        ("kind: residential", "kind: business", 6, "kind must be residential or commercial"),
        ("plan: classic", "plan: gold", 8, "plan 'gold' is not in the catalog"),
        ("end: 2026-09-10", "end: 2026-08-10", 2, "before start"),
        ("    phones:", "    colour: blue\n    phones:", 10, "unknown field 'colour'"),
    ],
)
def test_invalid_files_name_the_line(old, new, line, words):
    err = _error(GOOD.replace(old, new, 1))
    assert err.line == line, err.message
    assert words in err.message


def test_unknown_setting_names_its_line():
    err = _error(GOOD.replace("accounts:", "settings:\n  reactivation_fees: \"35.00\"\naccounts:", 1))
    assert err.line == 4 and "unknown setting 'reactivation_fees'" in err.message


def test_utopia_account_needs_address_id():
    err = _error(GOOD.replace(', address_id: "UT-10042"', "", 1))
    assert "address_id" in err.message


def test_verbs_not_built_are_refused_at_load(monkeypatch):
    monkeypatch.setattr(registry, "_verbs", {k: v for k, v in registry._verbs.items() if k != "payment"})
    monkeypatch.setattr(registry, "_loaded", True)
    err = _error(GOOD)
    assert err.line == 13 and "not built yet" in err.message


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "lastmile.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_cli_rejects_an_invalid_file_with_exit_code_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("do: payment", "do: teleport"))
    proc = _cli("simulate", str(path), "--json", cwd=tmp_path)
    assert proc.returncode == 2
    assert f"{path}:13:" in proc.stderr and "teleport" in proc.stderr
    assert proc.stdout == ""


def test_cli_prints_one_json_object_and_a_table(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(GOOD)
    proc = _cli("simulate", str(path), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["accounts"]["ana"] == {**result["accounts"]["ana"], "status": "active", "plan": "classic",
                                         "balance": "0.00", "portal_access": True}
    assert result["timeline"][0]["type"] in ("charge.posted", "statement.issued")
    issued = [e for e in result["timeline"] if e["type"] == "statement.issued"]
    assert issued == [{**issued[0], "date": "2026-09-01", "account": "ana", "amount": "65.00", "due": "2026-09-05"}]
    assert not (tmp_path / "lastmile.sqlite3").exists()  # a throw-away database in memory
    table = _cli("simulate", str(path), cwd=tmp_path)
    assert table.returncode == 0 and "statement.issued" in table.stdout and "payment.posted" in table.stdout
