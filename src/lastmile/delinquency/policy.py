"""Delinquency policies are data (DLQ-1): one YAML file per policy version, checked at
load against the schema below; every mistake names the FILE, the LINE and the FIELD.

    name: utopia-2022-04          # what cases record, with the version
    version: 1
    network: utopia               # utopia | wireless
    roll: next_business_day       # CAL-3 default for every step: none | sunday_to_monday | next_business_day
    delinquency_day: 16           # optional; D, default from the ISP's settings
    steps:
      - name: open
        time: {days_after: 0}     # | {day_of_month: N} | {days_after: N, from: <step>}
                                  # | {business_days_before_month_end: N} | {last_business_day: true}
        roll: next_business_day   # optional, else the policy's
        skip_if: [paid, arrangement, contact]   # optional
        actions:
          - ticket
          - call_tasks: {on_unanswered_email: delinquency_notice}

Action vocabulary (ACTIONS): `ticket`, `note: TEXT`, `email: TEMPLATE`,
`call_tasks` or `call_tasks: {purpose: TEXT, on_unanswered_email: TEMPLATE}`,
`shut_off` or `shut_off: suspend|disconnect`, `status: not_active|suspended`,
`schedule: {action: disconnect, business_days_after: N}`, `cancel`.

Pure (no Django): the shipped policies live next to this file, an ISP's own in the
directories of `LASTMILE_POLICY_DIRS` (os.pathsep-separated), or any file by path.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from lastmile.core.calendar import ROLL_RULES
from lastmile.simulation.yamlload import LineDict, LineList, ScenarioError, load

from .schedule import FROM_D, SKIP_CONDITIONS, Policy, Step, StepTime

SHIPPED_DIR = Path(__file__).parent / "policies"
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "comms" / "templates" / "comms"

NETWORKS = ("utopia", "wireless")
TIME_KINDS = ("day_of_month", "days_after", "business_days_before_month_end", "last_business_day")
SHUT_OFF_OPERATIONS = ("suspend", "disconnect")
STATUS_TARGETS = ("not_active", "suspended")
SCHEDULE_ACTIONS = ("disconnect",)
ACTIONS = ("ticket", "note", "email", "call_tasks", "shut_off", "status", "schedule", "cancel")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_STEP = re.compile(r"^[a-z][a-z0-9_]*$")

# The schema, as data (JSON-Schema shaped, for documentation and the API); `validate`
# below enforces it with line numbers.
SCHEMA = {
    "type": "object",
    "required": ["name", "version", "network", "roll", "steps"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": _NAME.pattern},
        "version": {"type": "integer", "minimum": 1},
        "network": {"enum": list(NETWORKS)},
        "roll": {"enum": list(ROLL_RULES)},
        "delinquency_day": {"type": "integer", "minimum": 1, "maximum": 28},
        "description": {"type": "string"},
        "steps": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object", "required": ["name", "time", "actions"], "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "pattern": _STEP.pattern},
                    "time": {"type": "object", "oneOf": [
                        {"required": ["day_of_month"]}, {"required": ["days_after"]},
                        {"required": ["business_days_before_month_end"]}, {"required": ["last_business_day"]},
                    ]},
                    "roll": {"enum": list(ROLL_RULES)},
                    "skip_if": {"type": "array", "items": {"enum": list(SKIP_CONDITIONS)}},
                    "actions": {"type": "array", "minItems": 1},
                    "description": {"type": "string"},
                },
            },
        },
    },
}


class PolicyError(Exception):
    """A policy file that is not valid: names the file, the line and the field."""

    def __init__(self, path: str, line: int | None, field: str, message: str):
        self.path, self.line, self.field, self.message = str(path), line, field, message
        super().__init__(self.format())

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}"


class _Checker:
    def __init__(self, path: str):
        self.path = path

    def fail(self, line, field: str, message: str):
        raise PolicyError(self.path, line, field, message)

    def mapping(self, value, line, field) -> LineDict:
        if not isinstance(value, dict):
            self.fail(getattr(value, "line", line), field, "must be a mapping")
        return value

    def keys(self, mapping: LineDict, allowed, required, field_prefix: str):
        for key in mapping:
            if key not in allowed:
                self.fail(mapping.line_of(key), f"{field_prefix}{key}",
                          f"unknown field; expected one of {', '.join(sorted(allowed))}")
        for key in required:
            if key not in mapping or mapping[key] in (None, ""):
                self.fail(mapping.line, f"{field_prefix}{key}", "is required")

    def integer(self, value, line, field, minimum=0, maximum=None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(line, field, f"must be a whole number, not {value!r}")
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"{minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
            self.fail(line, field, f"must be {bound}, not {value}")
        return value

    def choice(self, value, line, field, choices) -> str:
        if value not in choices:
            self.fail(line, field, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def template(self, value, line, field) -> str:
        if not isinstance(value, str) or not (TEMPLATES_DIR / f"{value}.txt").exists():
            known = sorted(p.stem for p in TEMPLATES_DIR.glob("*.txt"))
            self.fail(line, field, f"there is no email template {value!r}; known: {', '.join(known)}")
        return value


def parse(text: str, path: str = "<policy>") -> Policy:
    """Read and check one policy file's text (DLQ-1)."""
    try:
        doc = load(text)
    except ScenarioError as exc:
        raise PolicyError(path, exc.line, "(file)", exc.message) from None
    c = _Checker(path)
    if doc is None:
        c.fail(1, "(file)", "the file is empty")
    doc = c.mapping(doc, 1, "(file)")
    c.keys(doc, SCHEMA["properties"], SCHEMA["required"], "")
    name = doc["name"]
    if not isinstance(name, str) or not _NAME.match(name):
        c.fail(doc.line_of("name"), "name", "use lower-case letters, digits, '-', '.' or '_'")
    version = c.integer(doc["version"], doc.line_of("version"), "version", minimum=1)
    network = c.choice(doc["network"], doc.line_of("network"), "network", NETWORKS)
    roll = c.choice(doc["roll"], doc.line_of("roll"), "roll", ROLL_RULES)
    day = None
    if doc.get("delinquency_day") is not None:
        day = c.integer(doc["delinquency_day"], doc.line_of("delinquency_day"), "delinquency_day", 1, 28)
    raw_steps = doc["steps"]
    if not isinstance(raw_steps, list) or not raw_steps:
        c.fail(getattr(raw_steps, "line", doc.line_of("steps")), "steps", "must be a list of at least one step")
    steps: list[Step] = []
    for i, raw in enumerate(raw_steps):
        line = raw_steps.item_lines[i] if isinstance(raw_steps, LineList) else doc.line_of("steps")
        steps.append(_step(c, raw, line, i, roll, steps))
    return Policy(name=name, version=version, network=network, roll=roll, delinquency_day=day,
                  steps=tuple(steps), source=path)


