"""Delinquency cases (DLQ-1 .. DLQ-3, DLQ-5): opening, running policy steps and the
hooks that close or mark a case.

Every automatic action has a natural key (case + step) backed by a unique
constraint, so a day run done twice, or on two workers, does each thing once."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction

from lastmile.accounts.models import Account
from lastmile.accounts.selectors import phone_numbers
from lastmile.accounts.services import account_status_set
from lastmile.billing.selectors import balance
from lastmile.core import bulk as core_bulk
from lastmile.core import calendar as cal_mod
from lastmile.core import clock, hooks, ispconfig, timeline
from lastmile.core.choices import AccountStatus, Network
from lastmile.core.models import ScheduledEvent
from lastmile.core.money import ZERO
from lastmile.core.scheduling import event_schedule, scheduled_action, scheduled_action_batch
from lastmile.tickets.choices import TicketKind
from lastmile.tickets.services import (
    call_tasks_create,
    ticket_open,
)

from .. import selectors
from ..models import (
    Case,
    CaseOutcome,
    CaseStatus,
    CaseStep,
    StepOutcome,
)
from ..policy import get_policy
from ..schedule import CaseFacts, Policy, delinquency_day, next_step
from .arrangements import _arrangement_progress
from .common import (
    _REASONS,
    DISCONNECT_ACTION,
    DISCONNECTED,
    NO_DISCONNECT,
    _actor,
    _calendar,
    _case_close,
    _close_ticket,
    _contact,
    _d_day,
    _describe,
    _email,
    _end_call_tasks,
    _note,
    _save,
    disconnect_key,
    disconnect_reason,
    policy_for_network,
    policy_of,
    shut_off_key,
)
from .fees import _charge_fee


# --------------------------------------------------------------------------- opening
def _d_networks(as_of: dt.date) -> list[str]:
    """The networks whose delinquency day (D) is `as_of`."""
    networks = []
    for network, ref in ispconfig.current().policies.items():
        if as_of == cal_mod.month_day(as_of.year, as_of.month, _d_day(get_policy(ref))):
            networks.append(network)
    return networks


def _graces_end(as_of: dt.date) -> bool:
    return core_bulk.exists(f"SELECT 1 FROM {core_bulk.table(Case)} WHERE grace_until = %s LIMIT 1",
                            [core_bulk.db_date(as_of, Case)])


def steps_due(as_of: dt.date) -> bool:
    """Any open, unpaused case with a step due by `as_of` (raw, indexed)."""
    return core_bulk.exists(
        f"SELECT 1 FROM {core_bulk.table(Case)} WHERE status = %s AND paused = %s AND next_due_on <= %s LIMIT 1",
        [CaseStatus.OPEN, False, core_bulk.db_date(as_of, Case)],
    )


def openings_due(as_of: dt.date) -> bool:
    """A network's D, or a claim grace ending (DLQ-6): cases may open today."""
    return bool(_d_networks(as_of)) or _graces_end(as_of)


def cases_open(*, as_of: dt.date, account_ids=None) -> int:
    """Open a case for every active account that owes on a due statement on its D.

    Set-based: on a network's delinquency day, one query selects the owing active
    accounts; on other days only accounts whose claim grace ends today (DLQ-6) are
    looked at. D is the delinquency day of the month of the oldest unpaid due
    statement, not rolled; a case that opens later (after a grace) has D = today.
    """
    networks = _d_networks(as_of)
    # issue 14: most days are neither a D nor a grace's end; a raw probe says so
    # without compiling the ORM query (365 times in a simulated year)
    grace_ended = list(
        Case.objects.filter(grace_until=as_of).values_list("account_id", flat=True)
    ) if _graces_end(as_of) else []
    if not networks and not grace_ended:
        return 0
    rows = selectors.owing_candidates(as_of=as_of, networks=networks, extra_account_ids=grace_ended,
                                      account_ids=account_ids)
    if not rows:
        return 0
    exact = selectors.oldest_unpaid_due(account_ids=rows, as_of=as_of)
    # the fields the opening and its subscribers read (issue 14: 10,000 whole accounts
    # were a tenth of a delinquency day); any other is loaded when it is asked for
    accounts = {a.pk: a for a in Account.objects.filter(pk__among=core_bulk.Ids(exact)).only(
        "id", "number", "name", "network", "status", "package_id", "sms_opt_out").order_by("pk")}
    policies: dict[str, Policy] = {}
    rows = []
    for pk, account in accounts.items():
        due_on, owed = exact[pk]
        policy = policies.get(account.network) or policy_for_network(account.network)
        policies[account.network] = policy
        d = delinquency_day(due_on, _d_day(policy))
        if d > as_of:
            continue  # not delinquent yet: its D comes later this month
        rows.append((account, policy, d if d == as_of else as_of, owed))
    from ..bulk import open_many

    return open_many(rows=rows, as_of=as_of)


