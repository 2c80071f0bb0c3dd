"""The timeline's vocabulary (scenarios.md and what the services record): the event
types an endpoint may ask for. `*` asks for all, `payment.*` for one family."""
from __future__ import annotations

import re

EVENT_TYPES: tuple[str, ...] = (
    "account.changed", "account.created", "account.status_changed", "action.refused",
    "arrangement.broken", "arrangement.created", "arrangement.declined", "arrangement.kept",
    "arrangement.proposed", "autopay.disabled", "autopay.enabled", "call_task.completed",
    "call_task.created", "call_task.ended", "cancellation.confirmed", "cancellation.declined",
    "cancellation.quoted", "cancellation.requested", "card.added", "charge.posted", "charge.voided",
    "contract.recorded", "contract.status_set", "credit.refunded", "customer.contacted",
    "delinquency.closed", "delinquency.opened", "email.sent", "equipment.pickup_failed",
    "equipment.returned", "fee.waived", "history.imported", "history.updated", "import.updated",
    "noc.batch_sent", "noc.confirmed", "noc.failed", "noc.requested", "notice.skipped",
    "payment.declined", "payment.posted", "payment.reversed", "phone.changed", "plan.changed",
    "plan_change.declined", "plan_change.pending", "portal.changed", "portal.password_set",
    "scheduled.cancelled", "scheduled.created", "sms.opt_in", "sms.opt_out", "sms.sent",
    "statement.issued", "ticket.assigned", "ticket.closed", "ticket.opened", "trial.reverted",
    "trial.started", "utopia.options",
)
FAMILIES = tuple(sorted({t.split(".", 1)[0] for t in EVENT_TYPES}))
# the webhooks' own audit entries are never sent: they would tell one receiver
# another one's address
NOT_SENT_PREFIX = "webhook."
_SHAPE = re.compile(r"^[a-z_]+\.[a-z_]+$")


def parse_event_types(text: str | list[str]) -> list[str]:
    """The types an admin typed (comma or space separated), checked; ValueError names
    the first unknown one."""
    items = text if isinstance(text, list) else re.split(r"[\s,]+", text or "")
    wanted: list[str] = []
    for item in (i.strip() for i in items):
        if not item or item in wanted:
            continue
        if item == "*":
            pass
        elif item.endswith(".*"):
            if item[:-2] not in FAMILIES:
                raise ValueError(f"there are no events of the kind {item!r}; "
                                 f"kinds are {', '.join(f + '.*' for f in FAMILIES)}")
        elif item not in EVENT_TYPES:
            hint = "" if _SHAPE.match(item) else " (a type looks like payment.posted)"
            raise ValueError(f"{item!r} is not an event type of the timeline{hint}")
        wanted.append(item)
    if not wanted:
        raise ValueError("name at least one event type, or * for all of them")
    return ["*"] if "*" in wanted else wanted