def _step(c: _Checker, raw, line, i: int, default_roll: str, earlier: list[Step]) -> Step:
    prefix = f"steps[{i}]."
    st = c.mapping(raw, line, f"steps[{i}]")
    c.keys(st, SCHEMA["properties"]["steps"]["items"]["properties"], ("name", "time", "actions"), prefix)
    name = st["name"]
    if not isinstance(name, str) or not _STEP.match(name):
        c.fail(st.line_of("name"), prefix + "name", "use lower-case letters, digits and '_', starting with a letter")
    if any(s.name == name for s in earlier):
        c.fail(st.line_of("name"), prefix + "name", f"step {name!r} is given twice")
    prefix = f"steps[{i}] ({name})."
    roll = default_roll
    if st.get("roll") is not None:
        roll = c.choice(st["roll"], st.line_of("roll"), prefix + "roll", ROLL_RULES)
    time = _time(c, st["time"], st.line_of("time"), prefix + "time", earlier)
    skip = st.get("skip_if") or []
    if not isinstance(skip, list):
        c.fail(st.line_of("skip_if"), prefix + "skip_if", "must be a list, e.g. [paid, arrangement, contact]")
    for j, cond in enumerate(skip):
        cline = skip.item_lines[j] if isinstance(skip, LineList) else st.line_of("skip_if")
        c.choice(cond, cline, prefix + "skip_if", SKIP_CONDITIONS)
    actions = st["actions"]
    if not isinstance(actions, list) or not actions:
        c.fail(st.line_of("actions"), prefix + "actions", "must be a list of at least one action")
    parsed = tuple(
        _action(c, a, actions.item_lines[j] if isinstance(actions, LineList) else st.line_of("actions"),
                f"{prefix}actions[{j}]")
        for j, a in enumerate(actions)
    )
    return Step(name=name, time=time, roll=roll, skip_if=tuple(dict.fromkeys(skip)), actions=parsed)


def _time(c: _Checker, raw, line, field, earlier: list[Step]) -> StepTime:
    t = c.mapping(raw, line, field)
    kinds = [k for k in t if k in TIME_KINDS]
    if len(kinds) != 1:
        c.fail(t.line, field, f"give exactly one of {', '.join(TIME_KINDS)}")
    kind = kinds[0]
    allowed = {kind, "from"} if kind == "days_after" else {kind}
    c.keys(t, allowed, (), field + ".")
    value = t[kind]
    if kind == "day_of_month":
        return StepTime(kind, c.integer(value, t.line_of(kind), f"{field}.{kind}", 1, 31))
    if kind == "business_days_before_month_end":
        return StepTime(kind, c.integer(value, t.line_of(kind), f"{field}.{kind}", 0, 20))
    if kind == "last_business_day":
        if value is not True:
            c.fail(t.line_of(kind), f"{field}.{kind}", "write `last_business_day: true`")
        return StepTime(kind)
    n = c.integer(value, t.line_of(kind), f"{field}.{kind}", 0, 366)
    origin = str(t.get("from", FROM_D))
    if origin != FROM_D and not any(s.name == origin for s in earlier):
        c.fail(t.line_of("from"), f"{field}.from",
               f"{origin!r} is not an earlier step; use D or one of: {', '.join(s.name for s in earlier) or '(none)'}")
    return StepTime(kind, n, origin)