@transaction.atomic
def case_open(*, account: Account, policy: Policy, d: dt.date, owed: Decimal, as_of: dt.date) -> Case:
    """Open the case: `delinquency.opened` (policy, version), then the status moves
    active -> delinquent (the billing system's mark on D)."""
    actor = _actor(f"{policy.name} open")
    case = Case(account=account, policy_name=policy.name, policy_version=policy.version, d=d,
                opened_on=as_of, contact_since=as_of)
    case.next_due_on = next_step(policy, CaseFacts(d), _calendar()).on if policy.steps else None
    case.save()
    timeline.record("delinquency.opened", account=account, actor=actor,
                    why=f"owes {owed} on statements already due", policy=policy.name,
                    version=policy.version, d=d, owed=owed, case=case.pk)
    account_status_set(account=account, to=AccountStatus.DELINQUENT, actor=actor,
                       reason=f"DLQ: unpaid statement; case #{case.pk} ({policy.name})")
    return case


# --------------------------------------------------------------------------- steps
def steps_run(*, as_of: dt.date, account_ids=None) -> tuple[int, list[Account]]:
    """Run every step due by `as_of` of open, unpaused cases (indexed on next_due_on).

    A chunk of due cases is planned in memory; cases whose steps only write records
    (ticket, notes, emails, call tasks) are written in bulk, the others (shut-offs,
    status changes, cancellations, resumes) case by case through the services.
    """
    from .. import bulk

    if not steps_due(as_of):
        return 0, []  # no step due anywhere (issue 14: the quiet-day guard)
    ids = list(bulk.due_cases(as_of, account_ids).order_by("pk").values_list("pk", flat=True))
    ran = 0
    cancelled: list[Account] = []
    for i in range(0, len(ids), bulk.CHUNK):
        cases = list(Case.objects.filter(pk__among=core_bulk.Ids(ids[i:i + bulk.CHUNK])).order_by("pk"))
        plans = bulk.plan(cases, as_of)
        ready = bulk.shut_off_ready(cases, plans)
        statuses_ready = bulk.status_ready(cases, plans)
        # runs of consecutive cases, so the timeline keeps the order of the cases
        runs: list[tuple[bool, list[Case]]] = []
        for case in cases:
            fast = bool(plans[case.pk][1]) and bulk.bulk_ok(plans[case.pk][1], case.pk in ready,
                                                              case.pk in statuses_ready)
            if runs and runs[-1][0] == fast:
                runs[-1][1].append(case)
            else:
                runs.append((fast, [case]))
        for fast, run in runs:
            if fast:
                try:
                    with transaction.atomic():
                        ran += bulk.advance_chunk(run, plans, as_of)
                        _end_passed_steps(run, plans)
                    continue
                except IntegrityError as exc:  # someone else ran part of it: case by case
                    bulk.log.warning("delinquency steps: %d cases done case by case (%s)", len(run), exc)
            for case in run:
                with transaction.atomic():
                    ran += _case_advance(case.pk, as_of, cancelled, planned=plans[case.pk])
    return ran, cancelled


