"""Reading a contract as a scenario or a contract lookup gives it (CON-1, CON-2, CON-8).

Shapes (scenarios.md):
    {kind: utopia_lease, start: DATE, months: 12}
    {kind: residential, source: digital, start: DATE, months: 12, monthly: "65.00"}
    {kind: residential, source: paper, signed: DATE}          # or signed: [DATE, DATE, ...]
    {kind: commercial, first_billing: DATE, months: 24, monthly: "400.00", etf_override: null}
    unknown          # contract status unknown (CON-8)
    none             # month-to-month (a contract lookup's answer)

Pure: raises ValueError with a sentence naming the field; callers turn it into a
scenario load error (with the line) or an InvalidInput.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lastmile.core.money import MoneyError, money

from .etf import PAPER_TERM_MONTHS, RESIDENTIAL_MAX_MONTHS

NONE, UNKNOWN = "none", "unknown"
KINDS = ("residential", "commercial", "utopia_lease")
ALLOWED = {
    "utopia_lease": {"kind", "start", "months"},
    ("residential", "digital"): {"kind", "source", "start", "months", "monthly", "etf_override"},
    ("residential", "paper"): {"kind", "source", "signed", "monthly", "etf_override"},
    "commercial": {"kind", "first_billing", "months", "monthly", "etf_override"},
}


def _date(value, name: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"contract {name}: {value!r} is not a date (YYYY-MM-DD)") from None


def _months(value, name: str = "months") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"contract {name}: expected a whole number of months (1 or more), got {value!r}")
    return value


def _money(value, name: str, *, allow_none: bool = True) -> Decimal | None:
    if value is None:
        if allow_none:
            return None
        raise ValueError(f"contract {name} is required")
    try:
        amount = money(value)
    except MoneyError as exc:
        raise ValueError(f"contract {name}: {exc}") from None
    if amount < 0:
        raise ValueError(f"contract {name}: must not be negative")
    return amount


def _check_keys(value: dict, allowed: set[str], what: str) -> None:
    for key in value:
        if key not in allowed:
            raise ValueError(f"unknown field {key!r} in a {what} contract; expected one of {', '.join(sorted(allowed))}")


def parse(value, *, default_lease_months: int | None = None) -> str | list[dict]:
    """`none`, `unknown`, or the contract rows to record (a paper contract with several
    signatures gives one row per signature, oldest first: CON-2, renewals append)."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in (NONE, UNKNOWN):
            return text
        raise ValueError(f"contract: {value!r} is not a contract; give a mapping, `unknown` or `none`")
    if not isinstance(value, dict):
        raise ValueError("contract must be a mapping (kind, start, months ...), `unknown` or `none`")
    kind = value.get("kind")
    if kind not in KINDS:
        raise ValueError(f"contract kind must be one of {', '.join(KINDS)}, not {kind!r}")

    if kind == "utopia_lease":
        _check_keys(value, ALLOWED[kind], "utopia_lease")
        if value.get("start") is None:
            raise ValueError("a utopia_lease contract needs its start (the lease signing date)")
        months = value.get("months")
        months = _months(months) if months is not None else default_lease_months
        return [dict(kind=kind, source="", start=_date(value["start"], "start"), months=months,
                     monthly=None, signed=None, etf_override=None)]

    if kind == "commercial":
        _check_keys(value, ALLOWED[kind], "commercial")
        if value.get("first_billing") is None:
            raise ValueError("a commercial contract needs first_billing (CON-3: the term starts on the first billing date)")
        if value.get("months") is None:
            raise ValueError("a commercial contract needs its term in months")
        return [dict(kind=kind, source="", start=_date(value["first_billing"], "first_billing"),
                     months=_months(value["months"]), monthly=_money(value.get("monthly"), "monthly"),
                     signed=None, etf_override=_money(value.get("etf_override"), "etf_override"))]

    source = value.get("source")
    if source is None:
        source = "paper" if value.get("signed") is not None else "digital"
    if source not in ("digital", "paper"):
        raise ValueError(f"a residential contract's source must be digital or paper, not {source!r}")
    _check_keys(value, ALLOWED[(kind, source)], f"residential {source}")
    monthly = _money(value.get("monthly"), "monthly")
    override = _money(value.get("etf_override"), "etf_override")
    if source == "digital":
        if value.get("start") is None:
            raise ValueError("a digital residential contract needs its start")
        months = _months(value["months"]) if value.get("months") is not None else RESIDENTIAL_MAX_MONTHS
        if months > RESIDENTIAL_MAX_MONTHS:
            raise ValueError(
                f"contract months: residential terms never exceed {RESIDENTIAL_MAX_MONTHS} months (CON-2), not {months}"
            )
        return [dict(kind=kind, source=source, start=_date(value["start"], "start"), months=months,
                     monthly=monthly, signed=None, etf_override=override)]
    signed = value.get("signed")
    if signed is None or signed == []:
        raise ValueError("a paper residential contract needs its signature date (signed)")
    dates = sorted(_date(s, "signed") for s in (signed if isinstance(signed, list) else [signed]))
    return [dict(kind=kind, source=source, start=d, months=PAPER_TERM_MONTHS, monthly=monthly, signed=d,
                 etf_override=override) for d in dates]
