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
import logging
from decimal import Decimal

from django.db import IntegrityError, connections, router, transaction

from lastmile.accounts.models import Account, Email, Phone
from lastmile.billing.selectors import balances
from lastmile.comms import sms
from lastmile.comms.models import Channel, OutboxMessage, OutboxStatus
from lastmile.comms.services import allowed_at, render_sms, sms_template_exists
from lastmile.core import bulk as fast
from lastmile.core import calendar as cal_mod
from lastmile.core import clock, hooks, ispconfig, timeline
from lastmile.core.choices import AccountStatus
from lastmile.core.models import ScheduledEvent, ScheduledEventStatus
from lastmile.core.money import ZERO
from lastmile.tickets.choices import ROUTING, TaskStatus, TicketKind, TicketStatus
from lastmile.tickets.models import CallTask, Ticket, TicketNote

from .models import Arrangement, ArrangementStatus, Case, CaseStatus, CaseStep, StepOutcome
from .policy import get_policy
from .schedule import CaseFacts, NextSteps, Policy, projected, skip_reason

log = logging.getLogger(__name__)
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
        except IntegrityError as exc:
            from .services import case_open

            log.warning("delinquency openings: chunk of %d done case by case (%s)", len(chunk), exc)
            for account, policy, d, owed in chunk:
                try:
                    with transaction.atomic():
                        case_open(account=account, policy=policy, d=d, owed=owed, as_of=as_of)
                        opened += 1
                except IntegrityError:
                    continue
    return opened


def _open_chunk(chunk, as_of, cal) -> int:
    day = fast.db_date(as_of, Case)
    values = []
    next_step = NextSteps(cal)
    for account, policy, d, _owed in chunk:
        nxt = next_step(policy, CaseFacts(d))
        values.append((account.pk, policy.name, policy.version, fast.db_date(d, Case), day, CaseStatus.OPEN, "",
                       False, day, "[]", fast.db_date(nxt.on if nxt else None, Case), False))
    fast.insert(Case, ["account", "policy_name", "policy_version", "d", "opened_on", "status", "outcome", "paused",
                       "contact_since", "contacts", "next_due_on", "shut_off"], values, json_fields={"contacts"})
    ids = [account.pk for account, *_ in chunk]
    case_ids = dict(Case.objects.filter(account_id__among=fast.Ids(ids), status=CaseStatus.OPEN, opened_on=as_of)
                    .values_list("account_id", "pk"))
    if len(case_ids) != len(ids):
        raise IntegrityError("an account has another case open")
    changed = Account.objects.filter(pk__among=fast.Ids(ids), status=AccountStatus.ACTIVE).update(status=AccountStatus.DELINQUENT)
    if changed != len(ids):
        raise IntegrityError("an account changed status while its case was opening")
    rows = []
    for account, policy, d, owed in chunk:
        actor = _actor(policy, "open")
        case_id = case_ids[account.pk]
        rows.append((account.pk, "delinquency.opened", actor, f"owes {owed} on statements already due",
                     {"policy": policy.name, "version": policy.version, "d": d, "owed": owed, "case": case_id}))
        rows.append((account.pk, "account.status_changed", actor,
                     f"DLQ: unpaid statement; case #{case_id} ({policy.name})",
                     {"from": AccountStatus.ACTIVE, "to": AccountStatus.DELINQUENT}))
    timeline.record_many(rows)
    for account, *_ in chunk:
        account.status = AccountStatus.DELINQUENT
    hooks.publish_many(hooks.STATUS_CHANGED, [
        {"account": account, "previous": AccountStatus.ACTIVE, "to": AccountStatus.DELINQUENT,
         "actor": _actor(policy, "open")} for account, policy, *_ in chunk])
    return len(chunk)


