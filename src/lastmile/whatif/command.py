"""`lastmile whatif`: what would a proposed delinquency policy have done, next to
today's, on the ISP's own accounts? (issue 14)

Two copies of the live database are made (`whatif.copy`), and each runs in its own
process (`python -m lastmile.whatif.child`), both at once: one with today's policies,
one with the proposed policy for its network. The live database is only read, to
copy it. The figures come back as JSON and are printed side by side.
"""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal

from lastmile.core import ispconfig

from .copy import copies


class WhatIfError(Exception):
    """Bad input or a failed arm; the message is a sentence for the person."""


@dataclass(frozen=True)
class Request:
    policy: str
    start: dt.date
    months: int
    network: str | None = None
    scenario_path: str | None = None
    minutes_per_call: int = 6


def check(request: Request):
    """The proposed policy, or a WhatIfError naming what exists."""
    from lastmile.delinquency.policy import PolicyError, all_policies, get_policy

    if not 1 <= request.months <= 24:
        raise WhatIfError("months must be from 1 to 24")
    try:
        policy = get_policy(request.policy)
    except PolicyError as exc:
        raise WhatIfError(f"the proposed policy is not valid: {exc}") from None
    except (KeyError, LookupError, FileNotFoundError):
        names = ", ".join(sorted({p.name for p in all_policies()}))
        raise WhatIfError(f"there is no policy named {request.policy!r}; the policies are: {names}") from None
    if request.network and policy.network != request.network:
        raise WhatIfError(f"policy {policy.name} is for {policy.network} accounts, not {request.network}")
    if request.scenario_path:
        from lastmile.simulation import scenario as scenario_mod
        from lastmile.simulation.yamlload import ScenarioError

        if not os.path.exists(request.scenario_path):
            raise WhatIfError(f"no scenario file at {request.scenario_path}")
        try:
            scenario_mod.read(request.scenario_path)
        except ScenarioError as exc:
            raise WhatIfError(f"invalid scenario: {exc.format(request.scenario_path)}") from None
    return policy


def compare(request: Request) -> dict:
    """Both arms' figures: {"current": {...}, "proposed": {...}, "policies": {...}}."""
    policy = check(request)
    network = request.network or policy.network
    today = dict(ispconfig.current().policies)
    ref = os.path.abspath(request.policy) if request.policy.endswith((".yaml", ".yml")) else policy.name
    proposed = {**today, network: ref}
    arms = {"current": today, "proposed": proposed}
    with copies(len(arms)) as urls:
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(arms)) as pool:
            futures = {name: pool.submit(_run_child, url, request, policies, network)
                       for (name, policies), url in zip(arms.items(), urls, strict=True)}
            results = {name: future.result() for name, future in futures.items()}
    return {"network": network, "from": request.start.isoformat(), "months": request.months,
            "policies": {"current": today.get(network), "proposed": policy.name}, **results}


def _run_child(url: str, request: Request, policies: dict, network: str) -> dict:
    env = dict(os.environ, DATABASE_URL=url, LASTMILE_PAYMENTS="test")  # never a real card processor
    args = {"start": request.start.isoformat(), "months": request.months, "policies": policies,
            "network": network, "scenario": request.scenario_path, "minutes_per_call": request.minutes_per_call}
    done = subprocess.run([sys.executable, "-m", "lastmile.whatif.child", json.dumps(args)], env=env,
                          capture_output=True, text=True)
    if done.returncode:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise WhatIfError(f"the {policies.get(network)} run failed: {tail}")
    return json.loads(done.stdout.strip().splitlines()[-1])


ROWS = (
    ("cases_opened", "Delinquency cases opened"),
    ("call_tasks", "Call tasks created"),
    ("agent_hours", "Agent hours for those calls"),
    ("shut_offs", "Shut-offs"),
    ("reinstatements", "Reinstatements"),
    ("cancellations", "Cancellations"),
    ("fees_charged", "Fees charged"),
    ("median_days_d_to_payment", "Median days from D to payment"),
    ("noc_requests", "NOC requests"),
)


def rows(result: dict, *, minutes_per_call: int = 6) -> list[tuple[str, str, str, str]]:
    """(what, current, proposed, change) lines, the same for the CLI and the console."""
    out = []
    for key, label in ROWS:
        if key == "agent_hours":
            label = f"{label} ({minutes_per_call} min a call)"
        money = key == "fees_charged"
        a, b = result["current"][key], result["proposed"][key]
        out.append((label, _dollars(a) if money else str(a), _dollars(b) if money else str(b),
                    _change(a, b, money=money)))
    for end, amount in result["current"]["collected_by"].items():
        other = result["proposed"]["collected_by"].get(end, "0.00")
        day = dt.date.fromisoformat(end)
        out.append((f"Collected by {day:%b} {day.day}, {day.year}", _dollars(amount), _dollars(other),
                    _change(amount, other, money=True)))
    return out


def _dollars(amount) -> str:
    value = Decimal(str(amount))
    return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"


def _change(a, b, *, money: bool = False) -> str:
    try:
        delta = Decimal(str(b)) - Decimal(str(a))
    except ArithmeticError:
        return ""
    if delta == 0:
        return "same"
    sign = "+" if delta > 0 else "-"
    return f"{sign}{_dollars(abs(delta))}" if money else f"{sign}{abs(delta).normalize():f}"


def render(result: dict, *, minutes_per_call: int = 6) -> str:
    lines = [f"What if {result['network']} accounts followed {result['policies']['proposed']} instead of "
             f"{result['policies']['current']}, for {result['months']} month(s) from {result['from']}:", ""]
    table = [("", f"today ({result['policies']['current']})", f"proposed ({result['policies']['proposed']})",
              "change"), *rows(result, minutes_per_call=minutes_per_call)]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        lines.append("  ".join([row[0].ljust(widths[0]), *(cell.rjust(widths[i]) for i, cell in
                                                           enumerate(row[1:], start=1))]).rstrip())
    planned = result["current"].get("payments_planned")
    if planned is not None:
        lines += ["", f"Payments taken from each account's last three months: {planned} in the current run."]
    return "\n".join(lines)
