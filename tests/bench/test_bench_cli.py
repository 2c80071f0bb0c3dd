"""`lastmile bench --accounts 200 --json` runs and prints one object with every figure (issue 6).

The benchmark itself stays out of the test suite; this only checks that it runs end
to end on a fresh SQLite file and reports what the issue asks for.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

NAMES = {"bill_run", "quiet_day", "delinquency_day", "shutoff_day", "payment_burst",
         "simulate_account_year", "floor"}


def test_bench_json_has_every_figure(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LASTMILE_CELERY_BROKER")}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lastmile"), "bench", "--accounts", "200", "--json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, done.stdout[-2000:]
    result = json.loads(lines[0])
    assert result["accounts"] == 200
    assert result["database"] == "sqlite"
    assert set(result["figures"]) >= NAMES
    assert set(result["floor_ratio"]) >= NAMES
    for name in NAMES:
        figure = result["figures"][name]
        assert figure["seconds"] > 0, name
        assert figure["per_s"] > 0, name
    assert result["floor_ratio"]["floor"] == 1.0
    assert 0 < result["peak_rss_mb"] < 4096
    # the synthetic ISP was billed: one statement per account (and the year's account)
    assert result["counts"]["statements"] == 201
    assert result["figures"]["payment_burst"]["per_s"] > 0
    assert not list(tmp_path.iterdir()), "the bench leaves nothing behind in the working directory"