# ------------------------------------------------------------------ steps
def plan(cases: list[Case], as_of: dt.date) -> dict[int, list]:
    """Per case, the steps due by `as_of` with their skip reason, worked out in memory
    from three queries (steps done, balances, active arrangements)."""
    cal = ispconfig.current().calendar
    done: dict[int, dict] = {}
    # no ORDER BY: the model's ordering joins the case table, which SQLite with stale
    # statistics (the bench's ANALYZE ran when a year-old case was the only one) walks
    # once per step row: minutes at 100,000 accounts
    for case_id, step, on in CaseStep.objects.filter(case_id__among=fast.Ids(c.pk for c in cases)).order_by().values_list(
            "case_id", "step", "on"):
        done.setdefault(case_id, {})[step] = on
    totals = balances(account_ids=[c.account_id for c in cases])
    arranged = set(Arrangement.objects.filter(case_id__among=fast.Ids(c.pk for c in cases), status=ArrangementStatus.ACTIVE)
                   .order_by().values_list("case_id", flat=True))
    result = {}
    policies: dict[tuple, Policy] = {}
    next_step = NextSteps(cal)
    for case in cases:
        ref = (case.policy_name, case.policy_version)
        policy = policies.get(ref) or policies.setdefault(ref, get_policy(*ref))
        facts_done = dict(done.get(case.pk, {}))
        resume = case.resume_on
        paid = (totals.get(case.account_id) or ZERO) <= ZERO
        steps = []
        while True:
            nxt = next_step(policy, CaseFacts(case.d, facts_done, resume))
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


def shut_offs(steps) -> list:
    """The (step, operation arg) of every shut-off these planned steps will run."""
    return [(nxt.step, arg) for nxt, reason in steps if not reason
            for name, arg in nxt.step.actions if name == "shut_off"]


def bulk_ok(steps, shut_off_ready: bool = False, status_ready: bool = False) -> bool:
    """Steps the bulk path writes exactly as the per-case path would: records only,
    one shut-off of an account the network's bulk shut-off is ready for, or status
    changes and scheduled disconnects (`status_ready`)."""
    allowed = BULK_ACTIONS | {"shut_off"} if shut_off_ready else BULK_ACTIONS
    if status_ready:
        allowed = allowed | {"status", "schedule"}
    return len(shut_offs(steps)) <= 1 and all(
        not nxt.forced and (reason or all(name in allowed for name, _ in nxt.step.actions))
        for nxt, reason in steps
    )


def shut_off_ready(cases: list[Case], plans: dict) -> set[int]:
    """Cases of this chunk whose shut-off the bulk path can do (network.bulk decides
    for the account; the reactivation fee must not be posted yet)."""
    from lastmile.network.bulk import shut_off_bulk_ready

    from .services.common import shut_off_key

    wanted = {c.pk: c for c in cases if shut_offs(plans[c.pk][1])}
    if not wanted:
        return set()
    keys = [shut_off_key(c.pk, step.name) for c in wanted.values() for step, _ in shut_offs(plans[c.pk][1])]
    ready = shut_off_bulk_ready(account_ids=[c.account_id for c in wanted.values()], keys=keys)
    fee_due = _fee_not_charged(wanted)
    return {pk for pk, c in wanted.items() if c.account_id in ready and pk in fee_due}


def status_ready(cases: list[Case], plans: dict) -> set[int]:
    """Cases of this chunk whose status changes and scheduled disconnect (the
    wireless `deactivate`, DLQ-1) the bulk path can write: no shut-off in the same
    plan, the disconnect's key not used yet, and an account whose status change
    makes no other context write anything (network.coa decides: no CoA to queue),
    so publishing the changes after the chunk's rows keeps each account's timeline
    in the per-case order."""
    from lastmile.network.coa import status_change_quiet

    from .services.common import disconnect_key

    wanted = {c.pk: c for c in cases
              if not shut_offs(plans[c.pk][1]) and any(
                  name in ("status", "schedule") for nxt, reason in plans[c.pk][1] if not reason
                  for name, _ in nxt.step.actions)}
    if not wanted:
        return set()
    used = set(ScheduledEvent.objects.filter(key__in=[disconnect_key(pk) for pk in wanted])
               .values_list("key", flat=True))
    networks = dict(Account.objects.filter(pk__among=fast.Ids(c.account_id for c in wanted.values()))
                    .values_list("pk", "network"))
    quiet = status_change_quiet(accounts=networks)
    return {pk for pk, c in wanted.items() if c.account_id in quiet and disconnect_key(pk) not in used}


