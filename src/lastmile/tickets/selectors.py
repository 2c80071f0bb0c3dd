"""Reads of tickets (TKT-1): the queue with its "mine" and "my team" filters, and
what a ticket that waits on a person asks, which facts answer it, and who may.

Teams are the assignees tickets are routed to (choices.ROUTING) plus Support.
Which teams are a person's follows their roles (ROLE_TEAMS):

    admin   -> Admin               (Premium availability, UTOPIA admin work)
    noc     -> NOC                 (NOC follow-ups; CAN-2 cancellation tickets)
    billing -> Billing, Onboarding specialist   (collections, contract lookups)
    manager -> Billing, Onboarding specialist
    agent   -> Support, Billing    (agents take calls for both queues)
"""
from __future__ import annotations

import re

from lastmile.core.errors import NotFound

from .choices import ROUTING, TicketKind, TicketStatus
from .models import Ticket, TicketNote

TEAMS: tuple[str, ...] = tuple(sorted({route[3] for route in ROUTING.values()} | {"Support"}))

ROLE_TEAMS: dict[str, tuple[str, ...]] = {
    "admin": ("Admin",),
    "noc": ("NOC",),
    "billing": ("Billing", "Onboarding specialist"),
    "manager": ("Billing", "Onboarding specialist"),
    "agent": ("Support", "Billing"),
}

# what resolving takes, per resolver name (the ticket's data["resolver"], or its kind)
ANSWERS: dict[str, dict] = {
    "premium_availability": {"fields": {"premium_available": "bool", "note": "text (optional)"},
                             "capability": "premium.review", "who": "an admin"},
    "plan_change": {"fields": {"approved": "bool", "note": "text (what was done, or why declined)"},
                    "capability": "utopia.admin", "who": "an admin"},
    "cancellation": {"fields": {"approved": "bool", "note": "text (what was done, or why declined)"},
                     "capability": "utopia.admin", "who": "an admin"},
    "contract_lookup": {"fields": {"contract": "'none' or a contract mapping (CON-1..3)",
                                   "note": "text (optional)"},
                        "capability": "contract.lookup", "who": "an admin, billing or a manager"},
    "noc_followup": {"fields": {"vlan": "int (read from the ONT)", "failed": "bool",
                                "note": "text (required when failed)"},
                     "capability": "noc.confirm", "who": "the NOC or an admin"},
}


def teams_of(actor) -> tuple[str, ...]:
    seen: list[str] = []
    for role in sorted(actor.roles):
        for team in ROLE_TEAMS.get(role, ()):
            if team not in seen:
                seen.append(team)
    return tuple(seen)


def ticket_queue(*, status: str | None = TicketStatus.OPEN, kind: str | None = None, account=None,
                 user=None, teams: tuple[str, ...] | None = None):
    """Tickets newest first; `user` keeps those assigned to that person ("mine"),
    `teams` those assigned to one of the teams ("my team"); both: either."""
    from django.db.models import Q

    qs = Ticket.objects.select_related("account", "assignee_user")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if account is not None:
        qs = qs.filter(account=account)
    if user is not None or teams is not None:
        q = Q(pk__in=[])
        if user is not None:
            q |= Q(assignee_user=user)
        if teams is not None:
            q |= Q(assignee__in=list(teams), assignee_user__isnull=True)
        qs = qs.filter(q)
    return qs.order_by("-opened_at", "-id")


def ticket_get(*, ticket_id: int) -> Ticket:
    try:
        return Ticket.objects.select_related("account", "account__address", "assignee_user").get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise NotFound(f"there is no ticket #{ticket_id}", field="ticket") from None


def ticket_notes(*, ticket: Ticket):
    return TicketNote.objects.filter(ticket=ticket).order_by("written_at", "id")


def waits_on(ticket: Ticket) -> str | None:
    """The resolver that takes this ticket's answer, when it waits on a person."""
    name = (ticket.data or {}).get("resolver", ticket.kind)
    if ticket.kind == TicketKind.CANCELLATION:  # CAN-2: the uninstall work, closed by hand
        return None
    return name if name in ANSWERS else None


def answer_spec(ticket: Ticket) -> dict | None:
    """What resolving this ticket takes (the API's `answer`), or None: closed by hand."""
    name = waits_on(ticket)
    if name is None or ticket.status != TicketStatus.OPEN:
        return None
    spec = ANSWERS[name]
    return {"kind": ticket.kind, "waits_on": name, "fields": dict(spec["fields"]),
            "capability": spec["capability"], "who": spec["who"]}


def may_answer(ticket: Ticket, actor) -> bool:
    spec = answer_spec(ticket)
    return spec is not None and actor.can(spec["capability"])


