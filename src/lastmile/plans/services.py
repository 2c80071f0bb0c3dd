"""Every write of a plan change (PKG-1..PKG-10) and its proration (BIL-2).

The order of the checks in `plan_change_request` is the procedure of seeds 000 and
003: the package must exist, differ and be sold (PKG-9); a Premium upgrade needs a
reason and no speed problems (PKG-3), asked before any price or consent; the
customer's identity and consent are recorded (PKG-6); a UTOPIA account waits for an admin (PKG-10); Premium waits for an
availability check when the address is not known to have it (PKG-4); a future date
schedules the change (PKG-7); otherwise it is applied with its prorated charge or
credit (BIL-2), no fee (BIL-3), and a summary email (PKG-8).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from lastmile.accounts.choices import PremiumAvailability
from lastmile.accounts.models import Account
from lastmile.accounts.selectors import email_addresses
from lastmile.accounts.services import premium_availability_set
from lastmile.billing.choices import ChargeKind
from lastmile.billing.cycle import next_cycle_date
from lastmile.billing.models import LedgerEntry
from lastmile.billing.proration import change_proration
from lastmile.billing.selectors import balance
from lastmile.billing.services import charge_post, entry_void
from lastmile.catalog.models import Package
from lastmile.comms.services import email_send
from lastmile.core import clock, hooks, ispconfig, timeline
from lastmile.core.actors import Actor
from lastmile.core.choices import AccountStatus, Network
from lastmile.core.errors import InvalidInput, RuleRefusal
from lastmile.core.money import ZERO, fmt
from lastmile.core.scheduling import event_schedule, scheduled_action
from lastmile.tickets.choices import TicketKind
from lastmile.tickets.services import task_create, ticket_close, ticket_open, ticket_resolver

from .choices import ChangeKind, ChangeStatus, Consent, PendingOn, TrialStatus
from .models import PlanChange, Trial
from .selectors import (
    active_trial,
    pending_change,
    plan_change_preview,
    proration_amount,
    resolve_package,
    statement_after_trial,
    statements_billed_during_trial,
)

_CLOSED = (AccountStatus.UNINSTALL, AccountStatus.CANCELLED)


# --- checks shared by a change and a trial -------------------------------------------
def _target(account: Account, to) -> tuple[Package, Package]:
    """PKG-9: an existing, different package that is still sold."""
    new = resolve_package(to)
    old = account.package
    if new.pk == old.pk:
        raise RuleRefusal(f"the account is already on {new.name}; choose another package", field="to")
    if not new.sold:
        sold = ", ".join(Package.objects.filter(sold=True).order_by("rank").values_list("code", flat=True))
        raise RuleRefusal(
            f"{new.name} is no longer sold, so the account cannot change to it; the packages sold are {sold}",
            field="to",
        )
    return old, new


def _check_account(account: Account) -> None:
    if account.status in _CLOSED:
        raise RuleRefusal(
            f"the account is {account.status}; its plan can no longer be changed", field="account"
        )


def _check_identity_and_consent(identity_verified: bool, consent, consent_reference: str) -> None:
    """PKG-6: identity verified (name, service address, account number) and the
    customer's consent recorded as written or verbal_recorded with a reference."""
    if not identity_verified:
        raise RuleRefusal(
            "verify the customer's identity (name, service address, account number) before changing the plan",
            field="identity_verified",
        )
    if consent not in Consent.values:
        raise RuleRefusal(
            "record the customer's consent (written or verbal_recorded) before changing the plan",
            field="consent",
        )
    if not str(consent_reference or "").strip():
        raise RuleRefusal(
            "give the consent's reference (the signed agreement or the call recording)",
            field="consent_reference",
        )


def trial_check(*, account: Account) -> None:
    """PKG-5: one trial at a time (the service and the console's offers both ask this)."""
    if active_trial(account=account) is not None:
        raise RuleRefusal("a trial is already running on this account; keep or revert it first", field="to")


