"""The in-process scheduler of `lastmile serve`: the periodic jobs every minute and
the day run once each morning. Every job is idempotent, so a restart or a second
server does no harm."""
from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)
DAY_RUN_HOUR = 5


def _loop(stop: threading.Event) -> None:
    from django.db import close_old_connections

    from . import clock, periodic
    from .dayrun import run_day

    last_day = None
    while not stop.is_set():
        try:
            close_old_connections()
            now = clock.now()
            if now.hour >= DAY_RUN_HOUR and last_day != now.date():
                run_day(now.date())
                last_day = now.date()
            periodic.run_periodic()
        except Exception:  # noqa: BLE001 - keep serving; the next minute tries again
            log.exception("scheduled work failed")
        stop.wait(60)


def start_background_scheduler() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop,), name="lastmile-scheduler", daemon=True).start()
    time.sleep(0)
    return stop