def _action(c: _Checker, raw, line, field) -> tuple[str, object]:
    """Normalise an action to (name, argument)."""
    if isinstance(raw, str):
        name, arg = raw, None
    elif isinstance(raw, dict) and len(raw) == 1:
        name, arg = next(iter(raw.items()))
        line = raw.line_of(name) if isinstance(raw, LineDict) else line
    else:
        c.fail(getattr(raw, "line", line), field, "an action is a word (ticket) or one `name: value`")
    if name not in ACTIONS:
        c.fail(line, field, f"unknown action {name!r}; the actions are {', '.join(ACTIONS)}")
    field = f"{field}.{name}"
    if name in ("ticket", "cancel"):
        if arg is not None and not isinstance(arg, dict):
            c.fail(line, field, "takes no value (or a mapping with subject)")
        if isinstance(arg, dict):
            c.keys(arg, {"subject"}, (), field + ".")
        return (name, dict(arg or {}))
    if name == "note":
        if not isinstance(arg, str) or not arg.strip():
            c.fail(line, field, "needs the note's text")
        return (name, arg)
    if name == "email":
        return (name, c.template(arg, line, field))
    if name == "call_tasks":
        if arg is None or arg is True:
            return (name, {})
        m = c.mapping(arg, line, field)
        c.keys(m, {"purpose", "on_unanswered_email"}, (), field + ".")
        if m.get("on_unanswered_email") is not None:
            c.template(m["on_unanswered_email"], m.line_of("on_unanswered_email"), field + ".on_unanswered_email")
        return (name, dict(m))
    if name == "shut_off":
        if arg is None:
            return (name, None)
        return (name, c.choice(arg, line, field, SHUT_OFF_OPERATIONS))
    if name == "status":
        return (name, c.choice(arg, line, field, STATUS_TARGETS))
    # schedule
    m = c.mapping(arg, line, field)
    c.keys(m, {"action", "business_days_after"}, ("action",), field + ".")
    c.choice(m["action"], m.line_of("action"), field + ".action", SCHEDULE_ACTIONS)
    days = c.integer(m.get("business_days_after", 1), m.line_of("business_days_after"), field + ".business_days_after", 0, 60)
    return (name, {"action": m["action"], "business_days_after": days})


def read(path: str | Path) -> Policy:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(str(path), None, "(file)", f"cannot read the file: {exc.strerror}") from None
    return parse(text, str(path))


# --- the registry: shipped policies, the ISP's own, files by path ---
_cache: dict[tuple[str, int], Policy] = {}
_scanned: set[str] = set()


def policy_dirs() -> list[Path]:
    dirs = [SHIPPED_DIR]
    extra = os.environ.get("LASTMILE_POLICY_DIRS", "")
    dirs += [Path(p) for p in extra.split(os.pathsep) if p.strip()]
    return dirs


_seen_dirs: set[str] = set()


def _scan() -> None:
    # get_policy is asked per case and per day (1,400 times in a simulated year): a
    # directory list already looked at costs no realpath (issue 14)
    raw = os.environ.get("LASTMILE_POLICY_DIRS", "")
    if raw in _seen_dirs:
        return
    for directory in policy_dirs():
        key = str(directory.resolve())
        if key in _scanned:
            continue
        for path in sorted(directory.glob("*.yaml")):
            _register(read(path))
        _scanned.add(key)
    _seen_dirs.add(raw)


def _register(policy: Policy) -> Policy:
    existing = _cache.get((policy.name, policy.version))
    if existing is not None and existing.source != policy.source and existing.steps != policy.steps:
        raise PolicyError(policy.source, None, "version",
                          f"{policy.name} version {policy.version} is already defined in {existing.source}; "
                          f"give this file a new version")
    _cache[(policy.name, policy.version)] = policy
    return policy


def get_policy(ref: str, version: int | None = None) -> Policy:
    """A policy by name (its newest version, or `version`) or by a file path."""
    ref = str(ref)
    if ref.endswith((".yaml", ".yml")) or os.sep in ref:
        path = Path(ref)
        policy = read(path)
        _cache[(policy.name, policy.version)] = policy  # a file by path wins: it is what is being tried
        if version is None or version == policy.version:
            return policy
        ref = policy.name
    _scan()
    if version is not None and (ref, version) in _cache:
        return _cache[(ref, version)]
    versions = sorted(v for (n, v) in _cache if n == ref)
    if not versions:
        known = sorted({n for (n, _v) in _cache})
        raise LookupError(f"there is no delinquency policy {ref!r}; known policies: {', '.join(known)}")
    return _cache[(ref, versions[-1])]


def all_policies() -> list[Policy]:
    _scan()
    return sorted(_cache.values(), key=lambda p: (p.name, p.version))