def _render(template: str, context: dict) -> tuple[str, str, str]:
    from lastmile.comms.services import render_parts

    return render_parts(template, context)


def _entry(type_: str, account_id: int, actor: str, why: str = "", **data) -> tuple:
    return (account_id, type_, actor, why, data)


def advance_chunk(cases: list[Case], plans: dict, as_of: dt.date) -> int:
    """Write the due steps of `cases` (each `bulk_ok`) with one INSERT per table.

    Every row, and every timeline entry in its order within the account, is what
    `services._case_advance` would write; a shut-off goes through
    `network.bulk.service_shut_off_many`, the reactivation fee (DLQ-5) is the
    ledger row and `charge.posted` that `billing.services.charge_post` writes.
    """
    from lastmile.core.choices import Network
    from lastmile.core.money import money
    from lastmile.network.bulk import service_shut_off_many

    from .services import _REASONS, _describe, _fmt_day
    from .services.common import (
        DISCONNECT_ACTION,
        disconnect_key,
        disconnect_reason,
        notice_figures,
        shut_off_key,
    )

    settings = ispconfig.current()
    cal = settings.calendar
    now = clock.now()
    at, day = fast.db_datetime(now, Case), fast.db_date(now.date(), Case)
    account_ids = [c.account_id for c in cases]
    accounts = {a["pk"]: a for a in Account.objects.filter(pk__among=fast.Ids(account_ids)).values(
        "pk", "number", "name", "network", "sms_opt_out", "status")}
    phones: dict[int, list[str]] = {}
    mobiles: dict[int, list[str]] = {}  # NOT-1: the numbers that take texts, as comms.sms_numbers gives them
    for account_id, number, mobile in Phone.objects.filter(account_id__among=fast.Ids(account_ids)).order_by(
            "account_id", "position", "id").values_list("account_id", "number", "mobile"):
        phones.setdefault(account_id, []).append(number)
        if mobile and not accounts[account_id]["sms_opt_out"]:
            e164 = sms.e164(number)
            if e164 not in mobiles.setdefault(account_id, []):
                mobiles[account_id].append(e164)
    texts_on = sms.sms_enabled()
    owed = balances(account_ids=account_ids)  # the figures of the notices (NOT-1 checks again at sending)
    call_from = allowed_at(now)  # NOT-1: no call task for a time in quiet hours
    call_at = fast.db_datetime(call_from, Case)
    call_day = fast.db_date(call_from.date(), Case)
    call_extra = {"call_from": call_from.isoformat(timespec="minutes")} if call_from > now else {}
    emails: dict[int, list[str]] = {}
    for account_id, address in Email.objects.filter(account_id__among=fast.Ids(account_ids)).order_by(
            "account_id", "position", "id").values_list("account_id", "address"):
        emails.setdefault(account_id, []).append(address)

    # tickets first: their ids go into the timeline and the notes
    group, category, ticket_type, assignee = ROUTING[TicketKind.DELINQUENCY]
    new_tickets: dict[int, dict] = {}
    for case in cases:
        policy, steps, _ = plans[case.pk]
        for nxt, reason in steps:
            if not reason and any(n == "ticket" for n, _ in nxt.step.actions) and case.ticket_id is None \
                    and case.pk not in new_tickets:
                account = accounts[case.account_id]
                arg = next(a for n, a in nxt.step.actions if n == "ticket") or {}
                new_tickets[case.pk] = {
                    "account_id": case.account_id, "kind": TicketKind.DELINQUENCY,
                    "subject": (arg.get("subject")
                                or f"Delinquent account {account['number']} ({account['name']})")[:200],
                    "assignee": assignee, "group": group, "category": category, "ticket_type": ticket_type,
                    "key": f"delinquency:{case.pk}",
                }
    fast.insert(Ticket, ["account", "kind", "subject", "assignee", "group", "category", "ticket_type", "status",
                         "opened_on", "opened_at", "key", "data"],
                [(t["account_id"], t["kind"], t["subject"], t["assignee"], t["group"], t["category"],
                  t["ticket_type"], TicketStatus.OPEN, day, at, t["key"], "{}") for t in new_tickets.values()],
                json_fields={"data"})
    if new_tickets:
        ticket_ids = dict(Ticket.objects.filter(key__in=[t["key"] for t in new_tickets.values()])
                          .values_list("key", "pk"))
        for case in cases:
            if case.pk in new_tickets:
                new_tickets[case.pk]["pk"] = case.ticket_id = ticket_ids[f"delinquency:{case.pk}"]

    # the shut-offs (DLQ-1, DLQ-8) in one go; their timeline entries are placed below
    shut_rows = []
    for case in cases:
        policy, steps, _ = plans[case.pk]
        for step, arg in shut_offs(steps):
            network = accounts[case.account_id]["network"]
            operation = arg or ("suspend" if network == Network.UTOPIA else "disconnect")
            shut_rows.append((case.account_id, operation, shut_off_key(case.pk, step.name),
                              _actor(policy, step.name), "shut off for non payment"))
    shut_entries = service_shut_off_many(rows=shut_rows, record=False) if shut_rows else {}
    fee = money(settings.reactivation_fee)

    next_step = NextSteps(cal)
    step_rows, rows, notes, tasks, outbox, fees, events = [], [], [], [], [], [], []
    statuses: dict[int, str] = {}  # account -> the status it is set to, in the order of the steps
    changes: list[dict] = []  # STATUS_CHANGED, published once the rows are written

    def note(ticket_id, actor, body):
        notes.append((ticket_id, body, actor, at))

    def email(case, policy, step_name, template, actor):
        """The step's notice, as comms.services.notice_send writes it: the email, then a
        text per mobile number."""
        to = emails.get(case.account_id, [])
        numbers = mobiles.get(case.account_id, []) if texts_on and sms_template_exists(template) else []
        if not to and not numbers:
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
               "shutoff_on": _fmt_day(shutoff_on), "cancel_on": _fmt_day(cancel_on),
               **notice_figures(owed.get(case.account_id), as_of)}
        key = f"dlq:{case.pk}:{step_name}:{template}"
        why = f"DLQ-1 {policy.name} step {step_name}"
        if to:
            subject, body, html = _render(template, ctx)
            outbox.append((case.account_id, template, fast.json_text(to), "[]", subject[:300], body,
                           key, OutboxStatus.PENDING, 0, "", at, html, Channel.EMAIL.value, None))
            rows.append(_entry("email.sent", case.account_id, actor, why,
                               to=", ".join(to), template=template, subject=subject))
        if numbers:
            text = render_sms(template, ctx)
            send_at = allowed_at(now)
            later = send_at > now
            for number in numbers:
                outbox.append((case.account_id, template, fast.json_text([number]), "[]", "", text,
                               f"{key}:sms:{number}"[:250], OutboxStatus.PENDING, 0, "", at, "", Channel.SMS.value,
                               fast.db_datetime(send_at, OutboxMessage) if later else None))
                rows.append(_entry("sms.sent", case.account_id, actor, why, to=number, template=template,
                                   **({"send_at": send_at.isoformat(timespec="minutes")} if later else {})))

    for case in cases:
        policy, steps, _ = plans[case.pk]
        for nxt, reason in steps:
            step = nxt.step
            actor = _actor(policy, step.name)
            step_rows.append((case.pk, step.name, nxt.index, day,
                              StepOutcome.SKIPPED if reason else StepOutcome.RAN, reason or "", False, at))
            rows.append(_entry(
                "delinquency.step", case.account_id, actor, f"DLQ-1 {policy.name} v{policy.version}",
                step=step.name, outcome="skipped" if reason else "ran",
                **({"skipped_because": reason} if reason else {})))
            if reason:
                if case.ticket_id:
                    note(case.ticket_id, actor, f"Step {step.name} skipped: {_REASONS[reason]}.")
                continue
            for name, arg in step.actions:
                if name == "ticket":
                    ticket = new_tickets.get(case.pk)
                    if ticket is None:
                        continue
                    note(ticket["pk"], actor,
                         f"Delinquency case #{case.pk} under policy {policy.name} v{policy.version}; "
                         f"D = {case.d}. Step {step.name}: {_describe(step)}.")
                    rows.append(_entry(
                        "ticket.opened", case.account_id, actor, f"DLQ-1 {policy.name} step {step.name}",
                        kind=ticket["kind"], group=ticket["group"], category=ticket["category"],
                        ticket_type=ticket["ticket_type"], assignee=ticket["assignee"], ticket=ticket["pk"],
                        subject=ticket["subject"]))
                elif name == "note":
                    if case.ticket_id:
                        note(case.ticket_id, actor, f"Step {step.name}: {arg}")
                elif name == "email":
                    email(case, policy, step.name, arg, actor)
                elif name == "shut_off":
                    rows.extend(shut_entries.get(case.account_id, ()))
                    case.shut_off = True
                    if fee > ZERO:
                        _fee(case, fee, actor, day, at, fees, rows)
                        owed[case.account_id] = (owed.get(case.account_id) or ZERO) + fee
                elif name == "status":  # as accounts.services.account_status_set writes it
                    previous = statuses.get(case.account_id, accounts[case.account_id]["status"])
                    if previous != arg:
                        statuses[case.account_id] = arg
                        rows.append(_entry("account.status_changed", case.account_id, actor,
                                           f"DLQ-1 {policy.name} step {step.name}", **{"from": previous, "to": arg}))
                        changes.append({"account_id": case.account_id, "previous": previous, "to": arg,
                                        "actor": actor})
                elif name == "schedule":  # as services.cases._act_schedule writes it
                    run_on = cal_mod.add_business_days(as_of, arg["business_days_after"], cal)
                    events.append((case.account_id, DISCONNECT_ACTION, fast.db_date(run_on, ScheduledEvent),
                                   fast.json_text({"case": case.pk, "step": step.name}),
                                   ScheduledEventStatus.PENDING.value, disconnect_key(case.pk), actor, at, ""))
                    rows.append(_entry("scheduled.created", case.account_id, actor, disconnect_reason(policy, step.name),
                                       action=DISCONNECT_ACTION, on=run_on))
                elif name == "call_tasks":
                    purpose = (arg or {}).get("purpose") or f"Delinquent account: {step.name}"
                    batch = f"dlq:{case.pk}:{step.name}"
                    numbers = phones.get(case.account_id, [])
                    for phone in numbers:
                        tasks.append((case.account_id, phone, purpose[:300], batch, f"{batch}:{phone}", call_day,
                                      call_at, "", "", TaskStatus.OPEN))
                        rows.append(_entry("call_task.created", case.account_id, actor, phone=phone,
                                           purpose=purpose, **call_extra))
                    if not numbers and (arg or {}).get("on_unanswered_email"):
                        email(case, policy, step.name, arg["on_unanswered_email"], actor)
            if case.ticket_id and not any(n in ("ticket", "note") for n, _ in step.actions):
                note(case.ticket_id, actor, f"Step {step.name} done: {_describe(step)}.")
        nxt = next_step(policy, CaseFacts(case.d, plans[case.pk][2], None))
        case.next_due_on = nxt.on if nxt else None

    fast.insert(CaseStep, ["case", "step", "position", "on", "outcome", "reason", "forced", "at"], step_rows)
    fast.insert(OutboxMessage, ["account", "template", "to", "cc", "subject", "body", "key", "status", "attempts",
                                "last_error", "created_at", "html_body", "channel", "next_attempt_at"], outbox,
                json_fields={"to", "cc"})
    fast.insert(CallTask, ["account", "phone", "purpose", "batch", "key", "created_on", "created_at", "outcome",
                           "outcome_by", "status"], tasks)
    fast.insert(TicketNote, ["ticket", "body", "author", "written_at"], notes)
    _fees_insert(fees)
    fast.insert(ScheduledEvent, ["account", "action", "run_on", "payload", "status", "key", "created_by",
                                 "created_at", "result"], events, json_fields={"payload"})
    timeline.record_many(rows)
    _statuses_set(statuses, changes)
    _cases_update(cases)
    return len(step_rows)


