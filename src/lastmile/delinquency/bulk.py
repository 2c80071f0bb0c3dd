"""The set-based path of the delinquency day run (architecture: 100,000 accounts in
seconds). Openings, and steps whose actions are only records (ticket, note, email,
call tasks), are written a chunk at a time with bulk inserts; the timeline rows of
a case keep the order the per-case path would give them. Steps that act on the
network or the account's status (shut off, status, schedule, cancel) and resumed
steps go through the per-case path in services.py, which calls the other
contexts' services.

Idempotent like the per-case path: the CaseStep and natural-key unique
constraints make a colliding chunk roll back, and it is then done case by case.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction

from lastmile.accounts.models import Account, Email, Phone
from lastmile.billing.selectors import balances
from lastmile.comms.models import OutboxMessage
from lastmile.core import clock, hooks, ispconfig, timeline
from lastmile.core.choices import AccountStatus
from lastmile.core.money import ZERO
from lastmile.tickets.choices import TicketKind
from lastmile.tickets.models import CallTask, Ticket, TicketNote
from lastmile.tickets.services import ROUTING

from .models import Arrangement, ArrangementStatus, Case, CaseStatus, CaseStep, StepOutcome
from .policy import get_policy
from .schedule import CaseFacts, Policy, next_step, projected, skip_reason

BULK_ACTIONS = frozenset({"ticket", "note", "email", "call_tasks"})
CHUNK = 1000


def _actor(policy: Policy, step: str) -> str:
    return f"automation: delinquency {policy.name} {step}"


# ------------------------------------------------------------------ openings
def open_many(*, rows: list[tuple[Account, Policy, dt.date, Decimal]], as_of: dt.date) -> int:
    """Open cases in bulk: `delinquency.opened` then active -> delinquent per account."""
    cal = ispconfig.current().calendar
    opened = 0
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i:i + CHUNK]
        try:
            with transaction.atomic():
                opened += _open_chunk(chunk, as_of, cal)
        except IntegrityError:
            from .services import case_open

            for account, policy, d, owed in chunk:
                try:
                    with transaction.atomic():
                        case_open(account=account, policy=policy, d=d, owed=owed, as_of=as_of)
                        opened += 1
                except IntegrityError:
                    continue
    return opened


def _open_chunk(chunk, as_of, cal) -> int:
    cases = []
    for account, policy, d, _owed in chunk:
        nxt = next_step(policy, CaseFacts(d), cal)
        cases.append(Case(account_id=account.pk, policy_name=policy.name, policy_version=policy.version, d=d,
                          opened_on=as_of, contact_since=as_of, next_due_on=nxt.on if nxt else None))
    Case.objects.bulk_create(cases)
    ids = [account.pk for account, *_ in chunk]
    changed = Account.objects.filter(pk__in=ids, status=AccountStatus.ACTIVE).update(status=AccountStatus.DELINQUENT)
    if changed != len(ids):
        raise IntegrityError("an account changed status while its case was opening")
    rows = []
    for case, (account, policy, d, owed) in zip(cases, chunk, strict=True):
        actor = _actor(policy, "open")
        rows.append(timeline.build("delinquency.opened", account_id=account.pk, actor=actor,
                                   why=f"owes {owed} on statements already due", policy=policy.name,
                                   version=policy.version, d=d, owed=owed, case=case.pk))
        rows.append(timeline.build("account.status_changed", account_id=account.pk, actor=actor,
                                   why=f"DLQ: unpaid statement; case #{case.pk} ({policy.name})",
                                   **{"from": AccountStatus.ACTIVE, "to": AccountStatus.DELINQUENT}))
    timeline.bulk_record(rows)
    for account, policy, *_ in chunk:
        account.status = AccountStatus.DELINQUENT
        hooks.publish(hooks.STATUS_CHANGED, account=account, previous=AccountStatus.ACTIVE,
                      to=AccountStatus.DELINQUENT, actor=_actor(policy, "open"))
    return len(chunk)


# ------------------------------------------------------------------ steps
def plan(cases: list[Case], as_of: dt.date) -> dict[int, list]:
    """Per case, the steps due by `as_of` with their skip reason, worked out in memory
    from three queries (steps done, balances, active arrangements)."""
    cal = ispconfig.current().calendar
    done: dict[int, dict] = {}
    for case_id, step, on in CaseStep.objects.filter(case_id__in=[c.pk for c in cases]).values_list(
            "case_id", "step", "on"):
        done.setdefault(case_id, {})[step] = on
    totals = balances(account_ids=[c.account_id for c in cases])
    arranged = set(Arrangement.objects.filter(case_id__in=[c.pk for c in cases], status=ArrangementStatus.ACTIVE)
                   .values_list("case_id", flat=True))
    result = {}
    for case in cases:
        policy = get_policy(case.policy_name, case.policy_version)
        facts_done = dict(done.get(case.pk, {}))
        resume = case.resume_on
        paid = (totals.get(case.account_id) or ZERO) <= ZERO
        steps = []
        while True:
            nxt = next_step(policy, CaseFacts(case.d, facts_done, resume), cal)
            if nxt is None or nxt.on > as_of:
                break
            reason = skip_reason(nxt.step, paid=paid, arrangement=case.pk in arranged,
                                 contact=case.contacted, forced=nxt.forced)
            steps.append((nxt, reason))
            facts_done[nxt.step.name] = as_of
            resume = None
            if not reason and any(name == "cancel" for name, _ in nxt.step.actions):
                break
        result[case.pk] = (policy, steps, facts_done)
    return result


def bulk_ok(steps) -> bool:
    return all(
        not nxt.forced and (reason or all(name in BULK_ACTIONS for name, _ in nxt.step.actions))
        for nxt, reason in steps
    )


def _render(template: str, context: dict) -> tuple[str, str]:
    from lastmile.comms.services import _render as render

    return render(template, context)


def advance_chunk(cases: list[Case], plans: dict, as_of: dt.date) -> int:
    from .services import _describe, _fmt_day

    settings = ispconfig.current()
    cal = settings.calendar
    now = clock.now()
    account_ids = [c.account_id for c in cases]
    accounts = {a["pk"]: a for a in Account.objects.filter(pk__in=account_ids).values("pk", "number", "name")}
    phones: dict[int, list[str]] = {}
    for account_id, number in Phone.objects.filter(account_id__in=account_ids).order_by(
            "account_id", "position", "id").values_list("account_id", "number"):
        phones.setdefault(account_id, []).append(number)
    emails: dict[int, list[str]] = {}
    for account_id, address in Email.objects.filter(account_id__in=account_ids).order_by(
            "account_id", "position", "id").values_list("account_id", "address"):
        emails.setdefault(account_id, []).append(address)

    # tickets first: their ids go into the timeline and the notes
    group, category, ticket_type, assignee = ROUTING[TicketKind.DELINQUENCY]
    new_tickets = {}
    for case in cases:
        policy, steps, _ = plans[case.pk]
        for nxt, reason in steps:
            if not reason and any(n == "ticket" for n, _ in nxt.step.actions) and case.ticket_id is None \
                    and case.pk not in new_tickets:
                account = accounts[case.account_id]
                arg = next(a for n, a in nxt.step.actions if n == "ticket") or {}
                new_tickets[case.pk] = Ticket(
                    account_id=case.account_id, kind=TicketKind.DELINQUENCY,
                    subject=(arg.get("subject") or f"Delinquent account {account['number']} ({account['name']})")[:200],
                    assignee=assignee, group=group, category=category, ticket_type=ticket_type,
                    opened_on=now.date(), opened_at=now, key=f"delinquency:{case.pk}",
                )
    Ticket.objects.bulk_create(list(new_tickets.values()))
    for case_pk, ticket in new_tickets.items():
        next(c for c in cases if c.pk == case_pk).ticket_id = ticket.pk

    step_rows, rows, notes, tasks, outbox = [], [], [], [], []

    def email(case, policy, step_name, template, actor):
        to = emails.get(case.account_id, [])
        if not to:
            return
        remaining = dict(projected(policy, CaseFacts(case.d, plans[case.pk][2], None), cal))
        shutoff_on = cancel_on = None
        for s in policy.steps:
            names = {n for n, _ in s.actions}
            if s.name in remaining:
                if shutoff_on is None and names & {"shut_off", "status"}:
                    shutoff_on = remaining[s.name]
                if cancel_on is None and "cancel" in names:
                    cancel_on = remaining[s.name]
        ctx = {"isp_name": settings.isp_name, "isp_phone": settings.isp_phone, "today": as_of,
               "account": accounts[case.account_id], "case": case,
               "shutoff_on": _fmt_day(shutoff_on), "cancel_on": _fmt_day(cancel_on)}
        subject, body = _render(template, ctx)
        outbox.append(OutboxMessage(account_id=case.account_id, template=template, to=to, cc=[],
                                    subject=subject[:300], body=body, created_at=now,
                                    key=f"dlq:{case.pk}:{step_name}:{template}"))
        rows.append(timeline.build("email.sent", account_id=case.account_id, actor=actor,
                                   why=f"DLQ-1 {policy.name} step {step_name}", to=", ".join(to),
                                   template=template, subject=subject))

    for case in cases:
        policy, steps, _ = plans[case.pk]
        for nxt, reason in steps:
            step = nxt.step
            actor = _actor(policy, step.name)
            step_rows.append(CaseStep(case_id=case.pk, step=step.name, position=nxt.index, on=as_of,
                                      outcome=StepOutcome.SKIPPED if reason else StepOutcome.RAN,
                                      reason=reason or "", at=now))
            rows.append(timeline.build(
                "delinquency.step", account_id=case.account_id, actor=actor,
                why=f"DLQ-1 {policy.name} v{policy.version}", step=step.name,
                outcome="skipped" if reason else "ran", **({"skipped_because": reason} if reason else {})))
            if reason:
                if case.ticket_id:
                    notes.append(TicketNote(ticket_id=case.ticket_id, author=actor, written_at=now,
                                            body=f"Step {step.name} skipped: {reason}."))
                continue
            for name, arg in step.actions:
                if name == "ticket":
                    ticket = new_tickets.get(case.pk)
                    if ticket is None:
                        continue
                    notes.append(TicketNote(
                        ticket_id=ticket.pk, author=actor, written_at=now,
                        body=(f"Delinquency case #{case.pk} under policy {policy.name} v{policy.version}; "
                              f"D = {case.d}. Step {step.name}: {_describe(step)}.")))
                    rows.append(timeline.build(
                        "ticket.opened", account_id=case.account_id, actor=actor,
                        why=f"DLQ-1 {policy.name} step {step.name}", kind=ticket.kind, group=ticket.group,
                        category=ticket.category, ticket_type=ticket.ticket_type, assignee=ticket.assignee,
                        ticket=ticket.pk, subject=ticket.subject))
                elif name == "note":
                    if case.ticket_id:
                        notes.append(TicketNote(ticket_id=case.ticket_id, author=actor, written_at=now,
                                                body=f"Step {step.name}: {arg}"))
                elif name == "email":
                    email(case, policy, step.name, arg, actor)
                elif name == "call_tasks":
                    purpose = (arg or {}).get("purpose") or f"Delinquent account: {step.name}"
                    batch = f"dlq:{case.pk}:{step.name}"
                    numbers = phones.get(case.account_id, [])
                    for phone in numbers:
                        tasks.append(CallTask(account_id=case.account_id, phone=phone, purpose=purpose[:300],
                                              batch=batch, key=f"{batch}:{phone}", created_on=now.date(),
                                              created_at=now))
                        rows.append(timeline.build("call_task.created", account_id=case.account_id,
                                                   actor=actor, phone=phone, purpose=purpose))
                    if not numbers and (arg or {}).get("on_unanswered_email"):
                        email(case, policy, step.name, arg["on_unanswered_email"], actor)
            if case.ticket_id and not any(n in ("ticket", "note") for n, _ in step.actions):
                notes.append(TicketNote(ticket_id=case.ticket_id, author=actor, written_at=now,
                                        body=f"Step {step.name} done: {_describe(step)}."))
        nxt = next_step(policy, CaseFacts(case.d, plans[case.pk][2], None), cal)
        case.next_due_on = nxt.on if nxt else None

    CaseStep.objects.bulk_create(step_rows)
    OutboxMessage.objects.bulk_create(outbox)
    CallTask.objects.bulk_create(tasks)
    TicketNote.objects.bulk_create(notes)
    timeline.bulk_record(rows)
    Case.objects.bulk_update(cases, ["next_due_on", "ticket_id"])
    return len(step_rows)


def due_cases(as_of: dt.date, account_ids=None):
    qs = Case.objects.filter(status=CaseStatus.OPEN, paused=False, next_due_on__lte=as_of)
    if account_ids is not None:
        qs = qs.filter(account_id__in=account_ids)
    return qs
