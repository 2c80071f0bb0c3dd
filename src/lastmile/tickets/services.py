"""Opening, noting and closing tickets; call tasks and work-queue tasks (TKT-1, DLQ-3)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from lastmile.core import clock, hooks, timeline
from lastmile.core.actors import Actor
from lastmile.core.errors import InvalidInput, NotFound, RuleRefusal

from .choices import CallOutcome, TaskStatus, TicketKind, TicketStatus
from .models import CallTask, Task, Ticket, TicketNote

# who works each kind of ticket, as the seeds set them (group, category, type, assignee)
ROUTING = {
    TicketKind.DELINQUENCY: ("Billing", "Delinquency", "Collections", "Billing"),
    TicketKind.TROUBLESHOOTING: ("Support", "Speed", "Troubleshooting", "Support"),
    TicketKind.PREMIUM_AVAILABILITY: ("Admin", "Premium availability", "Review", "Admin"),
    TicketKind.CANCELLATION: ("Billing", "Misc", "Transfer", "NOC"),  # CAN-2
    TicketKind.UTOPIA_ADMIN: ("Admin", "UTOPIA", "Account change", "Admin"),
    TicketKind.CONTRACT_LOOKUP: ("Billing", "Contracts", "Lookup", "Onboarding specialist"),
    TicketKind.NOC_FOLLOWUP: ("NOC", "Reinstatement", "Call NOC", "NOC"),
}


@transaction.atomic
def ticket_open(
    *, account, kind: str, subject: str, actor: Actor | str, notes: str = "", key: str | None = None,
    data: dict | None = None, reason: str = "", **routing,
) -> Ticket:
    """Open a ticket routed by its kind (override group/category/ticket_type/assignee).

    With a natural `key`, a second call returns the ticket already open.
    """
    if kind not in TicketKind.values:
        raise InvalidInput(f"unknown ticket kind {kind!r}", field="kind")
    if key:
        existing = Ticket.objects.filter(key=key).first()
        if existing:
            return existing
    group, category, ticket_type, assignee = ROUTING[kind]
    now = clock.now()
    ticket = Ticket.objects.create(
        account=account, kind=kind, subject=subject[:200],
        group=routing.get("group", group), category=routing.get("category", category),
        ticket_type=routing.get("ticket_type", ticket_type), assignee=routing.get("assignee", assignee),
        opened_on=now.date(), opened_at=now, key=key, data=data or {},
    )
    if notes:
        TicketNote.objects.create(ticket=ticket, body=notes, author=str(actor), written_at=now)
    extra = {k: v for k, v in (data or {}).items() if k in ("short_notice", "to", "reason")}
    timeline.record(
        "ticket.opened", account=account, actor=actor, why=reason, kind=kind, group=ticket.group,
        category=ticket.category, ticket_type=ticket.ticket_type, assignee=ticket.assignee,
        ticket=ticket.pk, subject=ticket.subject, **extra,
    )
    return ticket


@transaction.atomic
def ticket_note_add(*, ticket: Ticket, body: str, actor: Actor | str) -> TicketNote:
    if not body.strip():
        raise InvalidInput("a ticket note needs some text", field="body")
    return TicketNote.objects.create(ticket=ticket, body=body.strip(), author=str(actor), written_at=clock.now())


@transaction.atomic
def ticket_close(*, ticket: Ticket, actor: Actor | str, note: str = "", reason: str = "") -> bool:
    if isinstance(actor, Actor):
        actor.require("ticket.work", "closing a ticket")
    claimed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.OPEN).update(
        status=TicketStatus.CLOSED, closed_on=clock.today()
    )
    if not claimed:
        return False
    ticket.status = TicketStatus.CLOSED
    if note:
        ticket_note_add(ticket=ticket, body=note, actor=actor)
    timeline.record("ticket.closed", account=ticket.account, actor=actor, why=reason, kind=ticket.kind,
                    ticket=ticket.pk)
    return True


# --- resolving a ticket: the context that opened it decides what the answer does ---
_resolvers: dict[str, Callable] = {}


def ticket_resolver(name: str):
    """Register what resolving a ticket does; the ticket's data["resolver"] (or kind) picks it."""

    def register(fn):
        _resolvers[name] = fn
        return fn

    return register