def _end_passed_steps(run: list[Case], plans) -> None:
    """DLQ-3, bulk path: the calls of steps a case moved past end as not needed (one
    update for the chunk; the tasks of the step that just ran stay)."""
    from lastmile.tickets.choices import TaskStatus
    from lastmile.tickets.models import CallTask

    keep = {}
    for case in run:
        ran_steps = [n.step.name for n, reason in plans[case.pk][1] if not reason]
        if ran_steps:
            keep[case.pk] = f"dlq:{case.pk}:{ran_steps[-1]}"
    if not keep:
        return
    ends = []
    for pk, batch in CallTask.objects.filter(account_id__among=core_bulk.Ids(c.account_id for c in run if c.pk in keep),
                                             status=TaskStatus.OPEN, batch__startswith="dlq:").values_list("pk", "batch"):
        case_pk = int(batch.split(":")[1]) if batch.count(":") >= 2 and batch.split(":")[1].isdigit() else None
        if case_pk in keep and batch != keep[case_pk]:
            ends.append(pk)
    if ends:
        CallTask.objects.filter(pk__among=core_bulk.Ids(ends)).update(status=TaskStatus.NOT_NEEDED)


def _case_advance(pk: int, as_of: dt.date, cancelled: list, planned=None) -> int:
    """Run the due steps of one case. `planned` (policy, steps, done) comes from
    bulk.plan, worked out moments before in the same chunk; without it the case
    is planned here."""
    from .. import bulk

    case = Case.objects.select_for_update().select_related("account").get(pk=pk)
    if case.status != CaseStatus.OPEN or case.paused:
        return 0
    policy, steps, done = planned or bulk.plan([case], as_of)[case.pk]
    ran = 0
    for nxt, reason in steps:
        account = case.account
        actor = _actor(f"{policy.name} {nxt.step.name}")
        try:
            with transaction.atomic():
                CaseStep.objects.create(
                    case=case, step=nxt.step.name, position=nxt.index, on=as_of,
                    outcome=StepOutcome.SKIPPED if reason else StepOutcome.RAN,
                    reason=reason or "", forced=nxt.forced, at=clock.now(),
                )
        except IntegrityError:
            return ran  # another worker ran this step: it carries on from here
        if nxt.forced:
            case.resume_on = None
            _save(case, "resume_on")
        timeline.record(
            "delinquency.step", account=account, actor=actor,
            why=f"DLQ-1 {policy.name} v{policy.version}", step=nxt.step.name,
            outcome="skipped" if reason else "ran", **({"skipped_because": reason} if reason else {}),
            **({"resumed": True} if nxt.forced else {}),
        )
        ran += 1
        if reason:
            _note(case, f"Step {nxt.step.name} skipped: {_REASONS[reason]}.", actor)
            continue
        _end_call_tasks(case, f"step {nxt.step.name} runs", keep_batch=f"dlq:{case.pk}:{nxt.step.name}")
        for name, arg in nxt.step.actions:
            _ACTIONS[name](case=case, policy=policy, step=nxt.step, arg=arg, actor=actor,
                           as_of=as_of, cancelled=cancelled)
            if name == "cancel":
                case.refresh_from_db()
        if case.status != CaseStatus.OPEN:
            return ran
        if not any(n in ("ticket", "note") for n, _ in nxt.step.actions):
            _note(case, f"Step {nxt.step.name} done: {_describe(nxt.step)}.", actor)
    nxt = next_step(policy, CaseFacts(case.d, done, None), _calendar())
    case.next_due_on = nxt.on if nxt else None
    _save(case, "next_due_on")
    return ran


def _act_ticket(*, case, policy, step, arg, actor, as_of, cancelled):
    account = case.account
    subject = (arg or {}).get("subject") or f"Delinquent account {account.number} ({account.name})"
    ticket = ticket_open(
        account=account, kind=TicketKind.DELINQUENCY, subject=subject, actor=actor,
        key=f"delinquency:{case.pk}",
        notes=(f"Delinquency case #{case.pk} under policy {policy.name} v{policy.version}; D = {case.d}. "
               f"Step {step.name}: {_describe(step)}."),
        reason=f"DLQ-1 {policy.name} step {step.name}",
    )
    case.ticket_id = ticket.pk
    _save(case, "ticket_id")


