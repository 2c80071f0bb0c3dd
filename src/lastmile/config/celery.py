"""The Celery app that fans the day run out to workers (issue 6, docs/scaling.md).

    LASTMILE_CELERY_BROKER=redis://127.0.0.1:6379/0 celery -A lastmile.config.celery worker

With `LASTMILE_CELERY_BROKER` set, `run_day` sends one task per (stage, chunk of
account ids) and waits for the whole stage before starting the next one, so the
order of scenarios.md holds: scheduled events, the bill run, then the jobs by
order. A task is the same idempotent job code the single process runs; natural keys
and unique constraints make a retried or duplicated task do nothing twice.

`LASTMILE_CELERY_QUEUE` (default `lastmile`) names the queue, so two deployments
(or two test runs) can share one Redis.
"""
from __future__ import annotations

import datetime as dt
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lastmile.config.settings")

QUEUE = os.environ.get("LASTMILE_CELERY_QUEUE", "lastmile")

app = Celery("lastmile")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # the day run waits for each stage's chunks, so results go back through Redis too
    result_backend=os.environ.get("LASTMILE_CELERY_BROKER") or None,
    result_expires=24 * 3600,
    task_default_queue=QUEUE,
    task_acks_late=True,  # a worker that dies mid-chunk: the chunk runs again (idempotent)
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,  # chunks are big; share them out one at a time
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
)


@app.task(name="lastmile.day_stage")
def day_stage(stage: str, as_of: str, account_ids: list[int] | None) -> int:
    """Run one stage of the day run (`scheduled` or a daily job) for a chunk of accounts."""
    from lastmile.core.dayrun import run_stage

    return run_stage(stage, dt.date.fromisoformat(as_of), account_ids)
