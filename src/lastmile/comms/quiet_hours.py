"""Quiet hours (NOT-1): when a text may go out and when a call may be asked for.

Pure: no Django import, so the window is tested on its own, DST nights included.
The window is wall-clock time in the ISP's zone, [start, end): a customer is not
texted and no call is queued for before 08:00 or from 21:00 on (the shipped
default, the hours the TCPA allows). A moment outside the window moves to the next
opening; the opening is found on the local calendar, never by adding hours, so a
night across a DST change is an hour shorter or longer and still opens at 08:00.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def parse_hhmm(value: str | dt.time, *, field: str = "quiet hours") -> dt.time:
    """"08:00" -> time(8, 0); a clear error naming the setting otherwise."""
    if isinstance(value, dt.time):
        return value
    try:
        hours, minutes = str(value).strip().split(":")
        return dt.time(int(hours), int(minutes))
    except (ValueError, TypeError):
        raise ValueError(f"{field}: expected a time of day as HH:MM (24-hour), got {value!r}") from None


def check_window(start: dt.time, end: dt.time) -> None:
    if not start < end:
        raise ValueError(f"quiet hours: the allowed window must start before it ends "
                         f"(start {start:%H:%M}, end {end:%H:%M})")


def in_window(at: dt.datetime, *, start: dt.time, end: dt.time, tz: ZoneInfo) -> bool:
    """NOT-1: `at` (aware) falls inside the allowed window, local wall-clock time."""
    check_window(start, end)
    local = at.astimezone(tz).time().replace(tzinfo=None)
    return start <= local < end


def _opening(day: dt.date, start: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The first instant of `day` whose wall clock reads `start` or later.

    On a spring-forward day a start inside the skipped hour (02:30 on 8 March 2026
    in Denver) does not exist; the window then opens when the clocks jump (03:00).
    """
    naive = dt.datetime.combine(day, start)
    early = naive.replace(tzinfo=tz, fold=1).astimezone(dt.UTC)
    late = naive.replace(tzinfo=tz, fold=0).astimezone(dt.UTC)
    if early >= late:  # an ordinary or repeated wall time: fold=0 is the first instant
        return naive.replace(tzinfo=tz, fold=0).astimezone(tz)
    # in a gap: search [early, late] for the first instant at or after start, local time
    lo, hi = early, late
    while hi - lo > dt.timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        local = mid.astimezone(tz)
        if local.date() > day or (local.date() == day and local.time() >= start):
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0).astimezone(tz)


def next_allowed(at: dt.datetime, *, start: dt.time, end: dt.time, tz: ZoneInfo) -> dt.datetime:
    """NOT-1: `at` itself when it is inside the window, otherwise the window's next
    opening (today's, when `at` is before it; tomorrow's, when it is after the end).
    The result is in the ISP's zone."""
    check_window(start, end)
    if at.tzinfo is None:
        raise ValueError("quiet hours: a moment without a time zone cannot be placed in local time")
    local = at.astimezone(tz)
    if in_window(local, start=start, end=end, tz=tz):
        return local
    if local.time() < start:
        opening = _opening(local.date(), start, tz)
        if opening > local:
            return opening
    return _opening(local.date() + dt.timedelta(days=1), start, tz)
