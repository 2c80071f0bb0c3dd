"""Reading a scenario file (scenarios.md): the structure is checked before anything
runs, and every error names the line."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from lastmile.core import ispconfig
from lastmile.core.actors import ALL_ROLES
from lastmile.core.money import MoneyError, money

from . import registry
from .yamlload import LineDict, LineList, ScenarioError, load

TOP_KEYS = {"start", "end", "settings", "plans", "accounts", "events"}
ACCOUNT_KEYS = {
    "ref", "name", "kind", "network", "plan", "address", "phones", "emails", "autopay",
    "service_start", "opening_balance", "premium_available", "bill_cycle_day", "number",
}
ADDRESS_KEYS = {"line1", "line2", "city", "state", "postal_code", "address_id"}
PLAN_KEYS = {"code", "name", "monthly", "rank"}
EVENT_COMMON = {"on", "account", "do", "as"}
MAX_DAYS = 3660


@dataclass
class AccountSpec:
    line: int
    ref: str
    values: dict
    extras: dict = field(default_factory=dict)  # keys handled by other contexts


@dataclass
class EventSpec:
    line: int
    on: dt.date
    ref: str
    verb: str
    role: str | None
    fields: dict


@dataclass
class Scenario:
    start: dt.date
    end: dt.date
    settings: dict
    plans: list[dict] | None
    accounts: list[AccountSpec]
    events: list[EventSpec]
    path: str = "<scenario>"

    def days(self):
        day = self.start
        while day <= self.end:
            yield day
            day += dt.timedelta(days=1)


def parse_date(value, line: int, what: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ScenarioError(line, f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None


def parse_money(value, line: int, what: str) -> Decimal:
    try:
        return money(value)
    except MoneyError as exc:
        raise ScenarioError(line, f"{what}: {exc}") from None


def parse_bool(value, line: int, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("yes", "no", "on", "off"):
        return value.lower() in ("yes", "on")
    raise ScenarioError(line, f"{what}: expected true or false, got {value!r}")


def _mapping(value, line: int, what: str) -> LineDict:
    if not isinstance(value, dict):
        raise ScenarioError(getattr(value, "line", line), f"{what} must be a mapping")
    return value


def _list(value, line: int, what: str) -> list:
    if not isinstance(value, list):
        raise ScenarioError(getattr(value, "line", line), f"{what} must be a list")
    return value


def _unknown(mapping: LineDict, allowed: set[str], what: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise ScenarioError(
                mapping.line_of(key), f"unknown field {key!r} in {what}; expected one of {', '.join(sorted(allowed))}"
            )


def _required(mapping: LineDict, keys, what: str) -> None:
    for key in keys:
        if key not in mapping or mapping[key] in (None, ""):
            raise ScenarioError(mapping.line, f"{what} needs {key!r}")


def read(path: str | Path) -> Scenario:
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(None, f"cannot read the file: {exc.strerror}") from None
    scenario = parse(text)
    scenario.path = path
    return scenario


def parse(text: str) -> Scenario:
    doc = load(text)
    if doc is None:
        raise ScenarioError(1, "the file is empty")
    doc = _mapping(doc, 1, "a scenario")
    _unknown(doc, TOP_KEYS, "the scenario")
    _required(doc, ("start", "end"), "the scenario")
    start = parse_date(doc["start"], doc.line_of("start"), "start")
    end = parse_date(doc["end"], doc.line_of("end"), "end")
    if end < start:
        raise ScenarioError(doc.line_of("end"), f"end {end} is before start {start}")
    if (end - start).days > MAX_DAYS:
        raise ScenarioError(doc.line_of("end"), "a scenario can span at most ten years")

    settings = {}
    if doc.get("settings") is not None:
        raw = _mapping(doc["settings"], doc.line_of("settings"), "settings")
        for key, value in raw.items():
            try:
                ispconfig.coerce(key, value)
            except ValueError as exc:
                raise ScenarioError(raw.line_of(key), str(exc)) from None
            settings[key] = value

    plans = None
    if doc.get("plans") is not None:
        plans = []
        raw_plans = _list(doc["plans"], doc.line_of("plans"), "plans")
        for i, plan in enumerate(raw_plans):
            line = raw_plans.item_lines[i] if isinstance(raw_plans, LineList) else doc.line_of("plans")
            plan = _mapping(plan, line, "a plan")
            _unknown(plan, PLAN_KEYS, "a plan")
            _required(plan, PLAN_KEYS, "a plan")
            monthly = parse_money(plan["monthly"], plan.line_of("monthly"), "monthly")
            if monthly < 0:
                raise ScenarioError(plan.line_of("monthly"), "monthly: a price cannot be negative")
            if not isinstance(plan["rank"], int) or isinstance(plan["rank"], bool):
                raise ScenarioError(plan.line_of("rank"), "rank must be a whole number")
            if any(p["code"] == str(plan["code"]) for p in plans):
                raise ScenarioError(plan.line_of("code"), f"plan code {plan['code']!r} is given twice")
            if any(p["rank"] == plan["rank"] for p in plans):
                raise ScenarioError(plan.line_of("rank"), f"rank {plan['rank']} is given twice")
            plans.append({"code": str(plan["code"]), "name": str(plan["name"]), "monthly": monthly,
                          "rank": plan["rank"]})
    plan_codes = {p["code"] for p in plans} if plans else {"basic", "classic", "premium"}

    accounts = _accounts(doc, start, plan_codes)
    refs = {a.ref for a in accounts}
    events = _events(doc, start, end, refs)
    return Scenario(start, end, settings, plans, accounts, events)


def _accounts(doc: LineDict, start: dt.date, plan_codes: set[str]) -> list[AccountSpec]:
    if doc.get("accounts") is None:
        return []
    raw = _list(doc["accounts"], doc.line_of("accounts"), "accounts")
    extras = registry.account_keys()
    result: list[AccountSpec] = []
    for i, item in enumerate(raw):
        line = raw.item_lines[i] if isinstance(raw, LineList) else doc.line_of("accounts")
        acc = _mapping(item, line, "an account")
        _unknown(acc, ACCOUNT_KEYS | set(extras), "an account")
        _required(acc, ("ref", "name", "kind", "network", "plan", "address"), "an account")
        ref = str(acc["ref"])
        if any(a.ref == ref for a in result):
            raise ScenarioError(acc.line_of("ref"), f"account ref {ref!r} is given twice")
        if acc["kind"] not in ("residential", "commercial"):
            raise ScenarioError(acc.line_of("kind"), f"kind must be residential or commercial, not {acc['kind']!r}")
        if acc["network"] not in ("utopia", "wireless"):
            raise ScenarioError(acc.line_of("network"), f"network must be utopia or wireless, not {acc['network']!r}")
        if str(acc["plan"]) not in plan_codes:
            raise ScenarioError(acc.line_of("plan"), f"plan {acc['plan']!r} is not in the catalog ({', '.join(sorted(plan_codes))})")
        address = _mapping(acc["address"], acc.line_of("address"), "address")
        _unknown(address, ADDRESS_KEYS, "an address")
        _required(address, ("line1", "city", "state", "postal_code"), "an address")
        if acc["network"] == "utopia":
            _required(address, ("address_id",), "a UTOPIA address")
        values = {
            "name": str(acc["name"]), "kind": acc["kind"], "network": acc["network"], "plan": str(acc["plan"]),
            "address": {k: str(v) for k, v in address.items()},
            "phones": [str(p) for p in _list(acc.get("phones") or [], acc.line_of("phones"), "phones")],
            "emails": [str(e) for e in _list(acc.get("emails") or [], acc.line_of("emails"), "emails")],
            "autopay": parse_bool(acc.get("autopay", False), acc.line_of("autopay"), "autopay"),
            "service_start": parse_date(acc["service_start"], acc.line_of("service_start"), "service_start")
            if acc.get("service_start") is not None else start,
            "opening_balance": parse_money(acc.get("opening_balance", "0.00"), acc.line_of("opening_balance"),
                                           "opening_balance"),
            "premium_available": (
                "unknown" if acc.get("premium_available") is None
                else ("yes" if parse_bool(acc["premium_available"], acc.line_of("premium_available"),
                                          "premium_available") else "no")
            ),
        }
        if acc.get("bill_cycle_day") is not None:
            day = acc["bill_cycle_day"]
            if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 31:
                raise ScenarioError(acc.line_of("bill_cycle_day"), "bill_cycle_day must be 1 to 31")
            values["bill_cycle_day"] = day
        if acc.get("number") is not None:
            values["number"] = str(acc["number"])
        spec = AccountSpec(line=acc.line, ref=ref, values=values)
        for key, handler in extras.items():
            if key in acc:
                spec.extras[key] = handler.check(acc[key], acc.line_of(key))
        result.append(spec)
    return result


def _events(doc: LineDict, start: dt.date, end: dt.date, refs: set[str]) -> list[EventSpec]:
    if doc.get("events") is None:
        return []
    raw = _list(doc["events"], doc.line_of("events"), "events")
    events = []
    for i, item in enumerate(raw):
        line = raw.item_lines[i] if isinstance(raw, LineList) else doc.line_of("events")
        ev = _mapping(item, line, "an event")
        _required(ev, ("on", "account", "do"), "an event")
        name = str(ev["do"])
        if name not in registry.ALL_VERBS:
            raise ScenarioError(ev.line_of("do"), f"unknown verb {name!r}; the verbs are {', '.join(registry.ALL_VERBS)}")
        spec = registry.get_verb(name)
        if spec is None:
            raise ScenarioError(ev.line_of("do"), f"the verb {name!r} is not built yet in this version of lastmile")
        _unknown(ev, EVENT_COMMON | set(spec.fields), f"a {name!r} event")
        on = parse_date(ev["on"], ev.line_of("on"), "on")
        if not start <= on <= end:
            raise ScenarioError(ev.line_of("on"), f"on: {on} is outside the simulated days {start} to {end}")
        ref = str(ev["account"])
        if ref not in refs:
            raise ScenarioError(ev.line_of("account"), f"unknown account ref {ref!r}")
        role = ev.get("as")
        if role is not None and role not in ALL_ROLES:
            raise ScenarioError(ev.line_of("as"), f"as: unknown role {role!r}; the roles are {', '.join(sorted(ALL_ROLES))}")
        fields = {}
        for key, kind in spec.fields.items():
            if key in ev and ev[key] is not None:
                fields[key] = _field(kind, ev[key], ev.line_of(key), key)
        events.append(EventSpec(line=ev.line, on=on, ref=ref, verb=name, role=role, fields=fields))
    return events


def _field(kind: str, value, line: int, name: str):
    """Structural checks only: a date must be a date; values are judged when the event runs."""
    if kind == registry.DATE:
        return parse_date(value, line, name)
    if kind == registry.BOOL:
        return parse_bool(value, line, name)
    if kind == registry.MONEY:
        return value if isinstance(value, str) else str(value)
    if kind == registry.TEXT:
        if isinstance(value, (dict, list)):
            raise ScenarioError(line, f"{name} must be a single value")
        return str(value)
    if kind == registry.INSTALLMENTS:
        items = _list(value, line, name)
        parsed = []
        for j, inst in enumerate(items):
            inst_line = items.item_lines[j] if isinstance(items, LineList) else line
            inst = _mapping(inst, inst_line, "an installment")
            _unknown(inst, {"on", "amount"}, "an installment")
            _required(inst, ("on", "amount"), "an installment")
            parsed.append({"on": parse_date(inst["on"], inst.line_of("on"), "installment on"),
                           "amount": inst["amount"] if isinstance(inst["amount"], str) else str(inst["amount"])})
        return parsed
    return value