def _plain(label: str) -> str:
    """A choice's label without the rule ID it cites: people read sentences."""
    return re.sub(r"\s*\([A-Z]{2,4}-\d+\)$", "", str(label))


def _day(day) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _place(account) -> tuple[str, str]:
    address = getattr(account, "address", None)
    if address is None:
        return "the service address", ""
    return f"{address.line1}, {address.city}", address.address_id or ""


def ticket_facts(ticket: Ticket) -> dict:
    """The question the ticket asks and the facts needed to answer it, as sentences
    and labelled values (never the raw data)."""
    from lastmile.core import ispconfig
    from lastmile.core.money import fmt

    account = ticket.account
    place, address_id = _place(account)
    where = f"{place} ({address_id})" if address_id else place
    address = getattr(account, "address", None)
    facts: list[tuple[str, str]] = [
        ("Service address", address.one_line() if address else "none on file"),
        ("Address ID", address_id or "none"),
    ]
    name = waits_on(ticket)
    data = ticket.data or {}
    question = ""
    extra: dict = {}
    if name in ("premium_availability", "plan_change"):
        from lastmile.plans.models import PlanChange

        change = (PlanChange.objects.select_related("from_package", "to_package")
                  .filter(pk=data.get("plan_change")).first())
        to = change.to_package.name if change else "Premium"
        if name == "premium_availability":
            question = f"Is {to} available at {where}?"
        else:
            question = (f"Has the change to {to} been done with UTOPIA for {account.name}?")
        if change is not None:
            facts += [
                ("Waiting change", f"{change.from_package.name} (${fmt(change.from_package.monthly)}/month) to "
                                   f"{change.to_package.name} (${fmt(change.to_package.monthly)}/month)"),
                ("Asked on", f"{_day(change.requested_on)} by {change.requested_by}"),
                ("Effective", _day(change.effective_on) if change.effective_on else "the day it is approved"),
                ("State of the change", _plain(change.get_status_display())),
            ]
            if change.reason:
                facts.append(("Why the customer asked", change.reason))
        extra["change"] = change
    elif name in ("cancellation", "contract_lookup"):
        from lastmile.cancellations.models import Cancellation

        cancellation = Cancellation.objects.filter(pk=data.get("cancellation")).first()
        if name == "cancellation":
            question = f"Has {account.name}'s cancellation been handled with UTOPIA?"
        else:
            question = (f"Does {account.name} have a contract? Look for a digital contract, a paper service "
                        "order or a commercial service agreement.")
        if cancellation is not None:
            facts += [
                ("Last day of service", _day(cancellation.last_day)),
                ("Reason", cancellation.reason),
                ("Asked on", f"{_day(cancellation.requested_on)} by {cancellation.requested_by}"),
                ("State of the cancellation", _plain(cancellation.get_status_display())),
            ]
            if cancellation.improve:
                facts.append(("What we could have done better", cancellation.improve))
        if name == "contract_lookup":
            facts.append(("What the answer needs", "Residential: digital (start date, months up to 12, "
                          "monthly rate) or paper (signature date; 12-month terms). Commercial: first billing "
                          "date, months, monthly rate, ETF override if the agreement sets one."))
        extra["cancellation"] = cancellation
    elif name == "noc_followup":
        from lastmile.network.models import NocRequest

        request = NocRequest.objects.filter(pk=data.get("request")).first()
        expected = ispconfig.current().restored_vlan
        if request is not None:
            from lastmile.core import clock

            sent = request.sent_at.astimezone(clock.now().tzinfo)  # the ISP's local time, as on the notes
            question = (f"Has the NOC done the {request.get_operation_display().lower()} for "
                        f"{request.address_id or account.number} ({account.name})?")
            facts += [
                ("NOC request", f"#{request.pk}: {request.get_operation_display()} by "
                                f"{request.get_channel_display() or 'the NOC'}"),
                ("Sent", f"{_day(sent)} at {sent:%H:%M}"),
                ("State", request.get_state_display()),
            ]
            if request.restore_pending:
                facts.append(("Expected VLAN", f"{expected}: the ONT must be back on it before service is restored"))
        else:
            question = "Has the NOC done what was asked?"
        extra["request"] = request
        extra["expected_vlan"] = expected
    return {"question": question, "facts": facts, "waits_on": name, **extra}


def tasks_due(*, on):
    """Dated follow-ups due by `on` (a trial's last day, a pickup, a call to the NOC),
    oldest first: the customers waiting to hear from us."""
    from .choices import TaskStatus
    from .models import Task

    return Task.objects.select_related("account").filter(status=TaskStatus.OPEN, due_on__lte=on).order_by("due_on", "id")
