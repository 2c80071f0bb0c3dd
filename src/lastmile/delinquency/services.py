"""Delinquency automation (DLQ-1 .. DLQ-8): opening cases, running policy steps,
arrangements, "where is my payment?", fee waivers, closing and reinstatement.

Every automatic action has a natural key (case + step) backed by a unique
constraint, so a day run done twice, or on two workers, does each thing once.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction

from lastmile.accounts.models import Account
from lastmile.accounts.selectors import email_addresses, phone_numbers
from lastmile.accounts.services import account_status_set
from lastmile.billing.choices import ChargeKind, EntryType
from lastmile.billing.models import LedgerEntry
from lastmile.billing.selectors import balance
from lastmile.billing.services import charge_post, entry_void
from lastmile.core import calendar as cal_mod
from lastmile.core import clock, hooks, ispconfig, timeline
from lastmile.core.actors import Actor, automation
from lastmile.core.choices import AccountStatus, Network
from lastmile.core.errors import InvalidInput, PermissionRefused, RuleRefusal
from lastmile.core.models import ScheduledEvent, ScheduledEventStatus
from lastmile.core.money import ZERO, MoneyError, money
from lastmile.core.scheduling import event_cancel, event_schedule, scheduled_action
from lastmile.tickets.choices import TicketKind, TicketStatus
from lastmile.tickets.models import Ticket
from lastmile.tickets.services import (
    call_tasks_cancel,
    call_tasks_create,
    ticket_close,
    ticket_note_add,
    ticket_open,
)

from . import selectors
from .models import (
    Arrangement,
    ArrangementStatus,
    Case,
    CaseOutcome,
    CaseStatus,
    CaseStep,
    StepOutcome,
)
from .policy import get_policy
from .schedule import CaseFacts, Policy, Step, delinquency_day, next_step, projected

DISCONNECT_ACTION = "disconnect"  # DLQ-1 wireless: "a disconnect scheduled for the next business day"


def _actor(what: str) -> Actor:
    return automation(f"delinquency {what}")


def _calendar():
    return ispconfig.current().calendar


def policy_for_network(network: str) -> Policy:
    """DLQ-1: the policy chosen for a network (ISP settings, or a scenario's)."""
    refs = ispconfig.current().policies
    if network not in refs:
        raise LookupError(f"no delinquency policy is configured for the {network} network")
    return get_policy(refs[network])


def policy_of(case: Case) -> Policy:
    return get_policy(case.policy_name, case.policy_version)


def _d_day(policy: Policy) -> int:
    return policy.delinquency_day or ispconfig.current().delinquency_day


def _facts(case: Case) -> CaseFacts:
    done = dict(CaseStep.objects.filter(case=case).values_list("step", "on"))
    return CaseFacts(case.d, done, case.resume_on)


def _next_due(case: Case, policy: Policy | None = None) -> dt.date | None:
    if case.status != CaseStatus.OPEN or case.paused:
        return None
    nxt = next_step(policy or policy_of(case), _facts(case), _calendar())
    return nxt.on if nxt else None


def _save(case: Case, *fields: str) -> None:
    case.save(update_fields=list(fields))


def _ticket(case: Case) -> Ticket | None:
    if case.ticket_id is None:
        return None
    return Ticket.objects.filter(pk=case.ticket_id).first()


def _note(case: Case, body: str, actor) -> None:
    """TKT-1: every automatic step writes what it did into the case's ticket."""
    if case.ticket_id is not None:
        ticket_note_add(ticket=Ticket(pk=case.ticket_id), body=body, actor=actor)


# --------------------------------------------------------------------------- opening
def cases_open(*, as_of: dt.date, account_ids=None) -> int:
    """Open a case for every active account that owes on a due statement on its D.

    Set-based: on a network's delinquency day, one query selects the owing active
    accounts; on other days only accounts whose claim grace ends today (DLQ-6) are
    looked at. D is the delinquency day of the month of the oldest unpaid due
    statement, not rolled; a case that opens later (after a grace) has D = today.
    """
    settings = ispconfig.current()
    networks = []
    for network, ref in settings.policies.items():
        policy = get_policy(ref)
        day = _d_day(policy)
        if as_of == cal_mod.month_day(as_of.year, as_of.month, day):
            networks.append(network)
    grace_ended = list(
        Case.objects.filter(grace_until=as_of).values_list("account_id", flat=True)
    )
    if not networks and not grace_ended:
        return 0
    rows = list(
        selectors.owing_candidates(as_of=as_of, networks=networks, extra_account_ids=grace_ended,
                                   account_ids=account_ids).values_list("pk", flat=True)
    )
    if not rows:
        return 0
    exact = selectors.oldest_unpaid_due(account_ids=rows, as_of=as_of)
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=list(exact)).order_by("pk")}
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
    from .bulk import open_many

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
    from . import bulk

    ids = list(bulk.due_cases(as_of, account_ids).order_by("pk").values_list("pk", flat=True))
    ran = 0
    cancelled: list[Account] = []
    for i in range(0, len(ids), bulk.CHUNK):
        cases = list(Case.objects.filter(pk__in=ids[i:i + bulk.CHUNK]).order_by("pk"))
        plans = bulk.plan(cases, as_of)
        ready = bulk.shut_off_ready(cases, plans)
        # runs of consecutive cases, so the timeline keeps the order of the cases
        runs: list[tuple[bool, list[Case]]] = []
        for case in cases:
            fast = bool(plans[case.pk][1]) and bulk.bulk_ok(plans[case.pk][1], case.pk in ready)
            if runs and runs[-1][0] == fast:
                runs[-1][1].append(case)
            else:
                runs.append((fast, [case]))
        for fast, run in runs:
            if fast:
                try:
                    with transaction.atomic():
                        ran += bulk.advance_chunk(run, plans, as_of)
                    continue
                except IntegrityError as exc:  # someone else ran part of it: case by case
                    bulk.log.warning("delinquency steps: %d cases done case by case (%s)", len(run), exc)
            for case in run:
                with transaction.atomic():
                    ran += _case_advance(case.pk, as_of, cancelled, planned=plans[case.pk])
    return ran, cancelled


