from __future__ import annotations

from .models import WhatIfRun


def runs_recent(*, limit: int = 20) -> list[WhatIfRun]:
    return list(WhatIfRun.objects.all()[:limit])


def run_get(*, run_id: int) -> WhatIfRun | None:
    return WhatIfRun.objects.filter(pk=run_id).first()