def plan_change_check(*, account: Account) -> None:
    """PKG-9: the account still has service and no change waits on a ticket; a
    RuleRefusal says why not (the services and the console's offers both ask this)."""
    _check_account(account)
    _check_not_pending(account)


def _check_not_pending(account: Account) -> None:
    waiting = pending_change(account=account)
    if waiting is not None:
        raise RuleRefusal(
            f"a change to {waiting.to_package.name} is already waiting on the {waiting.pending_on} ticket; "
            "resolve that ticket first", field="to",
        )


def _availability(account: Account) -> str:
    address = getattr(account, "address", None)
    return address.premium_available if address is not None else PremiumAvailability.UNKNOWN


def _refuse_if_not_available(account: Account, new: Package) -> None:
    """PKG-4/PKG-9: a package known not to be sold at the address is refused."""
    if new.requires_review and _availability(account) == PremiumAvailability.NO:
        raise RuleRefusal(f"{new.name} is not sold at {account.address.one_line()}", field="to")


def _new_change(*, account, old, new, kind, actor, consent, consent_reference, identity_verified,
                reason="", speed_issues=False, effective=None, status=ChangeStatus.APPLIED) -> PlanChange:
    now = clock.now()
    return PlanChange.objects.create(
        account=account, from_package=old, to_package=new, kind=kind, status=status,
        requested_on=now.date(), requested_at=now, effective_on=effective, reason=reason or "",
        speed_issues=speed_issues, consent=consent, consent_reference=str(consent_reference)[:200],
        identity_verified=identity_verified, requested_by=str(actor),
    )


# --- the request -------------------------------------------------------------------
@transaction.atomic
def plan_change_request(
    *, account: Account, to, actor: Actor, reason: str = "", speed_issues: bool = False,
    consent: str | None = None, consent_reference: str = "", identity_verified: bool = True,
    effective: dt.date | None = None,
) -> PlanChange:
    """Ask for a change of package; returns the PlanChange and what became of it
    (applied, scheduled, pending on a ticket, or refused for speed issues)."""
    actor.require("plan.change", "changing a plan")
    account = Account.objects.select_related("package", "address").get(pk=account.pk)
    _check_account(account)
    old, new = _target(account, to)
    kind = ChangeKind.UPGRADE if new.rank > old.rank else ChangeKind.DOWNGRADE
    premium = kind == ChangeKind.UPGRADE and new.requires_review
    reason = (reason or "").strip()
    # PKG-3 comes first in the procedure: the reason and the speed question are asked
    # before any price or consent, and speed problems end it with no change to agree to
    if premium and not reason:
        raise RuleRefusal(
            f"ask why the customer wants {new.name} and record the reason before upgrading (PKG-3)",
            field="reason",
        )
    if premium and speed_issues:
        return _speed_issues(account=account, old=old, new=new, actor=actor, reason=reason,
                             consent=consent or "", consent_reference=consent_reference or "",
                             identity_verified=bool(identity_verified))
    _check_identity_and_consent(identity_verified, consent, consent_reference)
    today = clock.today()
    if effective is not None and effective < today:
        raise RuleRefusal(
            f"the effective date {effective} is in the past; a change is effective today or later (PKG-7)",
            field="effective",
        )
    if effective == today:
        effective = None
    _check_not_pending(account)
    _refuse_if_not_available(account, new)
    change = _new_change(
        account=account, old=old, new=new, kind=kind, actor=actor, consent=consent,
        consent_reference=consent_reference, identity_verified=identity_verified, reason=reason,
        speed_issues=speed_issues, effective=effective,
    )
    _quote(change, on=effective)
    _route(change, actor=actor, premium=premium)
    return change


