"""Operations: the day run on demand (admin only)."""
from __future__ import annotations

from ninja import Router

from .auth import actor_of
from .common import responses
from .schemas import DayRunIn, DayRunOut
from .services import day_run_trigger

router = Router(tags=["operations"])


@router.post("/day-runs", response=responses(DayRunOut))
def day_run(request, payload: DayRunIn):
    """Run the day's automation (architecture.md "the day run"); idempotent, admin only."""
    report = day_run_trigger(as_of=payload.as_of, actor=actor_of(request))
    return {"as_of": report.as_of, "counts": report.counts}