def _statuses_set(statuses: dict[int, str], changes: list[dict]) -> None:
    """The accounts' new statuses, one UPDATE per status, then STATUS_CHANGED as
    `account_status_set` publishes it (`status_ready` made sure no subscriber
    writes in between)."""
    if not changes:
        return
    by_status: dict[str, list[int]] = {}
    for account_id, status in statuses.items():
        by_status.setdefault(status, []).append(account_id)
    for status, ids in by_status.items():
        Account.objects.filter(pk__among=fast.Ids(ids)).update(status=status)
    accounts = Account.objects.in_bulk([c["account_id"] for c in changes])
    hooks.publish_many(hooks.STATUS_CHANGED, [
        {"account": accounts[c["account_id"]], "previous": c["previous"], "to": c["to"], "actor": c["actor"]}
        for c in changes])


_FEE_WHY = "DLQ-5: service shut off for non-payment"


def _fee(case: Case, fee: Decimal, actor: str, day, at, fees: list, rows: list) -> None:
    """The reactivation fee (DLQ-5) of a shut-off, as `services.fees._charge_fee`
    posts it through billing's `charge_post`: the ledger row and `charge.posted`."""
    from lastmile.billing.choices import ChargeKind, EntryType

    fees.append((case.account_id, EntryType.CHARGE, ChargeKind.REACTIVATION_FEE, fee, day, at, "",
                 f"reactivation:{case.pk}", "reactivation fee (shut off for non-payment)", "", actor, _FEE_WHY))
    rows.append(_entry("charge.posted", case.account_id, actor, _FEE_WHY,
                       kind=ChargeKind.REACTIVATION_FEE, amount=fee))