def _quote(change: PlanChange, *, on: dt.date | None = None) -> None:
    """PKG-6: keep the price the customer agreed to (new monthly price, proration,
    next statement's date and amount), as the agent saw it."""
    preview = plan_change_preview(account=change.account, to=change.to_package, on=on)
    change.quoted = {
        "monthly": fmt(preview.monthly), "prorated": fmt(preview.prorated),
        "next_statement_on": preview.next_statement_on.isoformat(),
        "next_statement_amount": fmt(preview.next_statement_amount),
    }
    change.save(update_fields=["quoted"])


def _speed_issues(*, account, old, new, actor, reason, consent, consent_reference,
                  identity_verified) -> PlanChange:
    """PKG-3: we do not sell a package to fix a fault; troubleshoot instead."""
    change = _new_change(
        account=account, old=old, new=new, kind=ChangeKind.UPGRADE, actor=actor, consent=consent,
        consent_reference=consent_reference, identity_verified=identity_verified, reason=reason,
        speed_issues=True, status=ChangeStatus.REFUSED,
    )
    ticket = ticket_open(
        account=account, kind=TicketKind.TROUBLESHOOTING, actor=actor,
        subject=f"Speed problems reported while asking for {new.name}",
        notes=(f"The customer asked to upgrade from {old.name} to {new.name} ({reason}) and reported "
               "speed problems. The upgrade was not made (PKG-3): troubleshoot the current service first."),
        key=f"troubleshooting:plan_change:{change.pk}", data={"plan_change": change.pk},
        reason="PKG-3: speed problems are fixed, not sold a bigger package",
    )
    change.ticket_id = ticket.pk
    change.outcome = "speed issues: troubleshooting ticket opened, no change made"
    change.save(update_fields=["ticket_id", "outcome"])
    return change


def _route(change: PlanChange, *, actor: Actor, premium: bool) -> None:
    """PKG-10 then PKG-4: wait for an admin, or go ahead."""
    account = change.account
    if account.network == Network.UTOPIA:
        _wait(change, actor=actor, on=PendingOn.UTOPIA_ADMIN)
    elif premium and _availability(account) != PremiumAvailability.YES:
        _wait(change, actor=actor, on=PendingOn.PREMIUM_AVAILABILITY)
    else:
        _proceed(change, actor=actor)


def _wait(change: PlanChange, *, actor: Actor, on: str) -> None:
    """Open the admin's ticket and record `plan_change.pending` (to, reason)."""
    account, new = change.account, change.to_package
    what = {ChangeKind.TRIAL: f"a {new.name} trial", ChangeKind.REVERT: f"the trial revert to {new.name}"}.get(
        change.kind, f"the change to {new.name}")
    if on == PendingOn.UTOPIA_ADMIN:
        kind, resolver = TicketKind.UTOPIA_ADMIN, "plan_change"
        subject = f"UTOPIA account: apply {what}"
        # PKG-10; the note is read on screen, so it speaks of the answer, not of fields
        notes = (f"The customer asked for {what} (from {change.from_package.name}). Agents do not change "
                 "the package of a UTOPIA account: handle the account with UTOPIA, then answer this ticket "
                 "with \"Done with UTOPIA\" (the change applies that day) or \"Declined\" with the reason.")
    else:
        kind, resolver = TicketKind.PREMIUM_AVAILABILITY, "premium_availability"
        subject = f"Is {new.name} available at {account.address.one_line()}?"
        # PKG-4
        notes = (f"The customer asked for {what}. Check whether {new.name} is available at "
                 f"{account.address.one_line()} (address ID {account.address.address_id or 'none'}) and "
                 "answer this ticket: available applies the change that day, not available declines it; "
                 "the customer is told either way.")
    ticket = ticket_open(
        account=account, kind=kind, subject=subject, notes=notes, actor=actor,
        key=f"{kind}:plan_change:{change.pk}",
        data={"resolver": resolver, "plan_change": change.pk},
        reason=f"{'PKG-10' if on == PendingOn.UTOPIA_ADMIN else 'PKG-4'}: the change waits for an admin",
    )
    change.status = ChangeStatus.PENDING
    change.pending_on = on
    change.ticket_id = ticket.pk
    change.save(update_fields=["status", "pending_on", "ticket_id"])
    data = {"to": new.code, "reason": str(on)}
    if change.kind in (ChangeKind.TRIAL, ChangeKind.REVERT):
        data["change"] = str(change.kind)
    timeline.record("plan_change.pending", account=account, actor=actor,
                    why=f"waits on ticket #{ticket.pk}", **data)


