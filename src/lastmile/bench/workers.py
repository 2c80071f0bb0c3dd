"""Real Celery worker processes for `lastmile bench --workers N` (issue 14) and the
fan-out equivalence test.

The bench must time the day run as a deployment runs it: the scheduler's process
sends one task per (stage, chunk) through Redis and separate `celery worker`
processes do the work against the same PostgreSQL database. So this starts N
`celery -A lastmile.config.celery worker --concurrency 1` processes on a queue of
their own (two benches or test runs can share one Redis), waits until each answers a
ping, and stops them afterwards, killing any that do not stop within 30 seconds.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BIN = Path(sys.executable).parent


def worker_env(**extra: str) -> dict[str, str]:
    """The environment of a worker: this one's, without another run's broker settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LASTMILE_CELERY", "DATABASE_URL"))}
    env.pop("PYTEST_CURRENT_TEST", None)
    env["DJANGO_SETTINGS_MODULE"] = "lastmile.config.settings"
    env.update(extra)
    return env


def wait_for_workers(broker: str, names: list[str], timeout: float = 90) -> None:
    from celery import Celery

    control = Celery(broker=broker)
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline:
        for reply in control.control.ping(timeout=1.0) or []:
            seen.update(reply)
        if all(any(s.startswith(n + "@") for s in seen) for n in names):
            return
    raise RuntimeError(f"workers {names} did not answer within {timeout:.0f}s (saw {sorted(seen)})")


@contextlib.contextmanager
def celery_workers(count: int, *, database_url: str, broker: str, queue: str | None = None):
    """Start `count` worker processes; yield the queue name they listen on."""
    queue = queue or f"lastmile-bench-{uuid.uuid4().hex[:8]}"
    env = worker_env(DATABASE_URL=database_url, LASTMILE_CELERY_BROKER=broker, LASTMILE_CELERY_QUEUE=queue)
    names = [f"{queue}-{i}" for i in range(1, count + 1)]
    # a file, not a pipe nobody reads: a chatty worker must never block on its stderr
    log = tempfile.NamedTemporaryFile(prefix="lastmile-workers-", suffix=".log", delete=False)
    workers = [
        subprocess.Popen(
            [str(BIN / "celery"), "-A", "lastmile.config.celery", "worker", "--concurrency", "1",
             "--pool", "prefork", "-Q", queue, "-n", f"{name}@%h", "--loglevel", "WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=env, stdout=subprocess.DEVNULL, stderr=log,
        )
        for name in names
    ]
    try:
        try:
            wait_for_workers(broker, names)
        except RuntimeError as exc:
            log.flush()
            raise RuntimeError(f"{exc}; their log: {Path(log.name).read_text()[-2000:]}") from None
        yield queue
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        log.close()
        os.unlink(log.name)
