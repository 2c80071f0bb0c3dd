"""Opening, noting and closing tickets; call tasks and work-queue tasks (TKT-1, DLQ-3)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from lastmile.core import clock, hooks, timeline
from lastmile.core.actors import Actor
from lastmile.core.errors import InvalidInput, NotFound, RuleRefusal

from .choices import ROUTING, CallOutcome, TaskStatus, TicketKind, TicketStatus
from .models import CallTask, Task, Ticket, TicketNote
from .selectors import TEAMS, answer_spec


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
    """TKT-1: a person needs `ticket.work`; the automation (a plain name) writes its steps."""
    if isinstance(actor, Actor) and not actor.automation:
        actor.require("ticket.work", "adding a note to a ticket")
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
def call_tasks_create(*, account, phones: list[str], purpose: str, batch: str, actor: Actor | str,
                      call_from: dt.datetime | None = None) -> list[CallTask]:
    """One task per phone number; the natural key makes a repeated step create none.

    `call_from`: NOT-1, a task asked for in quiet hours is for the window's next
    opening (the caller works it out; the task is dated then)."""
    now = clock.now()
    at = call_from if call_from is not None and call_from > now else now
    extra = {"call_from": at.isoformat(timespec="minutes")} if at > now else {}
    created = []
    for phone in phones:
        task, was_new = CallTask.objects.get_or_create(
            key=f"{batch}:{phone}",
            defaults=dict(account=account, phone=phone, purpose=purpose[:300], batch=batch,
                          created_on=at.date(), created_at=at),
        )
        if was_new:
            created.append(task)
            timeline.record("call_task.created", account=account, actor=actor, phone=phone, purpose=purpose,
                            **extra)
    return created


_unanswered_handlers: dict[str, Callable] = {}


def on_batch_unanswered(prefix: str):
    """Register what happens when every call of a batch (key starting `prefix`) had no contact."""

    def register(fn):
        _unanswered_handlers[prefix] = fn
        return fn

    return register


@transaction.atomic
def call_outcome_record(*, task: CallTask, outcome: str, actor: Actor, note: str = "") -> CallTask:
    """DLQ-2/DLQ-3: record an outcome (and the agent's note); `reached` is contact and
    ends the step's other calls as not needed; an all-unanswered batch triggers its
    step's email at once."""
    actor.require("calltask.record", "recording a call")
    if outcome not in CallOutcome.values:
        raise InvalidInput(f"outcome must be one of {', '.join(CallOutcome.values)}", field="outcome")
    task = CallTask.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatus.OPEN:
        what = "is no longer needed" if task.status == TaskStatus.NOT_NEEDED else "already has an outcome"
        raise RuleRefusal(f"the call to {task.phone} {what}", field="task")
    now = clock.now()
    CallTask.objects.filter(pk=task.pk).update(outcome=outcome, outcome_at=now, outcome_by=str(actor),
                                               status=TaskStatus.DONE, note=(note or "").strip())
    task.refresh_from_db()
    timeline.record("call_task.completed", account=task.account, actor=actor, phone=task.phone, outcome=outcome)
    batch = CallTask.objects.filter(batch=task.batch)
    if outcome == CallOutcome.REACHED:
        ended = batch.filter(status=TaskStatus.OPEN).update(status=TaskStatus.NOT_NEEDED)
        if ended:
            timeline.record("call_task.ended", account=task.account, actor=actor, count=ended,
                            why="DLQ-3: the customer was reached on another phone")
        hooks.publish(hooks.CUSTOMER_CONTACTED, account=task.account, how="call answered", actor=actor)
        return task
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


@transaction.atomic
def call_tasks_end(*, account_ids, batch_prefix: str = "dlq:", keep_batches=()) -> int:
    """DLQ-3: a step's calls end as not needed when its case closes, pauses or moves
    past it. `keep_batches` are the batches still current (the step that just ran)."""
    qs = CallTask.objects.filter(account_id__in=list(account_ids), status=TaskStatus.OPEN,
                                 batch__startswith=batch_prefix)
    if keep_batches:
        qs = qs.exclude(batch__in=list(keep_batches))
    return qs.update(status=TaskStatus.NOT_NEEDED)


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


# --- working a ticket by hand: reassign it, answer it (TKT-1) ---
def _teams() -> tuple[str, ...]:
    return TEAMS


@transaction.atomic
def ticket_assign(*, ticket: Ticket, actor: Actor, user=None, team: str | None = None) -> Ticket:
    """TKT-1: a ticket is worked by a team or by one person. Exactly one of `user`
    (an active user holding a lastmile role, so the ticket is never parked on
    someone who cannot open it) or `team` (a team that tickets are routed to)."""
    actor.require("ticket.work", "reassigning a ticket")
    if (user is None) == (not team):
        raise InvalidInput("assign the ticket to a user or to a team (one of the two)", field="user")
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != TicketStatus.OPEN:
        raise RuleRefusal(f"ticket #{ticket.pk} is closed; reopen work on a new ticket instead", field="ticket")
    if user is not None:
        from lastmile.core.actors import from_user

        if not user.is_active or not from_user(user).roles:
            raise InvalidInput(f"{user.get_username()} is not an active staff member with a role; "
                               "choose someone who works tickets", field="user")
        to, to_user = user.get_username(), user
    else:
        names = {t.lower(): t for t in _teams()}
        to = names.get(team.strip().lower())
        if to is None:
            raise InvalidInput(f"there is no team {team!r}; teams are {', '.join(_teams())}", field="team")
        to_user = None
    before = ticket.assignee
    if to == before and to_user == ticket.assignee_user:
        return ticket
    Ticket.objects.filter(pk=ticket.pk).update(assignee=to, assignee_user=to_user)
    ticket.assignee, ticket.assignee_user = to, to_user
    timeline.record("ticket.assigned", account=ticket.account, actor=actor, kind=ticket.kind, ticket=ticket.pk,
                    **{"from": before, "to": to}, user=bool(to_user))
    return ticket


def _bool(answer: dict, name: str, sentence: str) -> bool:
    value = answer.get(name)
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
        value = value.strip().lower() in ("true", "yes", "1")
    if not isinstance(value, bool):
        raise InvalidInput(sentence, field=name)
    return value


@transaction.atomic
def ticket_answer(*, ticket: Ticket, actor: Actor, answer: dict) -> Ticket:
    """The console's and the API's way to resolve a ticket that waits on a person:
    the answer is checked against what its kind takes (selectors.answer_spec), the
    person's note goes on the ticket, then `ticket_resolve` (the simulator's
    `resolve_ticket`) lets the waiting work go on. Returns the ticket as it is now:
    still open when the answer did not settle it (a wrong VLAN, a NOC failure)."""
    spec = answer_spec(ticket)
    if ticket.status != TicketStatus.OPEN:
        raise RuleRefusal(f"ticket #{ticket.pk} is already closed", field="ticket")
    if spec is None:
        raise RuleRefusal(f"a {ticket.get_kind_display()} ticket is closed by hand; it has no answer to record",
                          field="ticket")
    actor.require(spec["capability"], f"answering a {ticket.get_kind_display()} ticket")
    answer = dict(answer or {})
    note = (answer.pop("note", None) or "").strip()
    waits = spec["waits_on"]
    if waits == "premium_availability":
        given = {"premium_available": _bool(answer, "premium_available",
                                            "say whether Premium is available at the address: yes or no")}
        if note:
            ticket_note_add(ticket=ticket, body=note, actor=actor)
    elif waits in ("plan_change", "cancellation"):
        approved = _bool(answer, "approved", "say whether it was done with UTOPIA or declined")
        if not note:
            raise InvalidInput("say what was done with UTOPIA" if approved else "say why it was declined",
                               field="note")
        given = {"approved": approved}
        ticket_note_add(ticket=ticket, body=("Done with UTOPIA: " if approved else "Declined: ") + note,
                        actor=actor)
    elif waits == "contract_lookup":
        if answer.get("contract") in (None, ""):
            raise InvalidInput("answer `none` (month-to-month) or the contract found", field="contract")
        given = {"contract": answer["contract"]}
        if note:
            ticket_note_add(ticket=ticket, body=note, actor=actor)
    else:  # noc_followup
        failed = answer.get("failed") not in (None, False, "", "false", "no", "0")
        if failed:
            if not note:
                raise InvalidInput("say what the NOC could not do", field="note")
            given = {"failed": True, "note": note}
        else:
            given = {"vlan": answer.get("vlan")}
            if note:
                ticket_note_add(ticket=ticket, body=note, actor=actor)
    ticket_resolve(ticket=ticket, actor=actor, answer=given)
    return Ticket.objects.select_related("account").get(pk=ticket.pk)