@transaction.atomic
def ticket_resolve(*, ticket: Ticket, actor: Actor, answer: dict | None = None) -> None:
    if ticket.status != TicketStatus.OPEN:
        raise RuleRefusal(f"ticket #{ticket.pk} ({ticket.kind}) is already closed", field="ticket")
    name = (ticket.data or {}).get("resolver", ticket.kind)
    resolver = _resolvers.get(name)
    if resolver is None:
        raise RuleRefusal(f"a {ticket.kind} ticket is closed by hand; it has no answer to record", field="ticket")
    resolver(ticket=ticket, actor=actor, answer=answer or {})


def open_ticket_of_kind(*, account, kind: str) -> Ticket:
    ticket = Ticket.objects.filter(account=account, kind=kind, status=TicketStatus.OPEN).order_by("opened_at", "id").first()
    if ticket is None:
        raise NotFound(f"there is no open {kind} ticket on this account", field="ticket")
    return ticket


# --- call tasks (DLQ-3) ---
@transaction.atomic
def call_tasks_create(*, account, phones: list[str], purpose: str, batch: str, actor: Actor | str) -> list[CallTask]:
    """One task per phone number; the natural key makes a repeated step create none."""
    now = clock.now()
    created = []
    for phone in phones:
        task, was_new = CallTask.objects.get_or_create(
            key=f"{batch}:{phone}",
            defaults=dict(account=account, phone=phone, purpose=purpose[:300], batch=batch,
                          created_on=now.date(), created_at=now),
        )
        if was_new:
            created.append(task)
            timeline.record("call_task.created", account=account, actor=actor, phone=phone, purpose=purpose)
    return created


_unanswered_handlers: dict[str, Callable] = {}


def on_batch_unanswered(prefix: str):
    """Register what happens when every call of a batch (key starting `prefix`) had no contact."""

    def register(fn):
        _unanswered_handlers[prefix] = fn
        return fn

    return register


@transaction.atomic
def call_outcome_record(*, task: CallTask, outcome: str, actor: Actor) -> CallTask:
    """DLQ-2/DLQ-3: record an outcome; `reached` is contact; an all-unanswered batch
    triggers its step's email at once."""
    actor.require("calltask.record", "recording a call")
    if outcome not in CallOutcome.values:
        raise InvalidInput(f"outcome must be one of {', '.join(CallOutcome.values)}", field="outcome")
    if task.status != TaskStatus.OPEN:
        raise RuleRefusal(f"the call to {task.phone} already has an outcome", field="task")
    now = clock.now()
    CallTask.objects.filter(pk=task.pk).update(outcome=outcome, outcome_at=now, outcome_by=str(actor),
                                               status=TaskStatus.DONE)
    task.refresh_from_db()
    timeline.record("call_task.completed", account=task.account, actor=actor, phone=task.phone, outcome=outcome)
    if outcome == CallOutcome.REACHED:
        hooks.publish(hooks.CUSTOMER_CONTACTED, account=task.account, how="call answered", actor=actor)
    batch = CallTask.objects.filter(batch=task.batch)
    if not batch.filter(status=TaskStatus.OPEN).exists() and not batch.filter(outcome=CallOutcome.REACHED).exists():
        for prefix, handler in _unanswered_handlers.items():
            if task.batch.startswith(prefix):
                handler(batch=task.batch, account=task.account, actor=actor)
    return task


def open_call_tasks(*, account):
    return CallTask.objects.filter(account=account, status=TaskStatus.OPEN).order_by("created_at", "id")


@transaction.atomic
def call_tasks_cancel(*, account, batch_prefix: str = "") -> int:
    qs = CallTask.objects.filter(account=account, status=TaskStatus.OPEN)
    if batch_prefix:
        qs = qs.filter(batch__startswith=batch_prefix)
    return qs.update(status=TaskStatus.CANCELLED)


# --- other work-queue tasks ---
@transaction.atomic
def task_create(*, account, kind: str, title: str, due_on: dt.date, key: str, data: dict | None = None) -> Task:
    task, _ = Task.objects.get_or_create(
        key=key, defaults=dict(account=account, kind=kind, title=title[:200], due_on=due_on,
                               created_at=clock.now(), data=data or {}),
    )
    return task


@transaction.atomic
def task_complete(*, task: Task) -> bool:
    return bool(Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(status=TaskStatus.DONE, done_at=clock.now()))
