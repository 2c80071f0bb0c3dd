"""Helpers shared by the delinquency procedures: the case's policy and facts,
its ticket notes and emails, and closing and reinstating (DLQ-1, DLQ-2, DLQ-7)."""
from __future__ import annotations

import datetime as dt

from lastmile.accounts.selectors import email_addresses
from lastmile.accounts.services import account_status_set
from lastmile.billing.selectors import balance
from lastmile.core import clock, ispconfig, timeline
from lastmile.core.actors import Actor, automation
from lastmile.core.choices import AccountStatus
from lastmile.core.models import ScheduledEvent, ScheduledEventStatus
from lastmile.core.scheduling import event_cancel
from lastmile.tickets.choices import TicketStatus
from lastmile.tickets.models import Ticket
from lastmile.tickets.services import (
    ticket_close,
    ticket_note_add,
)

from ..models import (
    Arrangement,
    ArrangementStatus,
    Case,
    CaseOutcome,
    CaseStatus,
    CaseStep,
)
from ..policy import get_policy
from ..schedule import CaseFacts, Policy, Step, next_step, projected

DISCONNECT_ACTION = "disconnect"  # DLQ-1 wireless: "a disconnect scheduled for the next business day"
# what a scheduled disconnect's event records, one case at a time or in bulk
DISCONNECTED = "disconnected"
NO_DISCONNECT = "the case is closed or paused; no disconnect"


def disconnect_key(case_pk: int) -> str:
    """The natural key of a case's scheduled disconnect (DLQ-1 wireless `deactivate`)."""
    return f"dlq-disconnect:{case_pk}"


def shut_off_key(case_pk: int, step_name: str) -> str:
    """The natural key of the NOC request a case's shut-off step makes (DLQ-1, DLQ-8)."""
    return f"dlq-shutoff:{case_pk}:{step_name}"


def disconnect_reason(policy: Policy, step_name: str) -> str:
    return f"DLQ-1 {policy.name} step {step_name}: disconnect on the next business day"


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
    return {"shutoff_on": _fmt_day(shutoff_on), "cancel_on": _fmt_day(cancel_on), "case": case,
            **notice_figures(balance(account=case.account_id), clock.today())}


def notice_figures(owed, on: dt.date) -> dict:
    """The account's figures in a notice: what is owed, and on which day (a payment
    after that is not in it; NOT-1 checks the balance again when it is sent)."""
    return {"balance": f"{owed:,.2f}" if owed is not None and owed > 0 else "",
            "balance_on": f"{on:%B} {on.day}"}


def _email(case: Case, policy: Policy, step_name: str, template: str, actor) -> None:
    """The step's notice: the email and, NOT-1, a text to each mobile number that has
    not opted out (`comms.services.notice_send`)."""
    from lastmile.comms.services import notice_send

    notice_send(template=template, to=email_addresses(account=case.account), account=case.account,
                actor=actor, context=_email_context(case, policy), key=f"dlq:{case.pk}:{step_name}:{template}",
                reason=f"DLQ-1 {policy.name} step {step_name}")


# --------------------------------------------------------------------------- closing
def _cancel_pending_disconnect(case: Case, actor, why: str) -> None:
    for event in ScheduledEvent.objects.filter(key=disconnect_key(case.pk), status=ScheduledEventStatus.PENDING):
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
    _end_call_tasks(case, f"the case is closed ({outcome})")
    if reinstate:
        _reinstate(case, actor, f"DLQ-7: case closed ({outcome})")
    elif outcome == CaseOutcome.CANCELLED:
        _cancel_pending_disconnect(case, actor, "account cancelled")
        _close_ticket(case, actor, "Case closed: the account is cancelled.")


def _contact(case: Case, how: str) -> None:
    today = clock.today()
    case.last_contact_on = today
    case.contacts = list(case.contacts or []) + [{"on": today.isoformat(), "how": how}]
    _save(case, "last_contact_on", "contacts")



def _end_call_tasks(case: Case, why: str, keep_batch: str | None = None) -> int:
    """DLQ-3: the case closed, paused or moved past a step: its calls are not needed."""
    from lastmile.tickets.services import call_tasks_end

    return call_tasks_end(account_ids=[case.account_id], batch_prefix=f"dlq:{case.pk}:",
                          keep_batches=[keep_batch] if keep_batch else ())
