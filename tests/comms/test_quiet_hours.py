"""NOT-1: the quiet-hours window, a pure function (no database), DST nights included."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from lastmile.comms.quiet_hours import in_window, next_allowed, parse_hhmm

DENVER = ZoneInfo("America/Denver")
UTC = dt.UTC
WINDOW = {"start": dt.time(8), "end": dt.time(21), "tz": DENVER}


def local(*args, fold=0):
    return dt.datetime(*args, tzinfo=DENVER, fold=fold)


@pytest.mark.parametrize(("at", "expected"), [
    (local(2026, 9, 16, 6, 0), local(2026, 9, 16, 8, 0)),    # the day run, early morning: 08:00 today
    (local(2026, 9, 16, 7, 59, 59), local(2026, 9, 16, 8, 0)),
    (local(2026, 9, 16, 8, 0), local(2026, 9, 16, 8, 0)),    # the window opens at 08:00 sharp
    (local(2026, 9, 16, 14, 30), local(2026, 9, 16, 14, 30)),  # inside: as it is
    (local(2026, 9, 16, 20, 59), local(2026, 9, 16, 20, 59)),
    (local(2026, 9, 16, 21, 0), local(2026, 9, 17, 8, 0)),   # 21:00 is already quiet: tomorrow 08:00
    (local(2026, 9, 16, 23, 45), local(2026, 9, 17, 8, 0)),
    (local(2026, 12, 31, 22, 0), local(2027, 1, 1, 8, 0)),   # across a year end
])
def test_not1_next_allowed_moves_quiet_hours_to_the_next_opening(at, expected):
    assert next_allowed(at, **WINDOW) == expected
    assert in_window(next_allowed(at, **WINDOW), **WINDOW)


def test_not1_a_utc_moment_is_judged_in_local_time():
    # 14:00 UTC on 16 September is 08:00 MDT: allowed; 02:59 UTC the next day is 20:59 MDT: allowed;
    # 03:00 UTC is 21:00 MDT: quiet
    assert in_window(dt.datetime(2026, 9, 16, 14, 0, tzinfo=UTC), **WINDOW)
    assert in_window(dt.datetime(2026, 9, 17, 2, 59, tzinfo=UTC), **WINDOW)
    assert not in_window(dt.datetime(2026, 9, 17, 3, 0, tzinfo=UTC), **WINDOW)
    assert next_allowed(dt.datetime(2026, 9, 17, 3, 0, tzinfo=UTC), **WINDOW) == local(2026, 9, 17, 8, 0)


def test_not1_spring_forward_night_is_an_hour_shorter_and_still_opens_at_8():
    # 8 March 2026: clocks jump from 02:00 MST to 03:00 MDT. 22:00 MST on the 7th -> 08:00 MDT on the 8th,
    # which is 14:00 UTC: 9 hours later, not 10 (adding a fixed 10 hours would give 09:00 local)
    at = local(2026, 3, 7, 22, 0)
    opens = next_allowed(at, **WINDOW)
    assert opens == local(2026, 3, 8, 8, 0)
    assert opens.astimezone(UTC) == dt.datetime(2026, 3, 8, 14, 0, tzinfo=UTC)
    assert opens.astimezone(UTC) - at.astimezone(UTC) == dt.timedelta(hours=9)
    # in the skipped hour's neighbourhood: 01:30 MST -> 08:00 MDT
    assert next_allowed(local(2026, 3, 8, 1, 30), **WINDOW).astimezone(UTC) == dt.datetime(2026, 3, 8, 14, 0,
                                                                                          tzinfo=UTC)


def test_not1_fall_back_night_is_an_hour_longer_and_still_opens_at_8():
    # 1 November 2026: clocks go back from 02:00 MDT to 01:00 MST. 22:00 MDT on 31 October -> 08:00 MST,
    # 15:00 UTC: 11 hours later
    at = local(2026, 10, 31, 22, 0)
    opens = next_allowed(at, **WINDOW)
    assert opens.astimezone(UTC) == dt.datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
    assert opens.astimezone(UTC) - at.astimezone(UTC) == dt.timedelta(hours=11)
    # both 01:30s of that night (MDT, then MST) are quiet and open at the same 08:00 MST
    first, second = local(2026, 11, 1, 1, 30, fold=0), local(2026, 11, 1, 1, 30, fold=1)
    assert first.astimezone(UTC) != second.astimezone(UTC)
    assert next_allowed(first, **WINDOW) == next_allowed(second, **WINDOW) == opens


def test_not1_a_window_opening_in_the_skipped_hour_opens_when_the_clocks_jump():
    # a configured start of 02:30 does not exist on 8 March 2026 in Denver: the window opens at 03:00 MDT
    # (09:00 UTC), the first moment the clocks read 02:30 or later
    window = {"start": dt.time(2, 30), "end": dt.time(21), "tz": DENVER}
    opens = next_allowed(local(2026, 3, 8, 0, 15), **window)
    assert opens.astimezone(UTC) == dt.datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
    assert (opens.hour, opens.minute) == (3, 0)
    # on an ordinary day it is 02:30 itself
    assert next_allowed(local(2026, 3, 9, 0, 15), **window) == local(2026, 3, 9, 2, 30)


def test_not1_a_window_opening_in_the_repeated_hour_opens_at_its_first_occurrence():
    window = {"start": dt.time(1, 30), "end": dt.time(21), "tz": DENVER}
    opens = next_allowed(local(2026, 11, 1, 0, 10), **window)
    assert opens.astimezone(UTC) == dt.datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # 01:30 MDT


def test_not1_settings_are_checked_with_a_clear_message():
    assert parse_hhmm("08:00") == dt.time(8) and parse_hhmm(" 21:30 ") == dt.time(21, 30)
    with pytest.raises(ValueError, match="quiet_hours_start: expected a time of day as HH:MM"):
        parse_hhmm("8am", field="quiet_hours_start")
    with pytest.raises(ValueError, match="must start before it ends"):
        next_allowed(local(2026, 9, 16, 6), start=dt.time(21), end=dt.time(8), tz=DENVER)
    with pytest.raises(ValueError, match="without a time zone"):
        next_allowed(dt.datetime(2026, 9, 16, 6), **WINDOW)
