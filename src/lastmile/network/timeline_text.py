"""How the NOC requests read in the timeline (core.timeline_text finds this module)."""
from lastmile.core.timeline_text import Facts, day, describes, label

_DONE = {"suspend": "suspended", "unsuspend": "restored", "disconnect": "disconnected", "cancel": "cancelled"}


def _operation(code) -> str:
    return label(code) or "change"


def _where(f: Facts) -> str:
    return f" at address ID {f['address_id']}" if f["address_id"] else (f" at {f['address']}" if f["address"] else "")


@describes("noc.requested")
def _requested(f: Facts):
    text = f"NOC asked to {_operation(f['operation'])} the service{_where(f)}"
    if f["channel"]:
        text += f" ({label(f['channel'])})"
    if f["state"] == "confirmed":
        text += "; NOC request confirmed"
    return text


@describes("noc.confirmed")
def _confirmed(f: Facts):
    done = _DONE.get(f["operation"], f"{_operation(f['operation'])} done")
    how = " automatically" if f["auto"] else ""
    return f"NOC request confirmed{how}: service {done}{_where(f)}"


@describes("noc.failed")
def _failed(f: Facts):
    attempt = f" (attempt {f['attempt']})" if f["attempt"] else ""
    return (f"NOC could not {_operation(f['operation'])} the service{_where(f)}{attempt}", f["note"] or f.reason)


@describes("noc.batch_sent")
def _batch(f: Facts):
    count = f["count"] or len(f["accounts"] or [])
    on = f" on {day(f['cancel_on'])}" if f["cancel_on"] else ""
    to = f" to {f['to']}" if f["to"] else ""
    return f"Month-end {_operation(f['operation'])} list of {count} account(s){on} sent{to}"
