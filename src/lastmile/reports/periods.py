"""Pure helpers of the reports: months, ranges and order statistics (no Django).

The selectors aggregate in SQL by day (or by day and a small key), and fold the
days into months here: a year is at most a few hundred groups, whatever the number
of accounts, so nothing here grows with the ISP.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month that `start`..`end` touches, oldest first."""
    out, m = [], month_start(start)
    while m <= end:
        out.append(m)
        m = next_month(m)
    return out


def default_range(today: dt.date, count: int = 12) -> tuple[dt.date, dt.date]:
    """The last `count` months, the current one included: a year of history."""
    start = month_start(today)
    for _ in range(count - 1):
        start = month_start(start - dt.timedelta(days=1))
    return start, today


def month_label(month: dt.date) -> str:
    return f"{month:%b %Y}"


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """Percent with one decimal, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def median_of_counts(counts: Mapping[float, int]) -> float | None:
    """The median of values given as {value: how many times}: what a GROUP BY value
    returns, so the median needs no list of every row."""
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted(counts.items())
    lower = _nth(ordered, (total - 1) // 2)
    upper = _nth(ordered, total // 2)
    return (lower + upper) / 2


def percentile(values: Iterable[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100): a value that happened, never an
    interpolation between two requests."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def percentile_of_counts(counts: Mapping[float, int], p: float) -> float | None:
    """Nearest-rank percentile of values given as {value: how many times}."""
    total = sum(counts.values())
    if not total:
        return None
    return _nth(sorted(counts.items()), max(1, math.ceil(p / 100 * total)) - 1)


def median(values: Iterable[float]) -> float | None:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _nth(ordered: list[tuple[float, int]], index: int) -> float:
    seen = 0
    for value, count in ordered:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)