def _proceed(change: PlanChange, *, actor: Actor) -> None:
    """Every gate passed: start the trial, schedule a future change (PKG-7), or apply."""
    if change.kind == ChangeKind.TRIAL:
        _trial_begin(change, actor=actor)
    elif change.kind == ChangeKind.REVERT:
        _revert_apply(change, actor=actor)
    elif change.effective_on is not None and change.effective_on > clock.today():
        event_schedule(
            account=change.account, action="plan_change", run_on=change.effective_on, actor=actor,
            key=f"plan_change:{change.pk}", payload={"plan_change": change.pk},
            reason=f"PKG-7: change to {change.to_package.code} effective {change.effective_on}",
        )
        change.status = ChangeStatus.SCHEDULED
        change.pending_on = ""
        change.save(update_fields=["status", "pending_on"])
    else:
        _apply(change, actor=actor)
        _end_trial_kept(change)
        _summary_email(change, actor=actor)


# --- applying ----------------------------------------------------------------------
def _move(change: PlanChange, *, actor: Actor, why: str) -> tuple[Account, Package, Package]:
    """Set the account's package and record `plan.changed` (from, to)."""
    account = Account.objects.select_related("package", "address").get(pk=change.account_id)
    old, new = account.package, change.to_package
    Account.objects.filter(pk=account.pk).update(package=new)
    account.package = new
    if change.from_package_id != old.pk:  # something else moved the account since the request
        change.from_package = old
    timeline.record(
        "plan.changed", account=account, actor=actor, why=why,
        **{"from": old.code, "to": new.code}, monthly=new.monthly, change=str(change.kind),
    )
    hooks.publish(hooks.PACKAGE_CHANGED, account=account, previous=old.code, to=new.code, actor=actor)
    return account, old, new


def _apply(change: PlanChange, *, actor: Actor) -> list[int]:
    """Move the package and post the BIL-2 proration: a charge for an upgrade, a
    credit for a downgrade, nothing when it comes to 0.00. No change fee (BIL-3)."""
    current = Account.objects.filter(pk=change.account_id).values_list("package_id", flat=True).get()
    if current == change.to_package_id:
        change.status = ChangeStatus.DECLINED
        change.outcome = "the account was already on this package"
        change.save(update_fields=["status", "outcome"])
        return []
    account, old, new = _move(change, actor=actor, why=f"{change.kind} requested by {change.requested_by}")
    today = clock.today()
    amount = proration_amount(account=account, old_monthly=old.monthly, new_monthly=new.monthly, on=today)
    ids = []
    if amount != ZERO:
        entry = charge_post(
            account=account, kind=ChargeKind.PRORATION, amount=amount, actor=actor,
            key=f"proration:{change.pk}",
            description=f"{old.name} to {new.name} from {today:%b %d}",
            reason=f"BIL-2: {change.kind} {old.code} to {new.code}",
        )
        if entry is not None:
            ids.append(entry.pk)
    change.status = ChangeStatus.APPLIED
    change.pending_on = ""
    change.applied_on = today
    change.proration_entry_ids = ids
    change.save(update_fields=["status", "pending_on", "applied_on", "proration_entry_ids", "from_package"])
    return ids


def _end_trial_kept(change: PlanChange) -> None:
    """A normal change while a trial runs ends the trial: the customer chose a package."""
    Trial.objects.filter(account_id=change.account_id, status=TrialStatus.ACTIVE).update(
        status=TrialStatus.KEPT
    )


