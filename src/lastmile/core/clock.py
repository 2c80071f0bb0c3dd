"""The one clock (architecture: "Nothing calls date.today() directly").

Services ask `get_clock()` for today; the live system uses the system clock in the
ISP's time zone, the simulator and the tests install a fixed clock.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import threading
from zoneinfo import ZoneInfo


class SystemClock:
    """Wall-clock time in the ISP's configured time zone."""

    def __init__(self, tz_name: str | None = None):
        self._tz_name = tz_name

    @property
    def tz(self) -> ZoneInfo:
        if self._tz_name:
            return ZoneInfo(self._tz_name)
        from django.conf import settings

        return ZoneInfo(settings.TIME_ZONE)

    def now(self) -> dt.datetime:
        return dt.datetime.now(tz=self.tz)

    def today(self) -> dt.date:
        return self.now().date()


class FixedClock:
    """A clock that only moves when told: the simulator's and the tests'.

    `advance(minutes=...)` lets a simulated business day pass time (the NOC's
    three-minute confirmation window, DLQ-7).
    """

    def __init__(self, day: dt.date, tz_name: str = "America/Denver", hour: int = 6):
        self.tz = ZoneInfo(tz_name)
        self._now = dt.datetime.combine(day, dt.time(hour), tzinfo=self.tz)

    def now(self) -> dt.datetime:
        return self._now

    def today(self) -> dt.date:
        return self._now.date()

    def set_day(self, day: dt.date, hour: int = 6) -> None:
        self._now = dt.datetime.combine(day, dt.time(hour), tzinfo=self.tz)

    def advance(self, **delta) -> None:
        self._now = self._now + dt.timedelta(**delta)


_state = threading.local()
_default = SystemClock()


def get_clock():
    return getattr(_state, "clock", None) or _default


def set_clock(clock) -> None:
    _state.clock = clock


@contextlib.contextmanager
def use_clock(clock):
    previous = getattr(_state, "clock", None)
    _state.clock = clock
    try:
        yield clock
    finally:
        _state.clock = previous


def today() -> dt.date:
    return get_clock().today()


def now() -> dt.datetime:
    return get_clock().now()