def _act_note(*, case, policy, step, arg, actor, as_of, cancelled):
    _note(case, f"Step {step.name}: {arg}", actor)


def _act_email(*, case, policy, step, arg, actor, as_of, cancelled):
    _email(case, policy, step.name, arg, actor)


def _act_call_tasks(*, case, policy, step, arg, actor, as_of, cancelled):
    """DLQ-3: one task per phone number; unanswered -> the step's email (see below)."""
    account = case.account
    phones = phone_numbers(account=account)
    purpose = (arg or {}).get("purpose") or f"Delinquent account: {step.name}"
    template = (arg or {}).get("on_unanswered_email")
    if phones:
        from lastmile.comms.services import allowed_at

        call_tasks_create(account=account, phones=phones, purpose=purpose,  # NOT-1: not in quiet hours
                          batch=f"dlq:{case.pk}:{step.name}", actor=actor, call_from=allowed_at())
    elif template:
        _email(case, policy, step.name, template, actor)  # nobody to call: write at once


def _shut_off(case: Case, operation: str, actor, step_name: str) -> None:
    from lastmile.network.services import service_shut_off

    service_shut_off(account=case.account, operation=operation, actor=actor,
                     key=shut_off_key(case.pk, step_name), why="shut off for non payment")
    case.shut_off = True
    _save(case, "shut_off")
    _charge_fee(case, actor)


def _act_shut_off(*, case, policy, step, arg, actor, as_of, cancelled):
    operation = arg or ("suspend" if case.account.network == Network.UTOPIA else "disconnect")
    _shut_off(case, operation, actor, step.name)


def _act_status(*, case, policy, step, arg, actor, as_of, cancelled):
    account_status_set(account=case.account, to=arg, actor=actor,
                       reason=f"DLQ-1 {policy.name} step {step.name}")


def _act_schedule(*, case, policy, step, arg, actor, as_of, cancelled):
    run_on = cal_mod.add_business_days(as_of, arg["business_days_after"], _calendar())
    event_schedule(account=case.account, action=DISCONNECT_ACTION, run_on=run_on, actor=actor,
                   key=disconnect_key(case.pk), payload={"case": case.pk, "step": step.name},
                   reason=disconnect_reason(policy, step.name))


def _act_cancel(*, case, policy, step, arg, actor, as_of, cancelled):
    """Seed 002 (2021): cancelled on the last business day; the NOC gets one batch
    email for the day (sent by the day run once every case has run)."""
    account_status_set(account=case.account, to=AccountStatus.CANCELLED, actor=actor,
                       reason=f"DLQ-1 {policy.name} step {step.name}: no payment and no contact")
    case.refresh_from_db()
    if case.status == CaseStatus.OPEN:  # the status hook closes it; be sure
        _case_close(case, CaseOutcome.CANCELLED, actor)
    cancelled.append(case.account)


_ACTIONS = {
    "ticket": _act_ticket, "note": _act_note, "email": _act_email, "call_tasks": _act_call_tasks,
    "shut_off": _act_shut_off, "status": _act_status, "schedule": _act_schedule, "cancel": _act_cancel,
}


@scheduled_action(DISCONNECT_ACTION)
def _disconnect(*, event: ScheduledEvent, actor) -> str:
    """Wireless `deactivate` + 1 business day: the disconnect, then the fee (DLQ-5)."""
    case = Case.objects.select_for_update().filter(pk=(event.payload or {}).get("case")).first()
    if case is None or case.status != CaseStatus.OPEN or case.paused:
        return NO_DISCONNECT
    _shut_off(case, "disconnect", _actor("disconnect"), (event.payload or {}).get("step", "disconnect"))
    return DISCONNECTED


