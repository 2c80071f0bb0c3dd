"""Asking for a what-if from the console, and running it in the background.

The request only records the run and starts `python -m lastmile.whatif.background
<id>` after the commit; that process copies the database and runs both arms
(`command.compare`), then writes the result back. A manager never waits on a page
for minutes of day runs."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from django.db import transaction

from lastmile.core import clock
from lastmile.core.actors import Actor
from lastmile.core.errors import InvalidInput

from .choices import RunStatus
from .command import Request, WhatIfError, check, compare
from .models import WhatIfRun

CAPABILITY = "report.view"


@transaction.atomic
def whatif_request(*, actor: Actor, policy: str, start: dt.date, months: int, network: str = "",
                   minutes_per_call: int = 6, start_process: bool = True) -> WhatIfRun:
    """Record a what-if and start it once the transaction commits."""
    actor.require(CAPABILITY, "a what-if of a delinquency policy")
    request = Request(policy=policy, start=start, months=months, network=network or None,
                      minutes_per_call=minutes_per_call)
    try:
        proposed = check(request)
    except WhatIfError as exc:
        raise InvalidInput(str(exc), field="months" if "months" in str(exc) else "policy") from None
    if not 1 <= minutes_per_call <= 120:
        raise InvalidInput("minutes per call must be from 1 to 120", field="minutes_per_call")
    run = WhatIfRun.objects.create(requested_by=str(actor), requested_at=clock.now(), policy=policy,
                                   network=network or proposed.network, start=start, months=months,
                                   minutes_per_call=minutes_per_call)
    if start_process:
        transaction.on_commit(lambda: _start(run.pk))
    return run


def _start(run_id: int) -> None:
    subprocess.Popen([sys.executable, "-m", "lastmile.whatif.background", str(run_id)], env=dict(os.environ),
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


def whatif_execute(*, run_id: int) -> WhatIfRun:
    """Run a recorded what-if to its end (the background process); a failure is kept
    as its sentence, never raised."""
    claimed = WhatIfRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=clock.now())
    run = WhatIfRun.objects.get(pk=run_id)
    if not claimed:
        return run
    request = Request(policy=run.policy, start=run.start, months=run.months, network=run.network or None,
                      minutes_per_call=run.minutes_per_call)
    try:
        run.result = compare(request)
        run.status = RunStatus.DONE
    except Exception as exc:  # noqa: BLE001 - the manager reads why on the page
        run.error = str(exc) or exc.__class__.__name__
        run.status = RunStatus.FAILED
    run.finished_at = clock.now()
    run.save(update_fields=["result", "status", "error", "finished_at"])
    return run
