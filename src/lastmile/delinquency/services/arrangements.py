"""Payment arrangements (DLQ-4)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from lastmile.accounts.services import account_status_set
from lastmile.billing.models import LedgerEntry
from lastmile.billing.selectors import balance
from lastmile.core import bulk, clock, ispconfig, timeline
from lastmile.core.actors import Actor
from lastmile.core.choices import AccountStatus
from lastmile.core.errors import InvalidInput, RuleRefusal
from lastmile.core.models import ScheduledEvent, ScheduledEventStatus
from lastmile.core.money import ZERO, MoneyError, money

from .. import selectors
from ..models import (
    Arrangement,
    ArrangementStatus,
    Case,
    CaseOutcome,
    CaseStatus,
)
from .common import (
    _actor,
    _cancel_pending_disconnect,
    _case_close,
    _contact,
    _end_call_tasks,
    _next_due,
    _note,
    _reinstate,
    _save,
    disconnect_key,
)


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


def _usd(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def _covers(account, parsed: list[dict], today: dt.date) -> None:
    """DLQ-4: the installments add up to at least the whole balance owed, fees
    included, and the first falls within the configured days of today."""
    owed = balance(account=account)
    total = sum((p["amount"] for p in parsed), ZERO)
    if total < owed:
        raise RuleRefusal(
            f"the installments add up to {_usd(total)} but {_usd(owed)} is owed, fees included: "
            f"{_usd(owed - total)} short", field="installments")
    days = ispconfig.current().arrangement_first_within_days
    deadline = today + dt.timedelta(days=days)
    if parsed[0]["on"] > deadline:
        raise RuleRefusal(
            f"the first installment is dated {parsed[0]['on']}; it must fall within {days} days of today, "
            f"by {deadline}", field="installments")


def first_installment_deadline(today: dt.date | None = None) -> dt.date:
    today = today or clock.today()
    return today + dt.timedelta(days=ispconfig.current().arrangement_first_within_days)


def _stored(parsed: list[dict]) -> list[dict]:
    return [{"on": p["on"].isoformat(), "amount": str(p["amount"])} for p in parsed]


def _parsed(arrangement: Arrangement) -> list[dict]:
    return [{"on": dt.date.fromisoformat(i["on"]), "amount": Decimal(i["amount"])} for i in arrangement.installments]


def arrangement_case(*, account, lock: bool = False):
    """DLQ-4: the open case an arrangement would settle, or a RuleRefusal saying why
    there is none to make (the service and the console's offers both ask this)."""
    case = selectors.open_case(account=account, lock=lock)
    if case is None:
        raise RuleRefusal("this account has no open delinquency case; an arrangement settles a past-due balance",
                          field="account")
    if selectors.active_arrangement(case=case) is not None:
        raise RuleRefusal("this case already has an active arrangement; it must be kept or broken first",
                          field="installments")
    return case


def _open_case_for(account):
    case = arrangement_case(account=account, lock=True)
    case.account = account
    return case


def proposal_check(case) -> None:
    """DLQ-4: one proposal at a time waits for a manager."""
    proposal = selectors.open_proposal(case=case)
    if proposal is not None:
        raise RuleRefusal(f"an arrangement proposed by {proposal.proposed_by} on {proposal.created_on} is already "
                          "waiting for a manager's approval; it must be approved or declined first",
                          field="installments")


def _describe_installments(parsed) -> str:
    return ", ".join(f"{_usd(p['amount'])} on {p['on']}" for p in parsed)


@transaction.atomic
def arrangement_create(*, account, installments, actor: Actor) -> Arrangement:
    """DLQ-4: a manager's arrangement is approved at once; an agent's is a proposal
    that waits in the approval queue (the case does not pause until a manager approves)."""
    if not actor.can("arrangement.approve"):
        return arrangement_propose(account=account, installments=installments, actor=actor)
    today = clock.today()
    parsed = _installments(installments, today)
    case = _open_case_for(account)
    _covers(account, parsed, today)
    proposal = selectors.open_proposal(case=case)
    if proposal is not None:  # the manager's own arrangement replaces the proposal
        Arrangement.objects.filter(pk=proposal.pk).update(status=ArrangementStatus.SUPERSEDED, ended_on=today)
    arrangement = Arrangement(case=case, account=account, installments=_stored(parsed), created_on=today,
                              created_at=clock.now())
    return _activate(arrangement, case, parsed, actor)


@transaction.atomic
def arrangement_propose(*, account, installments, actor: Actor) -> Arrangement:
    """DLQ-4: an agent proposes; a manager approves from the approval queue."""
    actor.require("arrangement.propose", "proposing a payment arrangement")
    today = clock.today()
    parsed = _installments(installments, today)
    case = _open_case_for(account)
    proposal_check(case)
    _covers(account, parsed, today)
    now = clock.now()
    arrangement = Arrangement.objects.create(
        case=case, account=account, installments=_stored(parsed), status=ArrangementStatus.PROPOSED,
        created_on=today, created_at=now, proposed_by=str(actor), proposed_at=now,
    )
    total = sum((p["amount"] for p in parsed), ZERO)
    timeline.record("arrangement.proposed", account=account, actor=actor,
                    why="DLQ-4: proposed by an agent; a manager approves it", installments=parsed, total=total,
                    arrangement=arrangement.pk)
    _note(case, f"Payment arrangement proposed by {actor}: {_describe_installments(parsed)}. "
                "Waiting for a manager's approval in the approval queue.", actor)
    return arrangement


@transaction.atomic
def arrangement_approve(*, arrangement: Arrangement, actor: Actor) -> Arrangement:
    """DLQ-4: a manager approves a proposal; the coverage is checked again against
    today's balance, then the case pauses as for a manager's own arrangement."""
    actor.require("arrangement.approve", "approving a payment arrangement")
    arrangement = Arrangement.objects.select_for_update().select_related("account").get(pk=arrangement.pk)
    if arrangement.status != ArrangementStatus.PROPOSED:
        raise RuleRefusal(f"this arrangement is {arrangement.get_status_display().lower()}, not waiting for approval",
                          field="arrangement")
    case = Case.objects.select_for_update().get(pk=arrangement.case_id)
    if case.status != CaseStatus.OPEN:
        raise RuleRefusal("the delinquency case of this proposal is closed; there is nothing left to arrange",
                          field="arrangement")
    if selectors.active_arrangement(case=case) is not None:
        raise RuleRefusal("this case already has an active arrangement", field="arrangement")
    account = arrangement.account
    case.account = account
    parsed = _parsed(arrangement)
    today = clock.today()
    if parsed[0]["on"] < today:
        raise RuleRefusal(f"the first installment ({parsed[0]['on']}) is already past; decline this proposal "
                          "and propose new dates", field="installments")
    _covers(account, parsed, today)
    return _activate(arrangement, case, parsed, actor)


@transaction.atomic
def arrangement_decline(*, arrangement: Arrangement, actor: Actor, reason: str) -> Arrangement:
    """DLQ-4: a manager declines a proposal, with the reason the agent passes on."""
    actor.require("arrangement.approve", "declining a payment arrangement")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("say why the arrangement is declined", field="reason")
    arrangement = Arrangement.objects.select_for_update().select_related("account", "case").get(pk=arrangement.pk)
    if arrangement.status != ArrangementStatus.PROPOSED:
        raise RuleRefusal(f"this arrangement is {arrangement.get_status_display().lower()}, not waiting for approval",
                          field="arrangement")
    Arrangement.objects.filter(pk=arrangement.pk).update(
        status=ArrangementStatus.DECLINED, declined_by=str(actor), declined_reason=reason, ended_on=clock.today())
    arrangement.refresh_from_db()
    timeline.record("arrangement.declined", account=arrangement.account, actor=actor, why=f"DLQ-4: {reason}",
                    reason=reason, arrangement=arrangement.pk)
    _note(arrangement.case, f"Proposed arrangement declined by {actor}: {reason}", actor)
    return arrangement


def _activate(arrangement: Arrangement, case: Case, parsed: list[dict], actor) -> Arrangement:
    """What an approved arrangement does: contact (DLQ-2), the case pauses, the step's
    call tasks end (DLQ-3), and service that was shut off is reinstated (DLQ-7)."""
    account = case.account
    last_id = LedgerEntry.objects.filter(account=account).order_by("-id").values_list("id", flat=True).first() or 0
    arrangement.status = ArrangementStatus.ACTIVE
    arrangement.after_entry_id = last_id
    arrangement.check_after = parsed[0]["on"]
    arrangement.approved_by = str(actor)
    arrangement.approved_at = clock.now()
    arrangement.save()
    timeline.record("arrangement.created", account=account, actor=actor, why="DLQ-4: approved by a manager",
                    installments=parsed, total=sum((p["amount"] for p in parsed), ZERO),
                    **({"proposed_by": arrangement.proposed_by} if arrangement.proposed_by else {}))
    _contact(case, "arrangement")
    case.paused, case.resume_on, case.next_due_on = True, None, None
    _save(case, "paused", "resume_on", "next_due_on")
    _end_call_tasks(case, "the case is paused by an approved arrangement")
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
    return ScheduledEvent.objects.filter(key=disconnect_key(case.pk), status=ScheduledEventStatus.PENDING).exists()


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


def arrangements_due(as_of: dt.date) -> bool:
    """An active arrangement whose check day has passed (raw, indexed)."""
    return bulk.exists(
        f"SELECT 1 FROM {bulk.table(Arrangement)} WHERE status = %s AND check_after < %s LIMIT 1",
        [ArrangementStatus.ACTIVE, bulk.db_date(as_of, Arrangement)],
    )


def arrangements_check(*, as_of: dt.date, account_ids=None) -> int:
    """DLQ-4: the day after a missed installment the arrangement is broken and the
    case resumes that day at its next step not yet run (forced)."""
    if not arrangements_due(as_of):
        return 0  # issue 14: no arrangement to check today, found without the ORM
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

