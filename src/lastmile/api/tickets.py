"""Tickets (TKT-1) and the call-task queue (DLQ-3)."""
from __future__ import annotations

from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from lastmile.accounts.selectors import account_get
from lastmile.tickets import services as ticket_services

from . import selectors
from .auth import actor_of
from .common import ERRORS, call_task_out, responses, ticket_out
from .schemas import CallTaskOut, OutcomeIn, TicketCloseIn, TicketDetailOut, TicketOut

router = Router(tags=["tickets"])


def _detail(ticket) -> dict:
    return {**ticket_out(ticket), "data": ticket.data or {},
            "notes": list(selectors.ticket_notes(ticket=ticket))}


@router.get("/tickets", response={200: list[TicketOut], **ERRORS})
@paginate(LimitOffsetPagination)
def tickets_list(request, status: str = "open", account: str = "", kind: str = ""):
    """Open tickets by default; `status=` (empty) for all, `account=` a number, `kind=`."""
    acc = account_get(number=account) if account else None
    return [ticket_out(t) for t in selectors.ticket_list(status=status or None, account=acc, kind=kind or None)]


@router.get("/tickets/{ticket_id}", response=responses(TicketDetailOut))
def ticket_detail(request, ticket_id: int):
    return _detail(selectors.ticket_get(ticket_id=ticket_id))


@router.post("/tickets/{ticket_id}/close", response=responses(TicketDetailOut))
def ticket_close(request, ticket_id: int, payload: TicketCloseIn):
    ticket = selectors.ticket_get(ticket_id=ticket_id)
    ticket_services.ticket_close(ticket=ticket, actor=actor_of(request), note=payload.note)
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
    task = ticket_services.call_outcome_record(task=task, outcome=payload.outcome, actor=actor_of(request))
    return call_task_out(task)