def _case_advance(pk: int, as_of: dt.date, cancelled: list, planned=None) -> int:
    """Run the due steps of one case. `planned` (policy, steps, done) comes from
    bulk.plan, worked out moments before in the same chunk; without it the case
    is planned here."""
    from . import bulk

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


_REASONS = {
    "paid": "the balance is paid",
    "arrangement": "an approved payment arrangement is active",
    "contact": "the customer was reached",
}


def _describe(step: Step) -> str:
    parts = []
    for name, arg in step.actions:
        if name == "email":
            parts.append(f"email {arg} sent")
        elif name == "call_tasks":
            parts.append("call tasks created for every phone number")
        elif name == "shut_off":
            parts.append(f"service shut off ({arg or 'by network'}), reactivation fee charged")
        elif name == "status":
            parts.append(f"status set to {arg}")
        elif name == "schedule":
            parts.append(f"{arg['action']} scheduled {arg['business_days_after']} business day(s) later")
        elif name == "cancel":
            parts.append("account cancelled")
    return "; ".join(parts) or "done"


def _fmt_day(day: dt.date | None) -> str:
    return f"{day:%A, %B} {day.day}, {day.year}" if day else ""


def _email_context(case: Case, policy: Policy) -> dict:
    """When service will be shut off and when the account will be cancelled, by the
    policy's remaining steps (so the customer is told the real dates)."""
    shutoff_on = cancel_on = None
    try:
        remaining = dict(projected(policy, _facts(case), _calendar()))
    except ValueError:
        remaining = {}
    for step in policy.steps:
        names = {n for n, _ in step.actions}
        if step.name in remaining:
            if shutoff_on is None and names & {"shut_off", "status"}:
                shutoff_on = remaining[step.name]
            if cancel_on is None and "cancel" in names:
                cancel_on = remaining[step.name]
    return {"shutoff_on": _fmt_day(shutoff_on), "cancel_on": _fmt_day(cancel_on), "case": case}