def _summary_email(change: PlanChange, *, actor: Actor, prorated: Decimal | None = None) -> None:
    """PKG-8: the new plan, its price, the prorated charge or credit, the next bill date."""
    account = Account.objects.select_related("package").get(pk=change.account_id)
    if prorated is None:
        prorated = sum(
            LedgerEntry.objects.filter(pk__in=change.proration_entry_ids).values_list("amount", flat=True),
            ZERO,
        )
    today = clock.today()
    next_on = next_cycle_date(today, account.bill_cycle_day)
    next_amount = max(balance(account=account) + account.package.monthly, ZERO)
    email_send(
        template="plan_change_summary", to=email_addresses(account=account), account=account,
        actor=actor, key=f"plan_change_summary:{change.pk}", reason="PKG-8: change summary",
        context={
            "plan_name": account.package.name, "monthly": fmt(account.package.monthly),
            "prorated": fmt(abs(prorated)) if prorated else "", "prorated_is_credit": prorated < 0,
            "next_bill_date": next_on.strftime("%B %d, %Y").replace(" 0", " "),
            "next_bill_amount": fmt(next_amount),
            "effective": None,
        },
    )


@scheduled_action("plan_change")
def _run_scheduled_change(*, event, actor) -> str:
    """PKG-7: a future change is applied by the day run on its day."""
    change = PlanChange.objects.select_related("account", "to_package").filter(
        pk=(event.payload or {}).get("plan_change")
    ).first()
    if change is None or change.status != ChangeStatus.SCHEDULED:
        return "nothing to apply"
    if change.account.status in _CLOSED:
        change.status = ChangeStatus.DECLINED
        change.outcome = f"the account is {change.account.status}"
        change.save(update_fields=["status", "outcome"])
        return change.outcome
    _apply(change, actor=actor)
    if change.status == ChangeStatus.APPLIED:
        _end_trial_kept(change)
        _summary_email(change, actor=actor)
    return change.status


# --- trials (PKG-5) -----------------------------------------------------------------
@transaction.atomic
def trial_start(
    *, account: Account, to, actor: Actor, consent: str | None = None, consent_reference: str = "",
    identity_verified: bool = True,
) -> PlanChange:
    """PKG-5: a trial of a higher package. It is an upgrade with its prorated charge,
    through the same Premium and UTOPIA gates (no reason is asked for a trial)."""
    actor.require("plan.change", "starting a trial")
    account = Account.objects.select_related("package", "address").get(pk=account.pk)
    _check_account(account)
    old, new = _target(account, to)
    if new.rank <= old.rank:
        raise RuleRefusal(
            f"a trial is of a higher package than {old.name}; {new.name} is not higher (make a normal change)",
            field="to",
        )
    trial_check(account=account)
    _check_identity_and_consent(identity_verified, consent, consent_reference)
    _check_not_pending(account)
    _refuse_if_not_available(account, new)
    change = _new_change(
        account=account, old=old, new=new, kind=ChangeKind.TRIAL, actor=actor, consent=consent,
        consent_reference=consent_reference, identity_verified=identity_verified,
    )
    _quote(change)
    _route(change, actor=actor, premium=new.requires_review)
    return change


def _trial_begin(change: PlanChange, *, actor: Actor) -> Trial:
    today = clock.today()
    days = max(ispconfig.current().trial_days, 1)
    ends = today + dt.timedelta(days=days - 1)
    trial = Trial.objects.create(
        account_id=change.account_id, from_package=change.account.package, to_package=change.to_package,
        plan_change=change, started_on=today, ends_on=ends,
    )
    timeline.record("trial.started", account=change.account, actor=actor, why="PKG-5",
                    to=change.to_package.code, ends=ends, **{"from": change.account.package.code})
    ids = _apply(change, actor=actor)
    trial.from_package = change.from_package
    trial.proration_entry_ids = ids
    trial.save(update_fields=["from_package", "proration_entry_ids"])
    task_create(
        account=change.account, kind="trial_reminder", due_on=ends, key=f"trial_reminder:{trial.pk}",
        title=f"Last day of the {change.to_package.name} trial: ask whether the customer keeps it",
        data={"trial": trial.pk},
    )
    _summary_email(change, actor=actor)
    return trial


