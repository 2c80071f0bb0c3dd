"""Tickets (TKT-1) and the call-task queue (DLQ-3)."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from lastmile.accounts.selectors import account_get
from lastmile.core.errors import InvalidInput
from lastmile.tickets import selectors as ticket_selectors
from lastmile.tickets import services as ticket_services

from . import selectors
from .auth import actor_of
from .common import ERRORS, call_task_out, responses, ticket_out
from .schemas import (
    CallTaskOut,
    OutcomeIn,
    TicketAssignIn,
    TicketCloseIn,
    TicketDetailOut,
    TicketNoteIn,
    TicketOut,
    TicketResolveIn,
)

router = Router(tags=["tickets"])


def _detail(ticket) -> dict:
    spec = ticket_selectors.answer_spec(ticket)
    return {**ticket_out(ticket), "data": ticket.data or {},
            "notes": list(selectors.ticket_notes(ticket=ticket)),
            "answer": ({k: spec[k] for k in ("kind", "waits_on", "fields", "who")} if spec else None),
            "question": ticket_selectors.ticket_facts(ticket)["question"] if spec else ""}


@router.get("/tickets", response={200: list[TicketOut], **ERRORS})
@paginate(LimitOffsetPagination)
def tickets_list(request, status: str = "open", account: str = "", kind: str = "", mine: bool = False,
                 team: bool = False):
    """Open tickets by default; `status=` (empty) for all, `account=` a number, `kind=`;
    `mine=true` those assigned to you, `team=true` those of your roles' teams (both: either)."""
    acc = account_get(number=account) if account else None
    qs = ticket_selectors.ticket_queue(
        status=status or None, account=acc, kind=kind or None,
        user=request.auth if mine else None,
        teams=ticket_selectors.teams_of(actor_of(request)) if team else None,
    )
    return [ticket_out(t) for t in qs]


@router.get("/tickets/{ticket_id}", response=responses(TicketDetailOut))
def ticket_detail(request, ticket_id: int):
    return _detail(selectors.ticket_get(ticket_id=ticket_id))


@router.post("/tickets/{ticket_id}/close", response=responses(TicketDetailOut))
def ticket_close(request, ticket_id: int, payload: TicketCloseIn):
    ticket = selectors.ticket_get(ticket_id=ticket_id)
    ticket_services.ticket_close(ticket=ticket, actor=actor_of(request), note=payload.note)
    return _detail(selectors.ticket_get(ticket_id=ticket_id))


@router.post("/tickets/{ticket_id}/resolve", response=responses(TicketDetailOut))
def ticket_resolve(request, ticket_id: int, payload: TicketResolveIn):
    """Answer a ticket that waits on a person (the simulator's `resolve_ticket`); the
    waiting change, cancellation or reinstatement goes on. A ticket that stays open
    (a wrong VLAN, the NOC failed) comes back with status open and a note saying why."""
    ticket = selectors.ticket_get(ticket_id=ticket_id)
    answer = {k: v for k, v in payload.dict().items() if v is not None}
    if (ticket.data or {}).get("resolver", ticket.kind) == "noc_followup":
        answer.setdefault("vlan", None)  # a person's answer names the VLAN read from the ONT
    ticket_services.ticket_answer(ticket=ticket, actor=actor_of(request), answer=answer)
    return _detail(selectors.ticket_get(ticket_id=ticket_id))


@router.post("/tickets/{ticket_id}/notes", response=responses(TicketDetailOut))
def ticket_note(request, ticket_id: int, payload: TicketNoteIn):
    """TKT-1: a note without closing the ticket."""
    ticket = selectors.ticket_get(ticket_id=ticket_id)
    actor = actor_of(request)
    actor.require("ticket.work", "adding a note to a ticket")
    ticket_services.ticket_note_add(ticket=ticket, body=payload.body, actor=actor)
    return _detail(selectors.ticket_get(ticket_id=ticket_id))


@router.post("/tickets/{ticket_id}/assign", response=responses(TicketDetailOut))
def ticket_assign(request, ticket_id: int, payload: TicketAssignIn):
    """Reassign to a user (`user`: a username) or a team (`team`)."""
    ticket = selectors.ticket_get(ticket_id=ticket_id)
    user = None
    if payload.user:
        user = get_user_model().objects.filter(username=payload.user).first()
        if user is None:
            raise InvalidInput(f"there is no user {payload.user!r}", field="user")
    ticket_services.ticket_assign(ticket=ticket, actor=actor_of(request), user=user, team=payload.team or None)
    return _detail(selectors.ticket_get(ticket_id=ticket_id))


@router.get("/call-tasks", response={200: list[CallTaskOut], **ERRORS})
@paginate(LimitOffsetPagination)
def call_tasks_list(request, status: str = "open", account: str = ""):
    """DLQ-3: the agents' work queue, oldest first."""
    acc = account_get(number=account) if account else None
    return [call_task_out(t) for t in selectors.call_task_queue(status=status or None, account=acc)]


@router.post("/call-tasks/{task_id}/outcome", response=responses(CallTaskOut))
def call_outcome(request, task_id: int, payload: OutcomeIn):
    """DLQ-2: `reached` is contact; `voicemail` and `no_answer` are attempts."""
    task = selectors.call_task_get(task_id=task_id)
    task = ticket_services.call_outcome_record(task=task, outcome=payload.outcome, note=payload.note,
                                               actor=actor_of(request))
    return call_task_out(task)