def _email(case: Case, policy: Policy, step_name: str, template: str, actor) -> None:
    from lastmile.comms.services import email_send

    email_send(template=template, to=email_addresses(account=case.account), account=case.account,
               actor=actor, context=_email_context(case, policy), key=f"dlq:{case.pk}:{step_name}:{template}",
               reason=f"DLQ-1 {policy.name} step {step_name}")


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
        call_tasks_create(account=account, phones=phones, purpose=purpose,
                          batch=f"dlq:{case.pk}:{step.name}", actor=actor)
    elif template:
        _email(case, policy, step.name, template, actor)  # nobody to call: write at once


def _charge_fee(case: Case, actor) -> None:
    """DLQ-5: the reactivation fee, once per case."""
    fee = ispconfig.current().reactivation_fee
    if fee > ZERO:
        charge_post(account=case.account, kind=ChargeKind.REACTIVATION_FEE, amount=fee, actor=actor,
                    key=f"reactivation:{case.pk}", description="reactivation fee (shut off for non-payment)",
                    reason="DLQ-5: service shut off for non-payment")


def _shut_off(case: Case, operation: str, actor, step_name: str) -> None:
    from lastmile.network.services import service_shut_off

    service_shut_off(account=case.account, operation=operation, actor=actor,
                     key=f"dlq-shutoff:{case.pk}:{step_name}", why="shut off for non payment")
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
                   key=f"dlq-disconnect:{case.pk}", payload={"case": case.pk, "step": step.name},
                   reason=f"DLQ-1 {policy.name} step {step.name}: disconnect on the next business day")


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
        return "the case is closed or paused; no disconnect"
    _shut_off(case, "disconnect", _actor("disconnect"), (event.payload or {}).get("step", "disconnect"))
    return "disconnected"


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


# --------------------------------------------------------------------------- closing
def _cancel_pending_disconnect(case: Case, actor, why: str) -> None:
    for event in ScheduledEvent.objects.filter(key=f"dlq-disconnect:{case.pk}", status=ScheduledEventStatus.PENDING):
        event_cancel(event=event, actor=actor, reason=why)


def _close_ticket(case: Case, actor, note: str) -> None:
    ticket = _ticket(case)
    if ticket is not None and ticket.status == TicketStatus.OPEN:
        ticket_close(ticket=ticket, actor=actor, note=note, reason="DLQ: case closed")


def _reinstate(case: Case, actor, why: str) -> None:
    """DLQ-7: shut off -> the network's restore (the ticket closes when it is
    confirmed); only delinquent (or deactivated, not yet disconnected) -> active now."""
    from lastmile.network.services import service_restore

    account = case.account
    _cancel_pending_disconnect(case, actor, why)
    if case.shut_off:
        case.shut_off = False
        _save(case, "shut_off")
        request = service_restore(account=account, actor=actor, key=f"dlq-restore:{case.pk}:{clock.now():%Y%m%d%H%M%S}",
                                  why=why)
        if request is not None:
            return
    account.refresh_from_db(fields=["status"])
    if account.status in (AccountStatus.DELINQUENT, AccountStatus.NOT_ACTIVE, AccountStatus.SUSPENDED):
        account_status_set(account=account, to=AccountStatus.ACTIVE, actor=actor, reason=why)
    if case.status == CaseStatus.CLOSED:
        _close_ticket(case, actor, f"Case closed ({case.outcome}); the account is active.")