def _fees_insert(fees: list) -> None:
    from lastmile.billing.models import LedgerEntry

    fast.insert(LedgerEntry, ["account", "entry_type", "kind", "amount", "posted_on", "posted_at", "method", "key",
                              "description", "reference", "actor", "reason"], fees)


def _fee_not_charged(case_ids) -> set[int]:
    """The cases whose reactivation fee is not posted yet (`charge_post` posts a key once)."""
    from lastmile.billing.models import LedgerEntry

    ids = list(case_ids)
    charged = set(LedgerEntry.objects.filter(key__in=[f"reactivation:{pk}" for pk in ids])
                  .values_list("key", flat=True))
    return {pk for pk in ids if f"reactivation:{pk}" not in charged}


# ------------------------------------------------------------------ scheduled disconnects
def disconnect_many(*, events) -> dict[int, str]:
    """Wireless disconnects due today (DLQ-1 `deactivate`, then a disconnect on the
    next business day) for many claimed events at once, writing what
    `services.cases._disconnect` writes per event: the shut-off through
    `network.bulk.service_shut_off_many`, the case marked shut off, the reactivation
    fee (DLQ-5). Returns {event id: result} for the events it carried out; an event
    whose account the bulk shut-off is not ready for is left to the one-event path.
    """
    from lastmile.core.money import money
    from lastmile.network.bulk import service_shut_off_many, shut_off_bulk_ready

    from .services.common import DISCONNECTED, NO_DISCONNECT, shut_off_key
    from .services.common import _actor as automation_actor

    by_case = {}
    for event in events:
        case_pk = (event.payload or {}).get("case")
        if isinstance(case_pk, int):
            by_case[case_pk] = event
    cases = {c.pk: c for c in Case.objects.select_for_update().filter(pk__among=fast.Ids(by_case)).order_by("pk")}
    results: dict[int, str] = {}
    open_ = []
    for case_pk, event in by_case.items():
        case = cases.get(case_pk)
        if case is None or case.status != CaseStatus.OPEN or case.paused:
            results[event.pk] = NO_DISCONNECT
        else:
            open_.append((case, event, shut_off_key(case.pk, (event.payload or {}).get("step", "disconnect"))))
    if not open_:
        return results
    ready = shut_off_bulk_ready(account_ids=[c.account_id for c, *_ in open_], keys=[k for *_, k in open_])
    fee_due = _fee_not_charged(c.pk for c, *_ in open_)
    go = [(c, e, k) for c, e, k in open_ if c.account_id in ready and c.pk in fee_due]
    if not go:
        return results
    actor = str(automation_actor("disconnect"))
    shut_entries = service_shut_off_many(
        rows=[(c.account_id, "disconnect", key, actor, "shut off for non payment") for c, _, key in go], record=False)
    fee = money(ispconfig.current().reactivation_fee)
    now = clock.now()
    at, day = fast.db_datetime(now, Case), fast.db_date(now.date(), Case)
    fees, rows = [], []
    for case, event, _key in go:
        rows.extend(shut_entries.get(case.account_id, ()))
        if fee > ZERO:
            _fee(case, fee, actor, day, at, fees, rows)
        results[event.pk] = DISCONNECTED
    _fees_insert(fees)
    timeline.record_many(rows)
    Case.objects.filter(pk__among=fast.Ids(c.pk for c, *_ in go)).update(shut_off=True)
    return results


