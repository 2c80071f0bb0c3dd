"""The ISP's configurable values: every "configurable" of rules.md, with its default.

Defaults ship here; the environment (through Django settings `LASTMILE`) overrides
them for a deployment, and a scenario's `settings:` overrides them for one simulation.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import threading
from decimal import Decimal

from .calendar import BusinessCalendar
from .money import money


@dataclasses.dataclass(frozen=True)
class IspSettings:
    reactivation_fee: Decimal = Decimal("35.00")  # DLQ-5
    equipment_fee: Decimal = Decimal("25.00")  # CAN-6
    equipment_return_days: int = 14  # CAN-6
    residential_etf_cap: Decimal = Decimal("150.00")  # CON-6
    grace_after_claim_days: int = 10  # DLQ-6
    policies: dict = dataclasses.field(
        default_factory=lambda: {"utopia": "utopia-2022-04", "wireless": "wireless-2022-04"}
    )  # DLQ-1
    noc_auto_confirm: bool = False  # the simulator turns it on unless a scenario says otherwise
    noc_confirm_minutes: int = 3  # DLQ-7
    restored_vlan: int = 552  # DLQ-7
    noc_email: str = "noc@utopia.example.invalid"  # NET-1: never a real address by default
    noc_cc: tuple = ("noc-cc@utopia.example.invalid",)
    utopia_channel: str = "email"  # NET-1: email | crm
    utopia_crm_url: str = "http://127.0.0.1:8765/crm"
    trial_days: int = 7  # PKG-5
    due_days: int = 4  # BIL-1
    bill_cycle_day: int = 1  # BIL-1
    delinquency_day: int = 16  # DLQ, D
    notice_days: int = 30  # CAN-3
    utopia_etf: Decimal = Decimal("300.00")  # CAN-8
    utopia_lease_months: int = 12  # CAN-8
    finish_lease_max_months: int = 4  # CAN-8
    holiday_country: str = "US"  # CAL-1
    holiday_subdivision: str | None = "UT"
    extra_closed_days: tuple = ()
    from_email: str = "billing@lastmile.example.invalid"
    isp_name: str = "lastmile ISP"
    isp_phone: str = "801-555-0100"
    isp_address: str = "100 Main St, Orem, UT 84057"  # BIL-8: on every statement PDF
    correction_manager_above: Decimal = Decimal("100.00")  # BIL-7: larger corrections need a manager
    payment_ceiling_margin: Decimal = Decimal("1000.00")  # BIL-7: a payment above balance + this is refused
    arrangement_first_within_days: int = 14  # DLQ-4: the first installment falls within this many days
    quiet_hours_start: str = "08:00"  # NOT-1: no SMS and no call task before this, local time
    quiet_hours_end: str = "21:00"  # NOT-1: ... nor from this time on

    @property
    def calendar(self) -> BusinessCalendar:
        return _calendar(self.holiday_country, self.holiday_subdivision, self.extra_closed_days)


_MONEY_FIELDS = {"reactivation_fee", "equipment_fee", "residential_etf_cap", "utopia_etf",
                 "correction_manager_above", "payment_ceiling_margin"}
_FIELDS = {f.name: f for f in dataclasses.fields(IspSettings)}


_cal_cache: dict = {}


def _calendar(country, subdivision, extra) -> BusinessCalendar:
    key = (country, subdivision, tuple(extra))
    if key not in _cal_cache:
        closed = frozenset(
            d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in extra
        )
        _cal_cache[key] = BusinessCalendar(country, subdivision, closed)
    return _cal_cache[key]


def coerce(name: str, value):
    """Check one override against its default's type; raise ValueError naming the key."""
    if name not in _FIELDS:
        raise ValueError(f"unknown setting {name!r}; known settings: {', '.join(sorted(_FIELDS))}")
    default = _FIELDS[name].default
    if default is dataclasses.MISSING:
        default = _FIELDS[name].default_factory()
    if name in _MONEY_FIELDS:
        try:
            amount = money(value)
        except ValueError as exc:
            raise ValueError(f"setting {name}: {exc}") from exc
        if amount < 0:
            raise ValueError(f"setting {name}: must not be negative")
        return amount
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"setting {name}: expected true or false, got {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"setting {name}: expected a whole number of 0 or more, got {value!r}")
        return value
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise ValueError(f"setting {name}: expected a mapping, got {value!r}")
        merged = dict(default)
        merged.update(value)
        return merged
    if isinstance(default, tuple):
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"setting {name}: expected a list, got {value!r}")
        return tuple(value)
    if default is None or isinstance(default, str):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"setting {name}: expected text, got {value!r}")
        return value
    return value


_state = threading.local()


def _base() -> IspSettings:
    from django.conf import settings

    overrides = getattr(settings, "LASTMILE", {}) or {}
    return IspSettings(**{k: coerce(k, v) for k, v in overrides.items()})


def current() -> IspSettings:
    stack = getattr(_state, "stack", None)
    if stack:
        return stack[-1]
    return _base()


@contextlib.contextmanager
def override(**values):
    """Settings for one simulation or test: the shipped defaults with these replaced."""
    base = current()
    new = dataclasses.replace(base, **{k: coerce(k, v) for k, v in values.items()})
    stack = getattr(_state, "stack", None)
    if stack is None:
        stack = _state.stack = []
    stack.append(new)
    try:
        yield new
    finally:
        stack.pop()