def _case_close(case: Case, outcome: str, actor, *, reinstate: bool = False, grace_until=None) -> None:
    today = clock.today()
    case.status, case.outcome, case.closed_on = CaseStatus.CLOSED, outcome, today
    case.paused, case.next_due_on, case.resume_on = False, None, None
    case.grace_until = grace_until
    _save(case, "status", "outcome", "closed_on", "paused", "next_due_on", "resume_on", "grace_until")
    Arrangement.objects.filter(case=case, status=ArrangementStatus.ACTIVE).update(
        status=ArrangementStatus.KEPT if outcome in (CaseOutcome.PAID, CaseOutcome.ARRANGEMENT) else ArrangementStatus.BROKEN,
        ended_on=today, check_after=None,
    )
    timeline.record("delinquency.closed", account=case.account, actor=actor, why=f"DLQ: {outcome}",
                    outcome=outcome, policy=case.policy_name, case=case.pk)
    call_tasks_cancel(account=case.account, batch_prefix=f"dlq:{case.pk}:")
    if reinstate:
        _reinstate(case, actor, f"DLQ-7: case closed ({outcome})")
    elif outcome == CaseOutcome.CANCELLED:
        _cancel_pending_disconnect(case, actor, "account cancelled")
        _close_ticket(case, actor, "Case closed: the account is cancelled.")


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


def _contact(case: Case, how: str) -> None:
    today = clock.today()
    case.last_contact_on = today
    case.contacts = list(case.contacts or []) + [{"on": today.isoformat(), "how": how}]
    _save(case, "last_contact_on", "contacts")


def _on_contacted(*, account, how, actor, **_):
    """DLQ-2: the customer was reached (answered, called in, set up autopay)."""
    if not selectors.has_open_case(account_id=account.pk):
        return
    case = selectors.open_case(account=account, lock=True)
    if case is not None:
        _contact(case, how)


def _on_payment(*, account, entry, actor, **_):
    """DLQ-2: a payment is contact; DLQ-4: it may meet the arrangement's last installment."""
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


# --------------------------------------------------------------------------- arrangements (DLQ-4)
def _installments(installments, today: dt.date) -> list[dict]:
    if not installments:
        raise InvalidInput("an arrangement needs at least one installment (a date and an amount)",
                           field="installments")
    parsed = []
    for i, item in enumerate(installments, start=1):
        on = item.get("on") if isinstance(item, dict) else None
        if isinstance(on, str):
            try:
                on = dt.date.fromisoformat(on)
            except ValueError:
                on = None
        if not isinstance(on, dt.date):
            raise InvalidInput(f"installment {i} needs a date (YYYY-MM-DD)", field="installments")
        try:
            amount = money(item.get("amount"))
        except MoneyError as exc:
            raise InvalidInput(f"installment {i}: {exc}", field="installments") from None
        if amount <= ZERO:
            raise InvalidInput(f"installment {i}: the amount must be more than 0.00", field="installments")
        if on < today:
            raise InvalidInput(f"installment {i} is dated {on}, before today ({today})", field="installments")
        if parsed and on <= parsed[-1]["on"]:
            raise InvalidInput(f"installment {i} ({on}) must come after installment {i - 1} ({parsed[-1]['on']})",
                               field="installments")
        parsed.append({"on": on, "amount": amount})
    return parsed


@transaction.atomic
def arrangement_create(*, account, installments, actor: Actor) -> Arrangement:
    """DLQ-4: specific dates with specific amounts, approved by a manager. It is
    contact (DLQ-2), pauses the case, and reinstates service that was shut off (DLQ-7)."""
    actor.require("arrangement.approve", "approving a payment arrangement")
    today = clock.today()
    parsed = _installments(installments, today)
    case = selectors.open_case(account=account, lock=True)
    if case is None:
        raise RuleRefusal("this account has no open delinquency case; an arrangement settles a past-due balance",
                          field="account")
    if selectors.active_arrangement(case=case) is not None:
        raise RuleRefusal("this case already has an active arrangement; it must be kept or broken first",
                          field="installments")
    case.account = account
    last_id = LedgerEntry.objects.filter(account=account).order_by("-id").values_list("id", flat=True).first() or 0
    arrangement = Arrangement.objects.create(
        case=case, account=account,
        installments=[{"on": p["on"].isoformat(), "amount": str(p["amount"])} for p in parsed],
        after_entry_id=last_id, check_after=parsed[0]["on"], created_on=today, created_at=clock.now(),
        approved_by=str(actor),
    )
    timeline.record("arrangement.created", account=account, actor=actor, why="DLQ-4: approved by a manager",
                    installments=parsed, total=sum((p["amount"] for p in parsed), ZERO))
    _contact(case, "arrangement")
    case.paused, case.resume_on, case.next_due_on = True, None, None
    _save(case, "paused", "resume_on", "next_due_on")
    _note(case, "Payment arrangement approved: " + ", ".join(f"{p['amount']} on {p['on']}" for p in parsed)
          + ". The case is paused while it is kept.", actor)
    if case.shut_off:
        _reinstate(case, actor, "DLQ-7: an approved payment arrangement")
    else:
        if _pending_disconnect(case):
            _cancel_pending_disconnect(case, actor, "DLQ-4: payment arrangement approved")
            account.refresh_from_db(fields=["status"])
            if account.status == AccountStatus.NOT_ACTIVE:
                account_status_set(account=account, to=AccountStatus.DELINQUENT, actor=actor,
                                   reason="DLQ-4: payment arrangement approved")
    return arrangement