def _cases_update(cases: list[Case]) -> None:
    """next_due_on, ticket_id and shut_off of every case: one UPDATE on PostgreSQL,
    one executemany on SQLite."""
    conn = connections[router.db_for_write(Case)]
    qn = conn.ops.quote_name
    if conn.vendor == "postgresql" and cases:
        # one statement for the chunk: executemany is a round trip per case there
        # (0.4 s of a 100,000-account delinquency day, issue 14); the values are
        # written from their own types (a date, ints, a bool), not from text
        table = qn(Case._meta.db_table)
        values = ", ".join(
            f"({'NULL' if c.next_due_on is None else repr(c.next_due_on.isoformat())}::date,"
            f" {'NULL' if c.ticket_id is None else int(c.ticket_id)}::bigint, {bool(c.shut_off)}, {int(c.pk)})"
            for c in cases)
        sql = (f"UPDATE {table} SET {qn('next_due_on')} = v.d, {qn('ticket_id')} = v.t, {qn('shut_off')} = v.s"
               f" FROM (VALUES {values}) AS v(d, t, s, id) WHERE {table}.{qn('id')} = v.id")
        with conn.cursor() as cursor:
            cursor.execute(sql)
        return
    sql = (f"UPDATE {qn(Case._meta.db_table)} SET {qn('next_due_on')} = %s, {qn('ticket_id')} = %s, "
           f"{qn('shut_off')} = %s WHERE {qn('id')} = %s")
    with conn.cursor() as cursor:
        cursor.executemany(sql, [(fast.db_date(c.next_due_on, Case), c.ticket_id, c.shut_off, c.pk)
                                 for c in cases])


def due_cases(as_of: dt.date, account_ids=None):
    qs = Case.objects.filter(status=CaseStatus.OPEN, paused=False, next_due_on__lte=as_of)
    if account_ids is not None:
        qs = qs.filter(account_id__among=fast.Ids(account_ids))
    return qs
