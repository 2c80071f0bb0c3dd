"""How tickets and call tasks read in the timeline (core.timeline_text finds this module)."""
from lastmile.core.timeline_text import Facts, describes, label

from .choices import CallOutcome, TicketKind


def _kind(code) -> str:
    try:
        return TicketKind(code).label
    except ValueError:
        return label(code).capitalize()


@describes("ticket.opened")
def _opened(f: Facts):
    number = f" #{f['ticket']}" if f["ticket"] else ""
    subject = f": {f['subject']}" if f["subject"] else ""
    to = f" for {f['assignee'] or f['group']}" if (f["assignee"] or f["group"]) else ""
    return f"{_kind(f['kind'])} ticket{number} opened{to}{subject}".replace("  ", " ").strip()


@describes("ticket.closed")
def _closed(f: Facts):
    number = f" #{f['ticket']}" if f["ticket"] else ""
    return f"{_kind(f['kind'])} ticket{number} closed".strip()


@describes("ticket.assigned")
def _assigned(f: Facts):
    number = f" #{f['ticket']}" if f["ticket"] else ""
    return f"{_kind(f['kind'])} ticket{number} reassigned from {f['from'] or 'nobody'} to {f['to'] or 'nobody'}".strip()


@describes("call_task.created")
def _call(f: Facts):
    return f"Call to {f['phone'] or 'the customer'} added to the call queue" + (f": {f['purpose']}" if f["purpose"] else "")


@describes("call_task.completed")
def _called(f: Facts):
    try:
        outcome = CallOutcome(f["outcome"]).label.lower()
    except ValueError:
        outcome = label(f["outcome"])
    return f"Called {f['phone'] or 'the customer'}: {outcome or 'done'}"


@describes("call_task.ended")
def _ended(f: Facts):
    return f"{f['count'] or 'The other'} other call(s) taken off the queue"