def _pending_disconnect(case: Case) -> bool:
    return ScheduledEvent.objects.filter(key=f"dlq-disconnect:{case.pk}", status=ScheduledEventStatus.PENDING).exists()


def _schedule_of(arrangement: Arrangement) -> list[tuple[dt.date, Decimal]]:
    """Each installment's date with the cumulative amount due by then."""
    total = ZERO
    result = []
    for item in arrangement.installments:
        total += Decimal(item["amount"])
        result.append((dt.date.fromisoformat(item["on"]), total))
    return result


def _arrangement_progress(arrangement: Arrangement, case: Case, actor) -> None:
    """A payment toward the arrangement: the last installment met closes the case
    (outcome arrangement); otherwise the next unmet installment is what to check."""
    paid = selectors.payments_since(account=case.account, after_entry_id=arrangement.after_entry_id)
    schedule = _schedule_of(arrangement)
    if paid >= schedule[-1][1]:
        Arrangement.objects.filter(pk=arrangement.pk).update(
            status=ArrangementStatus.KEPT, ended_on=clock.today(), check_after=None)
        timeline.record("arrangement.kept", account=case.account, actor=actor, why="DLQ-4", paid=paid)
        _case_close(case, CaseOutcome.ARRANGEMENT, actor, reinstate=True)
        return
    for on, cumulative in schedule:
        if paid < cumulative:
            Arrangement.objects.filter(pk=arrangement.pk).update(check_after=on)
            return


