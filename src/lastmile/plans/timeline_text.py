"""How plan changes and trials read in the timeline (core.timeline_text finds this module)."""
from lastmile.core.timeline_text import Facts, day, describes, label, money


def _package(code) -> str:
    return label(code).capitalize() or "another package"


_WAITS = {"premium_availability": "an admin checks that Premium is available at the address",
          "utopia_admin": "an admin makes the change with UTOPIA"}
_DECLINED = {"premium_unavailable": "Premium is not available at the address"}


@describes("plan.changed")
def _changed(f: Facts):
    kind = label(f["change"]).capitalize() or "Plan change"
    price = f" at {money(f['monthly'])}/mo" if f["monthly"] else ""
    return f"{kind}: {_package(f['from'])} to {_package(f['to'])}{price}"


@describes("plan_change.pending")
def _pending(f: Facts):
    waits = _WAITS.get(f["reason"], label(f["reason"]))
    return f"Change to {_package(f['to'])} waits until {waits}" if waits else f"Change to {_package(f['to'])} waits"


@describes("plan_change.declined")
def _declined(f: Facts):
    why = _DECLINED.get(f["reason"], label(f["reason"]))
    return (f"Change to {_package(f['to'])} declined", why)


@describes("trial.started")
def _trial(f: Facts):
    ends = f", last day {day(f['ends'])}" if f["ends"] else ""
    return f"Trial of {_package(f['to'])} started (from {_package(f['from'])}){ends}"


@describes("trial.reverted")
def _reverted(f: Facts):
    return f"Trial of {_package(f['from'])} reverted: back on {_package(f['to'])}; its prorated charges voided"
