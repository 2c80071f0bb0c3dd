"""Timeline entries told as sentences a person reads (issue 10).

The activity feed shows "Service suspended for non-payment (policy utopia-2022-04,
step suspend)", not `account.status_changed from: delinquent to: suspended`. Each app
knows its own entries, so each app says them: it has a `timeline_text` module whose
describers register here with `@describes("type")`. Core imports no app; the
modules are found the way the Django admin finds `admin.py` (autodiscovery over
INSTALLED_APPS), the first time a sentence is asked for.

Rule IDs (DLQ-7, CAN-1 ...) stay in the code and the docs: every text that reaches a
screen goes through `plain`, which takes them out. Money reads $1,234.50, a day
"Dec 2, 2026", a moment "Dec 2, 2026, 9:14 AM MST" in the ISP's time zone.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

# the rule families of rules.md; an address ID such as UT-10042 is data, not a rule
RULE_PREFIXES = ("AUD", "BIL", "CAL", "CAN", "CON", "DLQ", "IMP", "NET", "NOT", "PKG", "POR", "TKT")
_RULE = rf"(?:{'|'.join(RULE_PREFIXES)})-\d+[a-z]?"
RULE_ID = re.compile(rf"\b{_RULE}\b")
_RULES = rf"{_RULE}(?:\s*(?:/|,|and)\s*{_RULE})*"
_PAREN_RULES = re.compile(rf"\s*\(\s*(?:see\s+)?{_RULES}\s*\)")
_LEAD_RULES = re.compile(rf"^\s*(?:{_RULES}|(?:{'|'.join(RULE_PREFIXES)})(?=:))\s*:?\s*")
_INNER_LEAD = re.compile(rf"([;.]\s+)(?:{_RULES})\s*:?\s*")

Describer = Callable[["Facts"], "str | tuple[str, str]"]
_DESCRIBERS: dict[str, Describer] = {}
_ACTORS: list[Callable[[str], str | None]] = []
_loaded = False


# --- what can be read on a screen ------------------------------------------------------
def plain(text) -> str:
    """`text` with its rule IDs taken out: "CAN-1: the day after" -> "the day after",
    "equipment fees (CAN-6)" -> "equipment fees", "PKG-5" -> ""."""
    if text is None:
        return ""
    out = _PAREN_RULES.sub("", str(text))
    out = _LEAD_RULES.sub("", out)
    out = _INNER_LEAD.sub(r"\1", out)
    out = RULE_ID.sub("", out)
    out = re.sub(r"\(\s*\)", "", out)
    out = re.sub(r"\s+([,;.:)])", r"\1", out)
    out = re.sub(r"\s{2,}", " ", out).strip()
    return out.strip(" ;,:/-")


def money(value) -> str:
    """$1,234.50; a negative amount -$3.33 (describers say "credit" where it is one)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return str(value or "")
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def _as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def day(value) -> str:
    """"Dec 2, 2026" (a date or an ISO string; anything else is shown as it is)."""
    d = _as_date(value) if value not in (None, "") else None
    if d is None:
        return "" if value in (None, "") else str(value)
    return f"{d:%b} {d.day}, {d.year}"


def isp_zone() -> ZoneInfo:
    """The ISP's time zone: every time on a screen is read in it (LASTMILE_TIMEZONE)."""
    from django.conf import settings

    from . import ispconfig

    name = getattr(ispconfig.current(), "time_zone", "") or settings.TIME_ZONE
    return ZoneInfo(name)


def moment(value) -> str:
    """"Dec 2, 2026, 9:14 AM MST" in the ISP's time zone."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return day(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(isp_zone())
    hour = local.hour % 12 or 12
    return f"{local:%b} {local.day}, {local.year}, {hour}:{local:%M} {local:%p} {local:%Z}"


def label(code) -> str:
    """A stored code as words: "not_active" -> "not active"."""
    return str(code or "").replace("_", " ").strip()


# --- registering ----------------------------------------------------------------------
def describes(*types: str):
    """Register the sentence of one or more timeline types (in an app's timeline_text)."""
    def register(fn: Describer) -> Describer:
        for type_ in types:
            _DESCRIBERS[type_] = fn
        return fn
    return register


def actor_phrase(fn: Callable[[str], str | None]):
    """Register a reading of automation actor names ("automation: delinquency p step")."""
    _ACTORS.append(fn)
    return fn


def _load() -> None:
    global _loaded
    if not _loaded:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("timeline_text")
        _loaded = True


def known_types() -> frozenset[str]:
    _load()
    return frozenset(_DESCRIBERS)


# --- telling --------------------------------------------------------------------------
class Facts(dict):
    """An entry's data with its actor and reason, for a describer. Missing keys are
    None, so a describer never fails on an old entry that lacks a field."""

    def __init__(self, data, *, actor: str = "", reason: str = "", type_: str = ""):
        super().__init__(data if isinstance(data, dict) else {})
        self.actor, self.reason, self.type = actor or "", reason or "", type_

    def __getitem__(self, key):
        return self.get(key)

    @property
    def automatic(self) -> bool:
        return self.actor.startswith("automation")


@dataclass(frozen=True)
class Told:
    """One entry as it is read: the sentence, who did it, why, and the raw fields
    (shown one click away; their values go through `plain` too)."""

    text: str
    who: str
    why: str = ""
    fields: list = field(default_factory=list)
    generic: bool = False

    def __str__(self) -> str:
        return f"{self.text}; {self.why}" if self.why else self.text


def who_did(actor: str) -> str:
    """"by dana" for a person; "automatically (bill run)" for the automation."""
    actor = (actor or "").strip()
    if not actor:
        return ""
    if actor.startswith("automation"):
        what = plain(actor.partition(":")[2])
        for phrase in _ACTORS:
            said = phrase(what)
            if said:
                return f"automatically ({said})"
        return f"automatically ({what})" if what else "automatically"
    return f"by {plain(actor)}"


def _field_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "—"
    if isinstance(value, dict):
        return "; ".join(f"{label(k)}: {_field_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_field_text(v) for v in value)
    return plain(value) or str(value)


def tell(type_: str, data=None, *, actor: str = "", reason: str = "") -> Told:
    _load()
    facts = Facts(data, actor=actor, reason=reason, type_=type_)
    describer = _DESCRIBERS.get(type_)
    why = plain(reason)
    generic = describer is None
    if generic:
        text = f"{label(type_.replace('.', ' ')).capitalize()} (event)"
    else:
        said = describer(facts)
        if isinstance(said, tuple):
            text, why = said[0], plain(said[1])
        else:
            text = said
    text = plain(text)
    who = who_did(actor)
    if why and (_gist(why) in _gist(text) or _gist(why) in _gist(who)):
        why = ""  # the sentence or the actor already says it
    fields = [(label(k), _field_text(v)) for k, v in facts.items()]
    return Told(text=text, who=who, why=why, fields=fields, generic=generic)


def _gist(text: str) -> str:
    return re.sub(r"\W|\bpolicy\b|\bstep\b|\bversion\b|_", "", text.lower())


def tell_entry(entry) -> Told:
    """The sentence of a TimelineEntry (or anything with type, data, actor, reason)."""
    return tell(entry.type, entry.data, actor=entry.actor, reason=entry.reason)


# --- the core's own entries ------------------------------------------------------------
@describes("scheduled.created")
def _scheduled_created(f: Facts):
    return f"{label(f['action']).capitalize() or 'An action'} scheduled for {day(f['on'])}"


@describes("scheduled.cancelled")
def _scheduled_cancelled(f: Facts):
    return f"Scheduled {label(f['action']) or 'action'} of {day(f['on'])} cancelled"
