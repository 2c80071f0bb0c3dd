"""Today's work on /console/, per role (issue 10).

Each section is what one role starts the day with, read from the selectors of the
context that owns it; a person with several roles sees every section they hold
(a superuser, all of them). Every line links to the account or to the action.
Sections are capped so the page stays quick on a large book; each has a link to
the full queue.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lastmile.api import selectors as api_selectors
from lastmile.billing import selectors as billing_selectors
from lastmile.core import clock
from lastmile.core.actors import Actor
from lastmile.core.money import ZERO, fmt
from lastmile.delinquency import selectors as dlq_selectors
from lastmile.network import selectors as net_selectors
from lastmile.tickets import selectors as ticket_selectors
from lastmile.tickets.choices import TaskStatus

SHOWN = 15  # lines per list; the queue pages have the rest

AGENT_ROLES = frozenset({"agent", "billing"})

ACTION_WORDS = {
    ("shut_off", "suspend"): "Suspend service",
    ("shut_off", "disconnect"): "Disconnect service",
    ("shut_off", None): "Shut off service",
    ("status", "not_active"): "Set to Not active",
    ("status", "suspended"): "Set to Suspended",
    ("schedule", "disconnect"): "Schedule a disconnect",
    ("cancel", None): "Cancel the account",
}


@dataclass
class Listing:
    """A capped list and how many there are in all."""

    rows: list
    total: int
    more: list = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return max(self.total - len(self.rows), 0)


def _listing(qs, limit: int = SHOWN) -> Listing:
    rows = list(qs[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return Listing(rows, total)


def _action_words(actions) -> str:
    words = []
    for name, arg in actions:
        key = (name, arg.get("action") if isinstance(arg, dict) and name == "schedule" else
               (arg if isinstance(arg, str) else None))
        words.append(ACTION_WORDS.get(key) or ACTION_WORDS.get((name, None)) or name.replace("_", " "))
    return ", ".join(words)


def _either(parts: list[str]) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " or " + parts[-1]


def agent_section(*, user, actor: Actor, today) -> dict:
    """Calls due today (oldest first, with the balance and the message), tickets for
    me and my team, and customers waiting for a call back (dated follow-ups due)."""
    calls = _listing(api_selectors.call_task_queue(status=TaskStatus.OPEN).filter(created_on__lte=today))
    owed = billing_selectors.balances(account_ids={t.account_id for t in calls.rows})
    for task in calls.rows:
        task.owed = fmt(owed.get(task.account_id) or ZERO)
    teams = ticket_selectors.teams_of(actor)
    tickets = _listing(ticket_selectors.ticket_queue(user=user, teams=teams))
    for ticket in tickets.rows:
        ticket.mine = ticket.assignee_user_id == user.pk
    followups = _listing(ticket_selectors.tasks_due(on=today))
    return {"calls": calls, "tickets": tickets, "teams": teams, "followups": followups}


def manager_section(*, today) -> dict:
    """Approvals waiting, and what the policies will shut off or cancel in the next
    three business days (from the day run's own planning)."""
    approvals = _listing(dlq_selectors.proposals())
    ahead = dlq_selectors.enforcements_ahead(as_of=today, business_days=3)
    for row in ahead:
        row["what"] = _action_words(row["actions"])
        row["unless"] = _either([{"paid": "paid in full", "arrangement": "an arrangement is kept",
                                  "contact": "the customer is reached"}[c] for c in row["skip_if"]])
    return {"approvals": approvals, "ahead": ahead[:50], "ahead_total": len(ahead)}


def noc_section() -> dict:
    """NET-1: the requests sent to the NOC and not yet confirmed, oldest first."""
    return {"requests": _listing(net_selectors.noc_desk())}


def admin_section() -> dict:
    """The last day runs with their counts, time taken and any failure."""
    from lastmile.core.dayrun import recent_runs

    return {"runs": recent_runs(limit=7)}


def today_sections(*, user, actor: Actor) -> dict:
    today = clock.today()
    roles = actor.roles
    sections = {"today": today}
    if roles & AGENT_ROLES:
        sections["agent"] = agent_section(user=user, actor=actor, today=today)
    if "manager" in roles:
        sections["manager"] = manager_section(today=today)
    if "noc" in roles:
        sections["noc"] = noc_section()
    if "admin" in roles:
        sections["admin"] = admin_section()
    return sections