@transaction.atomic
def trial_revert(
    *, account: Account, actor: Actor, consent: str = Consent.VERBAL_RECORDED,
    consent_reference: str = "customer called to revert the trial", identity_verified: bool = True,
) -> PlanChange:
    """PKG-5: back to the old package, during the trial or after it until the next
    statement is issued; every prorated charge of the trial is voided, not credited."""
    actor.require("plan.change", "reverting a trial")
    account = Account.objects.select_related("package", "address").get(pk=account.pk)
    trial = active_trial(account=account)
    if trial is None:
        last = Trial.objects.filter(account=account).order_by("-started_on", "-id").first()
        if last is not None and last.status == TrialStatus.KEPT:
            trial = last  # kept by the day run: explain why below
        else:
            raise RuleRefusal(
                "there is no trial to revert on this account; make a normal downgrade instead", field="trial"
            )
    after = statement_after_trial(trial=trial)
    if after is not None or trial.status != TrialStatus.ACTIVE:
        raise RuleRefusal(
            f"there is no trial to revert: the {trial.to_package.name} trial ended on {trial.ends_on} and "
            + (f"the statement of {after.issued_on} has been issued since" if after else "it was kept")
            + "; make a normal downgrade instead",
            field="trial",
        )
    if account.package_id != trial.to_package_id:
        raise RuleRefusal("the account is no longer on the trial package; make a normal change instead",
                          field="trial")
    _check_identity_and_consent(identity_verified, consent, consent_reference)
    _check_not_pending(account)
    change = _new_change(
        account=account, old=trial.to_package, new=trial.from_package, kind=ChangeKind.REVERT,
        actor=actor, consent=consent, consent_reference=consent_reference,
        identity_verified=identity_verified,
    )
    if account.network == Network.UTOPIA:
        _wait(change, actor=actor, on=PendingOn.UTOPIA_ADMIN)
    else:
        _revert_apply(change, actor=actor)
    return change


def _revert_apply(change: PlanChange, *, actor: Actor) -> None:
    trial = active_trial(account=change.account)
    if trial is None:
        change.status = ChangeStatus.DECLINED
        change.outcome = "the trial had already ended"
        change.save(update_fields=["status", "outcome"])
        return
    account, old, new = _move(change, actor=actor, why="PKG-5: trial reverted")
    total = ZERO
    for entry in LedgerEntry.objects.filter(pk__in=trial.proration_entry_ids).order_by("id"):
        if not LedgerEntry.objects.filter(voids=entry).exists():
            entry_void(entry=entry, actor=actor, reason="PKG-5: a reverted trial's prorated charge is voided")
            total -= entry.amount
    # a statement issued during the trial billed the trial package's full price:
    # give the difference back for that period, so the trial costs nothing
    ids = []
    for stmt in statements_billed_during_trial(trial=trial, through=clock.today()):
        if stmt.recurring != trial.to_package.monthly:
            continue
        credit = change_proration(trial.to_package.monthly, trial.from_package.monthly, stmt.period_start,
                                  account.bill_cycle_day)
        if credit == ZERO:
            continue
        entry = charge_post(
            account=account, kind=ChargeKind.PRORATION, amount=credit, actor=actor,
            key=f"trial_revert:{trial.pk}:{stmt.period_start.isoformat()}",
            description=f"{trial.to_package.name} trial reverted: {stmt.period_start:%b %Y} billed at the trial price",
            reason="PKG-5: the statement issued during the trial billed the trial package",
        )
        if entry is not None:
            ids.append(entry.pk)
            total += credit
    trial.status = TrialStatus.REVERTED
    trial.reverted_on = clock.today()
    trial.save(update_fields=["status", "reverted_on"])
    timeline.record("trial.reverted", account=account, actor=actor, why="PKG-5", to=new.code,
                    **{"from": old.code})
    change.status = ChangeStatus.APPLIED
    change.pending_on = ""
    change.applied_on = clock.today()
    change.proration_entry_ids = ids
    change.save(update_fields=["status", "pending_on", "applied_on", "proration_entry_ids", "from_package"])
    _summary_email(change, actor=actor, prorated=total)


