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

import pytest

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


def _bench(tmp_path, *args: str, timeout: int = 600, env_extra: dict | None = None):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LASTMILE_CELERY_BROKER")}
    env.update(env_extra or {})
    return subprocess.run(
        [str(Path(sys.executable).parent / "lastmile"), "bench", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout,
    )


def test_bench_refuses_workers_without_a_shared_database(tmp_path):
    """Issue 14: worker processes cannot see a throw-away SQLite file of this process."""
    done = _bench(tmp_path, "--accounts", "20", "--workers", "2")
    assert done.returncode == 2
    assert "--workers" in done.stderr and "postgresql" in done.stderr


def test_bench_refuses_an_unknown_figure_to_skip_naming_the_ones_that_can(tmp_path):
    done = _bench(tmp_path, "--accounts", "20", "--skip", "bill_run")
    assert done.returncode == 2
    assert "--skip: bill_run cannot be skipped" in done.stderr
    assert "statement_pdf" in done.stderr and "reports" in done.stderr


def test_bench_refuses_a_worker_count_that_is_not_a_number(tmp_path):
    done = _bench(tmp_path, "--accounts", "20", "--workers", "two")
    assert done.returncode == 2
    assert "--workers" in done.stderr and "'two'" in done.stderr


PG = os.environ.get("DATABASE_URL", "")


@pytest.mark.skipif(not PG.startswith(("postgres://", "postgresql://")),
                    reason="runs in the PostgreSQL pass of `make test`: the workers share a PostgreSQL database")
def test_bench_runs_the_month_on_one_process_and_on_two_real_workers(tmp_path):
    """Issue 14: `--workers 0,2` builds once, copies the database, and runs the month in
    this process and on two Celery workers; both runs bill the same ISP alike."""
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at 127.0.0.1:6379: {exc}")
    done = _bench(tmp_path, "--accounts", "300", "--workers", "0,2", "--database-url", PG, "--json",
                  "--skip", "statement_pdf,import,coa_burst,reports,search", timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert set(result["by_workers"]) == {"0", "2"}
    single, fanned = result["by_workers"]["0"], result["by_workers"]["2"]
    for part in ("statements", "bill_run_ledger_rows", "cases_opened", "status_active", "status_suspended"):
        assert single["counts"][part] == fanned["counts"][part], part
    assert single["counts"]["statements"] == 301
    assert fanned["figures"]["bill_run"]["seconds"] > 0
    assert result["figures"]["search"]["seconds"] is None  # skipped, and said so
    assert result["skipped"] == ["coa_burst", "import", "reports", "search", "statement_pdf"]
