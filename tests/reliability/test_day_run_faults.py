"""Issue 15: the day run under faults. `kill -9` at random moments, two `run-day`
processes at once, each followed by a normal run: the end state is the state of one
uninterrupted run (every table's row count, every account's ledger sum).

Settings (environment): LASTMILE_KILL_POINTS (default 10), LASTMILE_CONCURRENT_TRIALS
(default 1: each trial runs the four days with two processes per day),
LASTMILE_RELIABILITY_SEED (default: a new seed each run, printed with any failure).
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time

from .harness import DAYS, differences

KILL_POINTS = int(os.environ.get("LASTMILE_KILL_POINTS", "10"))
CONCURRENT_TRIALS = int(os.environ.get("LASTMILE_CONCURRENT_TRIALS", "1"))
SEED = int(os.environ.get("LASTMILE_RELIABILITY_SEED", str(random.randrange(1 << 30))))


def _kill_plan(n: int) -> dict:
    """N kill points spread over the four days, round robin (bill day first)."""
    plan = {day: 0 for day in DAYS}
    for i in range(n):
        plan[DAYS[i % len(DAYS)]] += 1
    return plan


def test_kill_9_at_random_points_then_a_rerun_gives_the_reference_state(factory, reference):
    assert KILL_POINTS >= 1
    rng = random.Random(SEED)
    db = factory.clone("kill")
    killed, finished_first, mid_work = [], 0, 0
    for day, kills in _kill_plan(KILL_POINTS).items():
        # a moment between the end of the command's start-up and the end of the day's
        # work; a run that finishes before its moment is a rerun like any other, and
        # the next moment is drawn earlier (the machine may be faster than it was); a
        # kill that found nothing written yet moves the next moments later
        low = min(reference.startup * 0.9, reference.seconds[day] * 0.5)
        high = reference.seconds[day]
        landed, tries = 0, 0
        while landed < kills and tries < 4 * kills:
            tries += 1
            delay = rng.uniform(min(low, high * 0.8), high)
            before = db.state()
            started = time.perf_counter()
            proc = db.spawn_run_day(day)
            try:
                proc.wait(timeout=delay)
                finished_first += 1
                high = min(high, (time.perf_counter() - started) * 0.98)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                killed.append((day.isoformat(), round(delay, 2)))
                landed += 1
                after = db.state()  # did the kill cut the day's work in the middle?
                mid_work += after != before and bool(differences(reference.states[day], after))
                if after == before:  # still starting up (or in a first transaction): later next time
                    low = min(max(low, delay), high * 0.8)
            proc.stdout.close()
            proc.stderr.close()
        done = db.run_day(day)  # the rerun after the kills
        assert done.returncode == 0, f"seed {SEED}: rerun of {day} failed:\n{done.stderr[-3000:]}"
    print(f"kill points: {len(killed)} killed ({mid_work} in the middle of the day's writes), "
          f"{finished_first} finished first (seed {SEED}): {killed}")
    assert len(killed) == KILL_POINTS, f"seed {SEED}: runs kept ending before their kill: {killed}"
    assert differences(reference.final, db.state()) == [], f"seed {SEED}, kills {killed}"


def test_two_run_day_processes_at_once_both_succeed_and_give_the_reference_state(factory, reference):
    """The cron overlap of issue 15 (on PostgreSQL one process crashed on the autopay
    day with a duplicate key in billing_ledgerentry_key_key). Runs on SQLite too: its
    stage lock is the database file's lock (core.locks)."""
    trials = 0
    for trial in range(CONCURRENT_TRIALS):
        db = factory.clone(f"pair{trial}")
        for day in DAYS:
            first, second = db.spawn_run_day(day), db.spawn_run_day(day)
            outs = [p.communicate(timeout=300) for p in (first, second)]
            for proc, (_out, err) in zip((first, second), outs, strict=True):
                assert proc.returncode == 0, f"trial {trial}, {day}: exit {proc.returncode}\n{err[-3000:]}"
            trials += 1
        assert differences(reference.final, db.state()) == [], f"trial {trial}"
    print(f"concurrent trials: {CONCURRENT_TRIALS} x {len(DAYS)} days = {trials} pairs, all exit 0")


def test_a_backup_taken_during_a_day_run_restores_and_the_rerun_gives_the_reference(factory, reference,
                                                                                      tmp_path):
    """`lastmile backup` while `run-day` works, `lastmile restore` into an empty
    database (it checks every table's checksum against the backup), the day again:
    the reference state of that day."""
    db = factory.clone("live")
    backup = tmp_path / ("live.sqlite3" if db.vendor == "sqlite" else "live.dump")
    day = DAYS[0]
    proc = db.spawn_run_day(day)
    time.sleep(min(reference.startup, reference.seconds[day]) * 0.9 + 0.2)
    took = db.lastmile("backup", str(backup))
    out, err = proc.communicate(timeout=300)
    assert took.returncode == 0, took.stderr[-3000:]
    assert proc.returncode == 0, err[-3000:]
    target = factory.empty("restored")
    restored = target.lastmile("restore", str(backup))
    assert restored.returncode == 0, restored.stderr[-3000:]
    assert "checksums match" in restored.stdout, restored.stdout
    done = target.run_day(day)
    assert done.returncode == 0, done.stderr[-3000:]
    assert differences(reference.states[day], target.state()) == []