@scheduled_action_batch(DISCONNECT_ACTION)
def _disconnect_batch(*, events: list[ScheduledEvent], actor) -> dict[int, str]:
    """The day's disconnects together (issue 14), each as `_disconnect` does it."""
    from ..bulk import disconnect_many

    return disconnect_many(events=events)


def unanswered_email(*, batch: str, account, actor) -> None:
    """DLQ-3: every call of a step had an outcome and none reached the customer:
    the step's email goes out at once."""
    try:
        _, case_pk, step_name = batch.split(":", 2)
        case = Case.objects.get(pk=int(case_pk))
    except (ValueError, Case.DoesNotExist):
        return
    if case.status != CaseStatus.OPEN:
        return
    policy = policy_of(case)
    try:
        step = policy.step(step_name)
    except KeyError:
        return
    for name, arg in step.actions:
        if name == "call_tasks" and (arg or {}).get("on_unanswered_email"):
            template = arg["on_unanswered_email"]
            _email(case, policy, step.name, template, actor)
            _note(case, f"No call of step {step.name} reached the customer; email {template} sent.", actor)


def _on_balance_reduced(*, account, actor, **_):
    """Paying the whole balance, fees included, closes the case (outcome paid)."""
    if not selectors.has_open_case(account_id=account.pk):
        return
    case = selectors.open_case(account=account, lock=True)
    if case is None:
        return
    if balance(account=account) <= ZERO:
        case.account = account
        _case_close(case, CaseOutcome.PAID, actor, reinstate=True)


def _on_contacted(*, account, how, actor, **_):
    """DLQ-2: the customer was reached (answered, called in, set up autopay)."""
    if not selectors.has_open_case(account_id=account.pk):
        return
    case = selectors.open_case(account=account, lock=True)
    if case is not None:
        _contact(case, how)


def _on_payment(*, account, entry, actor, **_):
    """DLQ-2: a payment is contact; DLQ-4: it may meet the arrangement's last
    installment; and, as any reduction of the balance, paying it all closes the case
    (core.hooks: PAYMENT_POSTED carries the reduction, so one check of the case)."""
    if not selectors.has_open_case(account_id=account.pk):
        return
    case = selectors.open_case(account=account, lock=True)
    if case is None:
        return
    case.account = account
    _contact(case, "payment")
    arrangement = selectors.active_arrangement(case=case)
    if arrangement is not None:
        _arrangement_progress(arrangement, case, actor)
    _on_balance_reduced(account=account, actor=actor)


def _on_status_changed(*, account, previous, to, actor, **_):
    """Cancellations set uninstall/cancelled: the open case closes (outcome cancelled)."""
    if to not in (AccountStatus.UNINSTALL, AccountStatus.CANCELLED):
        return
    case = selectors.open_case(account=account, lock=True)
    if case is not None:
        case.account = account
        _case_close(case, CaseOutcome.CANCELLED, actor)


def _on_service_restored(*, account, actor, **_):
    """DLQ-7: the NOC confirmed and the portal is back: close the case's ticket."""
    case = selectors.latest_case(account=account)
    if case is None:
        return
    if case.status == CaseStatus.CLOSED:
        _close_ticket(case, actor, "Service reinstated: NOC confirmed, VLAN checked, portal enabled.")
    else:
        _note(case, "Service reinstated under the payment arrangement.", actor)


def subscribe_hooks() -> None:
    hooks.subscribe(hooks.BALANCE_REDUCED, _on_balance_reduced)
    hooks.subscribe(hooks.PAYMENT_POSTED, _on_payment)
    hooks.subscribe(hooks.CUSTOMER_CONTACTED, _on_contacted)
    hooks.subscribe(hooks.STATUS_CHANGED, _on_status_changed)
    hooks.subscribe(getattr(hooks, "SERVICE_RESTORED", "service_restored"), _on_service_restored)
    from lastmile.tickets.services import on_batch_unanswered

    on_batch_unanswered("dlq:")(unanswered_email)