def arrangements_check(*, as_of: dt.date, account_ids=None) -> int:
    """DLQ-4: the day after a missed installment the arrangement is broken and the
    case resumes that day at its next step not yet run (forced)."""
    qs = Arrangement.objects.filter(status=ArrangementStatus.ACTIVE, check_after__lt=as_of)
    if account_ids is not None:
        qs = qs.filter(account_id__in=account_ids)
    broken = 0
    for pk in list(qs.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            arrangement = Arrangement.objects.select_for_update().select_related("case", "account").get(pk=pk)
            if arrangement.status != ArrangementStatus.ACTIVE:
                continue
            missed = None
            for on, cumulative in _schedule_of(arrangement):
                if on >= as_of:
                    break
                paid = selectors.payments_since(account=arrangement.account,
                                                after_entry_id=arrangement.after_entry_id, through=on)
                if paid < cumulative:
                    missed = on
                    break
            if missed is None:
                upcoming = [on for on, _c in _schedule_of(arrangement) if on >= as_of]
                Arrangement.objects.filter(pk=pk).update(check_after=upcoming[0] if upcoming else None)
                continue
            _arrangement_break(arrangement, missed, as_of)
            broken += 1
    return broken


def _arrangement_break(arrangement: Arrangement, missed: dt.date, as_of: dt.date) -> None:
    actor = _actor("arrangement")
    Arrangement.objects.filter(pk=arrangement.pk).update(status=ArrangementStatus.BROKEN, ended_on=as_of,
                                                         check_after=None)
    case = Case.objects.select_for_update().select_related("account").get(pk=arrangement.case_id)
    timeline.record("arrangement.broken", account=case.account, actor=actor,
                    why="DLQ-4: installment not paid in full by the end of its date", on=missed)
    if case.status != CaseStatus.OPEN:
        return
    case.paused, case.resume_on, case.contact_since, case.next_due_on = False, as_of, as_of, as_of
    _save(case, "paused", "resume_on", "contact_since", "next_due_on")
    _note(case, f"Arrangement broken: the installment of {missed} was not paid in full. The case resumes today.",
          actor)
    account = case.account
    account.refresh_from_db(fields=["status"])
    if account.status == AccountStatus.ACTIVE:
        account_status_set(account=account, to=AccountStatus.DELINQUENT, actor=actor,
                           reason="DLQ-4: arrangement broken; the case resumes")
    if _next_due(case) is None:
        case.resume_on, case.next_due_on = None, None
        _save(case, "resume_on", "next_due_on")


# --------------------------------------------------------------------------- DLQ-6, DLQ-5
@transaction.atomic
def payment_claim_record(*, account, actor: Actor) -> Case:
    """DLQ-6 "Where is my payment?": the customer says a bill-pay or mailed payment
    was sent. The case closes (outcome claim), its reactivation fee is voided, service
    is restored without the payment condition, and no new case opens for the grace."""
    actor.require("account.change", "recording a payment claim")
    case = selectors.open_case(account=account, lock=True)
    if case is None:
        raise RuleRefusal("this account has no open delinquency case; there is nothing to hold for a claimed payment",
                          field="account")
    case.account = account
    today = clock.today()
    grace = today + dt.timedelta(days=ispconfig.current().grace_after_claim_days)
    _case_close(case, CaseOutcome.CLAIM, actor, grace_until=grace)
    fee = LedgerEntry.objects.filter(key=f"reactivation:{case.pk}", voided_by__isnull=True).first()
    if fee is not None:
        entry_void(entry=fee, actor=actor, reason="DLQ-6: where is my payment? fee removed")
    _note(case, f"Customer says the payment was sent (bill pay or mail). Fee removed, service restored; "
                f"no new case before {grace}.", actor)
    _reinstate(case, actor, "DLQ-6: payment claimed (where is my payment?)")
    return case


@transaction.atomic
def fee_waive(*, account, actor: Actor, kind: str = ChargeKind.REACTIVATION_FEE) -> LedgerEntry:
    """DLQ-5: a reactivation fee may be waived when the customer has autopay or it is
    the account's first reactivation fee (an earlier one counts even if waived);
    otherwise only a manager's override waives it, and the override is recorded."""
    actor.require("fee.waive", "waiving a fee")
    if kind != ChargeKind.REACTIVATION_FEE:
        raise InvalidInput("only the reactivation fee can be waived (kind reactivation_fee)", field="kind")
    account.refresh_from_db(fields=["autopay"])
    fees = LedgerEntry.objects.filter(account=account, kind=kind, entry_type=EntryType.CHARGE)
    fee = fees.filter(voided_by__isnull=True).order_by("-id").first()
    if fee is None:
        raise RuleRefusal("this account has no reactivation fee to waive", field="kind")
    first = not fees.filter(id__lt=fee.id).exists()
    override = False
    if account.autopay:
        basis = "autopay"
    elif first:
        basis = "first reactivation fee"
    elif actor.can("fee.override"):
        basis, override = "manager override", True
    else:
        raise PermissionRefused(
            "the reactivation fee can be waived only when the customer sets up autopay or it is their first; "
            "this account was charged one before, so a manager must override the waiver", field="kind")
    timeline.record("fee.waived", account=account, actor=actor, why=f"DLQ-5: {basis}", kind=kind,
                    amount=fee.amount, basis=basis, override=override)
    from lastmile.accounts.services import note_add

    note_add(account=account, actor=actor, body=f"Reactivation fee of {fee.amount} waived ({basis}).")
    return entry_void(entry=fee, actor=actor, reason=f"DLQ-5: reactivation fee waived ({basis})")
