"""The day run fanned out to two real Celery workers gives what one process gives (issue 6).

Both workers must see the same database, so this needs PostgreSQL (SQLite files are
per machine); the broker is Redis. The test creates its own two databases (not
pytest-django's), migrates them, starts two `celery -A lastmile.config.celery worker
--concurrency 1` processes on a queue of its own, runs a month of a small synthetic
ISP (lastmile.bench.compare) once through the workers and once in one process, and
compares the digests. It is skipped, saying why, only when PostgreSQL or Redis is not
reachable.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from lastmile.bench.workers import celery_workers, worker_env

PG = os.environ.get("LASTMILE_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("LASTMILE_TEST_REDIS", "redis://127.0.0.1:6379/0")
BIN = Path(sys.executable).parent


def _pg_admin():
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(PG)
    return psycopg.connect(
        dbname=cfg["NAME"], user=cfg["USER"] or None, host=cfg["HOST"] or None,
        port=cfg["PORT"] or None, password=cfg["PASSWORD"] or None, autocommit=True,
        connect_timeout=3,
    )


def _reachable() -> str | None:
    try:
        _pg_admin().close()
    except Exception as exc:  # noqa: BLE001 - any failure means: not reachable
        return f"PostgreSQL not reachable at {PG}: {exc}"
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis not reachable at {REDIS}: {exc}"
    return None


@pytest.fixture
def databases():
    reason = _reachable()
    if reason:
        pytest.skip(reason)
    names = [f"lastmile_celery_{uuid.uuid4().hex[:10]}_{i}" for i in (1, 2)]
    admin = _pg_admin()
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG.rsplit("/", 1)[0]
    try:
        yield [f"{base}/{name}" for name in names]
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _env(**extra) -> dict:
    return worker_env(**extra)


def _compare(url: str, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "lastmile.bench.compare", "--database-url", url,
         "--accounts", "150", "--chunk", "75"],
        env=env, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="runs once, in the PostgreSQL pass of `make test`: it makes its own PostgreSQL databases, "
           "so running it again in the SQLite pass would test nothing new",
)
def test_two_workers_give_the_same_month_as_one_process(databases):
    fanned_db, single_db = databases
    with celery_workers(2, database_url=fanned_db, broker=REDIS) as queue:
        fanned = _compare(fanned_db, _env(DATABASE_URL=fanned_db, LASTMILE_CELERY_BROKER=REDIS,
                                          LASTMILE_CELERY_QUEUE=queue))
    single = _compare(single_db, _env())

    assert fanned["fanned_out"] is True
    assert single["fanned_out"] is False
    # the month did something worth comparing: statements, autopay, cases, shut-offs
    assert single["counts"]["bill_run"] >= 300
    assert single["counts"].get("autopay", 0) > 0
    statuses = {status for status, _portal, _plan in single["accounts"].values()}
    assert {"active", "suspended"} <= statuses
    for part in ("counts", "accounts", "statements", "ledger", "timeline"):
        assert fanned[part] == single[part], f"{part} differs between workers and one process"


@pytest.mark.django_db
def test_fanned_out_stages_keep_the_day_order_and_the_counts(today, catalog, monkeypatch):
    """Without a broker the tasks run eagerly: the chunking and the stage order alone.

    Three chunks of one account each; each stage finishes on every chunk before the
    next starts (scenarios.md order: scheduled, bill run, then jobs by order).
    """
    from lastmile.core import dayrun
    from tests.mixins import make_account

    accounts = [make_account(name=f"Customer {i}") for i in range(3)]
    seen = []
    for job in dayrun.jobs():
        monkeypatch.setitem(dayrun._jobs, job.name, dayrun.DailyJob(
            job.order, job.name, _recording(job, seen), job.chunked))
    monkeypatch.setattr(dayrun, "CHUNK", 1)
    import datetime as dt

    report = dayrun.run_day(dt.date(2026, 9, 1), fan_out=True)
    assert report.counts["bill_run"] == 3
    names = [name for name, _ids in seen]
    # stage by stage: a chunked job once per chunk, a whole-day job (the reports' close) once
    assert names == [job.name for job in dayrun.jobs() for _ in (accounts if job.chunked else [None])]
    assert {tuple(ids) for name, ids in seen if name == "bill_run"} == {(a.pk,) for a in accounts}
    again = dayrun.run_day(dt.date(2026, 9, 1), fan_out=True)
    assert again.counts["bill_run"] == 0  # idempotent per chunk


def _recording(job, seen):
    def fn(*, as_of, account_ids=None):
        seen.append((job.name, account_ids))
        return job.fn(as_of=as_of, account_ids=account_ids)

    return fn


@pytest.mark.django_db
def test_a_stage_whose_probe_says_nothing_is_due_sends_no_task(today, catalog, monkeypatch):
    """Issue 14: fanned out, a job's own "anything due today?" probe keeps a quiet stage
    from sending a task per chunk (200 round trips through Redis at a million accounts)."""
    import datetime as dt

    from lastmile.core import dayrun
    from tests.mixins import make_account

    for i in range(3):
        make_account(name=f"Customer {i}")
    seen = []
    for job in dayrun.jobs():
        monkeypatch.setitem(dayrun._jobs, job.name, dayrun.DailyJob(
            job.order, job.name, _recording(job, seen), job.chunked, job.due))
    monkeypatch.setattr(dayrun, "CHUNK", 1)
    chunked = []
    real_chunks = dayrun.account_chunks
    monkeypatch.setattr(dayrun, "account_chunks", lambda ids: chunked.append(ids) or real_chunks(ids))
    quiet = dayrun.run_day(dt.date(2026, 9, 10), fan_out=True)  # nothing due on the 10th
    probed = {job.name for job in dayrun.jobs() if job.due is not None}
    assert {"bill_run", "autopay", "delinquency", "trials", "equipment_fees"} <= probed
    assert not [name for name, _ids in seen if name in probed]
    assert all(quiet.counts[name] == 0 for name in probed)
    assert chunked == []  # the accounts' ids are not even read (a million: 0.4 s)
    dayrun.run_day(dt.date(2026, 9, 1), fan_out=True)  # the 1st is a bill day: the bill run is sent
    assert len([name for name, _ids in seen if name == "bill_run"]) == 3
    assert len(chunked) == 1  # read once for the day, not per stage