# --- resolving the admins' tickets ----------------------------------------------------
def _waiting(ticket) -> PlanChange | None:
    pk = (ticket.data or {}).get("plan_change")
    if pk is None:
        return None
    change = PlanChange.objects.select_related("account", "to_package", "from_package").filter(pk=pk).first()
    return change if change is not None and change.status == ChangeStatus.PENDING else None


def _decline(change: PlanChange, *, actor: Actor, reason: str, email: bool) -> None:
    change.status = ChangeStatus.DECLINED
    change.pending_on = ""
    change.outcome = reason
    change.save(update_fields=["status", "pending_on", "outcome"])
    timeline.record("plan_change.declined", account=change.account, actor=actor, why=reason,
                    to=change.to_package.code, reason=reason)
    if email:
        email_send(
            template="plan_change_declined", to=email_addresses(account=change.account),
            account=change.account, actor=actor, key=f"plan_change_declined:{change.pk}",
            context={"plan_name": change.to_package.name}, reason="PKG-4: the customer is told",
        )


@ticket_resolver("premium_availability")
def premium_availability_resolve(*, ticket, actor: Actor, answer: dict) -> None:
    """PKG-4: the admin's answer sets the address's flag; available applies the
    waiting change that day, unavailable declines it and tells the customer."""
    actor.require("premium.review", "answering a Premium availability check")
    if answer.get("premium_available") is None:
        raise InvalidInput(
            "say whether Premium is available at the address: premium_available true or false",
            field="premium_available",
        )
    available = bool(answer["premium_available"])
    premium_availability_set(account=ticket.account, available=available, actor=actor,
                             reason=f"Answered on ticket #{ticket.pk}.")
    change = _waiting(ticket)
    if change is not None:
        if available:
            _proceed(change, actor=actor)
        else:
            _decline(change, actor=actor, reason="premium_unavailable", email=True)
    ticket_close(ticket=ticket, actor=actor, reason="PKG-4 answered",
                 note=f"Premium {'is' if available else 'is not'} available at this address.")


@ticket_resolver("plan_change")
def utopia_plan_change_resolve(*, ticket, actor: Actor, answer: dict) -> None:
    """PKG-10: the admin has handled the account with UTOPIA; approved (the default)
    applies the waiting change or trial that day, declined leaves the account as it is.

    A Premium change whose address is now known not to have Premium is declined; one
    whose availability is unknown is applied, the admin's approval being the check.
    """
    actor.require("utopia.admin", "applying a change to a UTOPIA account")
    approved = answer.get("approved")
    approved = True if approved is None else bool(approved)
    change = _waiting(ticket)
    if change is not None:
        premium = change.to_package.requires_review and change.to_package.rank > change.from_package.rank
        if not approved:
            _decline(change, actor=actor, reason="utopia_admin", email=False)
        elif premium and _availability(change.account) == PremiumAvailability.NO:
            _decline(change, actor=actor, reason="premium_unavailable", email=True)
        else:
            _proceed(change, actor=actor)
    ticket_close(ticket=ticket, actor=actor, reason="PKG-10 handled with UTOPIA",
                 note="Approved and applied." if approved else "Declined.")
