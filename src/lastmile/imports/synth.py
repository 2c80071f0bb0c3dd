"""Synthetic exports in the lastmile layout for the `import` bench figure (issue 12).

`n` accounts, each with a year of the old system's statements and payments (12 of
each), a note and, for a third, a card token; seeded, so two runs write the same
files. The old system billed through the end of the month before the move.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random

from lastmile.core.calendar import add_months

from .layouts import FIELDS

CITIES = (("Orem", "84057"), ("Layton", "84041"), ("Murray", "84107"), ("Tooele", "84074"),
          ("Heber City", "84032"), ("Payson", "84651"))
FIRST = "Ana Ben Carla Dallin Emma Frank Gabriela Hyrum Isabel Jared Kaylee Liam Madison Nephi".split()
LAST = "Lopez Smith Jensen Larsen Nielsen Hansen Young Allen Taylor Nguyen Snow Pratt".split()
PRICES = {"basic": "50.00", "classic": "65.00", "premium": "85.00"}


def exports(n: int, *, move_day: dt.date, months: int = 12, seed: int = 20261202) -> dict[str, str]:
    rng = random.Random(seed)
    first_month = add_months(move_day.replace(day=1), -months)
    bufs = {k: io.StringIO() for k in FIELDS}
    writers = {k: csv.writer(b, lineterminator="\n") for k, b in bufs.items()}
    for k, w in writers.items():
        w.writerow(FIELDS[k])
    through = (move_day.replace(day=1) - dt.timedelta(days=1)).isoformat()
    wa, wn, ws, wp = writers["accounts"], writers["notes"], writers["statements"], writers["payments"]
    for i in range(n):
        sid = f"OLD-{i + 1}"
        utopia = rng.random() < 0.4
        code = rng.choice(("basic", "classic", "classic", "premium"))
        city, zip_code = rng.choice(CITIES)
        card = rng.random() < 0.33
        wa.writerow([
            sid, "", f"{rng.choice(FIRST)} {rng.choice(LAST)}", "residential", "utopia" if utopia else "wireless",
            "active", 1, code, "2020-03-01", f"801-{rng.randint(200, 989)}-{rng.randint(0, 9999):04d}",
            f"c{i}@example.test", f"{rng.randint(10, 9899)} N Elm St", "", city, "UT", zip_code,
            f"UT-{100000 + i}" if utopia else "", "unknown", "0.00", "", through,
            "unknown" if rng.random() < 0.7 else "none",
            f"tok_{i:012x}" if card else "", f"{rng.randint(0, 9999):04d}" if card else "", "visa" if card else "",
        ])
        if i % 4 == 0:
            wn.writerow([f"N-{i}", sid, "2026-06-01T15:00:00+00:00", "support", "Called about an outage."])
        price = PRICES[code]
        for m in range(months):
            start = add_months(first_month, m)
            end = add_months(start, 1) - dt.timedelta(days=1)
            due = start + dt.timedelta(days=4)
            ws.writerow([f"S-{i}-{m}", sid, start.isoformat(), start.isoformat(), end.isoformat(),
                         due.isoformat(), price])
            wp.writerow([f"P-{i}-{m}", sid, (start + dt.timedelta(days=3)).isoformat(), price, "card", ""])
    return {k: b.getvalue() for k, b in bufs.items()}


def bench_import(n: int, *, move_day: dt.date = dt.date(2026, 9, 20)) -> tuple[float, int, dict]:
    """The `import` figure: `n` accounts with a year of history through `import_files`
    (parsing, validation and writing, one transaction per file). Returns seconds, rows
    read, and what was created."""
    import time

    from lastmile.core import clock
    from lastmile.core.actors import superuser

    from .services import import_files

    texts = exports(n, move_day=move_day)
    rows = sum(t.count("\n") - 1 for t in texts.values())
    with clock.use_clock(clock.FixedClock(move_day, hour=8)):
        started = time.perf_counter()
        report = import_files(source="lastmile", files=[(f"{k}.csv", t) for k, t in texts.items()],
                              actor=superuser("bench import"))
        elapsed = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError("the bench import was refused: " + "; ".join(str(p) for p in report.problems[:5]))
    return elapsed, rows, {f.kind: f.created for f in report.files}
