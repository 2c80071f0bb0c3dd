"""Every write of cancellations and contracts (CAN-1 .. CAN-8, CON-1 .. CON-8).

A cancellation request takes one of three roads:
- a UTOPIA account (CAN-8, PKG-10): nothing on the account changes; an admin gets a
  `utopia_admin` ticket and the customer their lease options; when the admin has
  handled it with UTOPIA the cancellation proceeds from that day;
- a contract status `unknown` (CON-8): a `contract_lookup` ticket, and the
  cancellation waits for the answer;
- otherwise at once: the quote (CON-4..CON-7, CAN-7), then the confirmation
  (CAN-1..CAN-5). The request as recorded is the agent's confirmation after quoting,
  so an ETF is charged right after the quote (CON-7).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.db import transaction

from lastmile.accounts.models import Account
from lastmile.accounts.selectors import email_addresses
from lastmile.accounts.services import account_create, account_status_set
from lastmile.billing.choices import ChargeKind
from lastmile.billing.models import LedgerEntry
from lastmile.billing.proration import prorate_through
from lastmile.billing.services import charge_post, entry_void
from lastmile.comms.services import email_send
from lastmile.core import clock, ispconfig, timeline
from lastmile.core.actors import Actor, automation
from lastmile.core.bulk import exists, table
from lastmile.core.calendar import first_weekday_on_or_after
from lastmile.core.choices import AccountStatus, Network
from lastmile.core.dayrun import daily_job
from lastmile.core.errors import InvalidInput, NotFound, RuleRefusal
from lastmile.core.money import ZERO, fmt
from lastmile.core.scheduling import event_schedule, scheduled_action
from lastmile.network.services import noc_request
from lastmile.tickets.choices import TicketKind
from lastmile.tickets.models import Task, Ticket
from lastmile.tickets.services import (
    task_complete,
    task_create,
    ticket_close,
    ticket_note_add,
    ticket_open,
    ticket_resolver,
)

from . import contract_spec, selectors
from .choices import CancellationStatus, ContractKind, ContractStatus, EquipmentState
from .models import AccountContractStatus, Cancellation, Contract
from .utopia_lease import lease_options

_ONE_DAY = dt.timedelta(days=1)


# --- contracts (CON-1, CON-2, CON-8) ---
@transaction.atomic
def contract_status_set(*, account, status: str, actor: Actor | str, reason: str = "") -> None:
    """CON-8: `none` (month-to-month), `known`, or `unknown` (needs a lookup)."""
    if status not in ContractStatus.values:
        raise InvalidInput(f"contract status must be one of {', '.join(ContractStatus.values)}", field="contract")
    AccountContractStatus.objects.update_or_create(
        account=account, defaults={"status": status, "updated_at": clock.now()}
    )
    timeline.record("contract.status_set", account=account, actor=actor, why=reason, status=status)


@transaction.atomic
def contract_record(
    *, account, kind: str, start: dt.date, actor: Actor | str, months: int | None = None,
    monthly: Decimal | None = None, source: str = "", signed: dt.date | None = None,
    etf_override: Decimal | None = None, reason: str = "",
) -> Contract:
    """CON-1: record a contract; CON-2: a renewal appends, the latest signature counts,
    and a residential term never exceeds 12 months."""
    if isinstance(actor, Actor):
        actor.require("account.change", "recording a contract")
    if kind not in ContractKind.values:
        raise InvalidInput(f"contract kind must be one of {', '.join(ContractKind.values)}", field="kind")
    if months is None:
        if kind != ContractKind.UTOPIA_LEASE:
            raise InvalidInput("a contract needs its term in months", field="months")
        months = ispconfig.current().utopia_lease_months
    if months < 1:
        raise InvalidInput("a contract term is at least one month", field="months")
    if kind == ContractKind.RESIDENTIAL and months > 12:
        raise RuleRefusal(
            f"residential terms never exceed 12 months (CON-2); {months} months is not a residential term",
            field="months",
        )
    contract = Contract.objects.create(
        account=account, kind=kind, source=source or "", start=start, months=months, monthly=monthly,
        signed=signed, etf_override=etf_override, recorded_at=clock.now(), recorded_by=str(actor),
    )
    AccountContractStatus.objects.update_or_create(
        account=account, defaults={"status": ContractStatus.KNOWN, "updated_at": clock.now()}
    )
    timeline.record(
        "contract.recorded", account=account, actor=actor, why=reason, kind=kind, source=source or None,
        start=start, months=months, ends=selectors.contract_end(contract),
        monthly=monthly, etf_override=etf_override,
    )
    return contract


def contract_apply_spec(*, account, parsed, actor: Actor | str, reason: str = "") -> None:
    """Record what contract_spec.parse read: `none`, `unknown`, or contract rows."""
    if parsed == contract_spec.NONE:
        contract_status_set(account=account, status=ContractStatus.NONE, actor=actor, reason=reason)
    elif parsed == contract_spec.UNKNOWN:
        contract_status_set(account=account, status=ContractStatus.UNKNOWN, actor=actor, reason=reason)
    else:
        for row in parsed:
            contract_record(account=account, actor=actor, reason=reason, **row)


def parse_contract(contract):
    """The scenario format's `contract:` (CON-1..3, CAN-8) with a sentence naming its field."""
    try:
        return contract_spec.parse(contract, default_lease_months=ispconfig.current().utopia_lease_months)
    except ValueError as exc:
        message = str(exc)
        named = re.match(r"^contract (\w+)[: ]", message)
        field = f"contract.{named.group(1)}" if named and named.group(1) != "kind" else "contract"
        if "kind must be" in message:
            field = "contract.kind"
        raise InvalidInput(message, field=field) from None


@transaction.atomic
def account_open(*, contract=None, **fields):
    """Onboarding by a person (console, API): `account_create` with the address ID
    that must be unique among live accounts (NET-2), and the contract or UTOPIA lease
    given at opening (CON-1..3, CAN-8), checked before anything is written."""
    parsed = None if contract is None else parse_contract(contract)
    account = account_create(unique_address_id=True, **fields)
    if parsed is not None:
        contract_apply_spec(account=account, parsed=parsed, actor=fields["actor"],
                            reason="the contract given when the account was opened")
    return account


@transaction.atomic
def contract_add(*, account, contract, actor: Actor, reason: str = "") -> list[Contract]:
    """CON-1..3 / CAN-8 from a person: a contract or a UTOPIA lease in the scenario
    format's shape (contract_spec), recorded by `contract_apply_spec`. A residential
    contract goes on a residential account, a commercial one on a commercial account,
    and a UTOPIA lease only on a UTOPIA account: anything else is a typing mistake."""
    actor.require("account.change", "adding a contract")
    if not isinstance(contract, dict):
        raise InvalidInput("give the contract's kind and its fields (start, months ...)", field="contract")
    parsed = parse_contract(contract)
    kind = parsed[0]["kind"]
    if kind == ContractKind.UTOPIA_LEASE and account.network != Network.UTOPIA:
        raise RuleRefusal(
            f"a UTOPIA lease belongs to a UTOPIA account; account {account.number} is on "
            f"{account.get_network_display().lower()}", field="contract.kind",
        )
    if kind in (ContractKind.RESIDENTIAL, ContractKind.COMMERCIAL) and kind != account.kind:
        raise RuleRefusal(
            f"account {account.number} is a {account.kind} account; a {kind} contract does not belong on it",
            field="contract.kind",
        )
    before = set(Contract.objects.filter(account=account).values_list("pk", flat=True))
    contract_apply_spec(account=account, parsed=parsed, actor=actor, reason=reason or "contract added by a person")
    return list(Contract.objects.filter(account=account).exclude(pk__in=before).order_by("start", "id"))


# --- the request (CAN-1, CAN-8, CON-8) ---
def cancellation_check(*, account) -> None:
    """CAN-1: there is service left to cancel and no cancellation under way; a
    RuleRefusal says why not (the service and the console's offers both ask this)."""
    if account.status in (AccountStatus.UNINSTALL, AccountStatus.CANCELLED):
        raise RuleRefusal(f"the account is already {account.status}; there is no service left to cancel",
                          field="account")
    existing = selectors.open_cancellation(account=account)
    if existing is not None:
        raise RuleRefusal(
            f"a cancellation with last day {existing.last_day} is already under way "
            f"({existing.get_status_display().lower()}); it cannot be requested twice",
            field="account",
        )


@transaction.atomic
def cancellation_request(
    *, account: Account, last_day: dt.date | None, reason: str | None, actor: Actor,
    prorate_final_month: bool = False, moved_out: bool = False, improve: str = "",
) -> Cancellation:
    """CAN-1: the last day of service and the reason are required; what we could have
    done better is optional. See the module docstring for what follows."""
    actor.require("cancellation.request", "cancelling an account")
    if last_day is None:
        raise InvalidInput("a cancellation needs the last day of service (CAN-1); ask the customer", field="last_day")
    if not isinstance(last_day, dt.date):
        raise InvalidInput(f"{last_day!r} is not a date (YYYY-MM-DD)", field="last_day")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "a cancellation needs the customer's reason (CAN-1); ask why they are cancelling", field="reason"
        )
    today = clock.today()
    if last_day < today:
        raise RuleRefusal(
            f"the last day of service {last_day} is in the past; it can be today ({today}) at the earliest",
            field="last_day",
        )
    account.refresh_from_db()
    cancellation_check(account=account)
    now = clock.now()
    in_time = selectors.final_statement(account=account, last_day=last_day) is None
    cancellation = Cancellation.objects.create(
        account=account, status=CancellationStatus.CONFIRMED, requested_on=today, requested_at=now,
        requested_by=str(actor), last_day=last_day, reason=reason, improve=(improve or "").strip(),
        moved_out=bool(moved_out), prorate_requested=bool(prorate_final_month),
        prorate_in_time=bool(prorate_final_month) and in_time,
    )
    timeline.record(
        "cancellation.requested", account=account, actor=actor, why=reason, last_day=last_day,
        reason=reason, prorate_final_month=bool(prorate_final_month), moved_out=bool(moved_out),
    )
    if account.network == Network.UTOPIA:
        _wait_for_utopia_admin(cancellation, actor)
    else:
        _proceed(cancellation, actor)
    return cancellation


def _set_status(cancellation: Cancellation, status: str, **fields) -> None:
    Cancellation.objects.filter(pk=cancellation.pk).update(status=status, **fields)
    cancellation.status = status
    for key, value in fields.items():
        setattr(cancellation, key, value)


def _wait_for_utopia_admin(cancellation: Cancellation, actor) -> None:
    """CAN-8 / PKG-10: an agent does not change a UTOPIA account; the admin handles it
    with UTOPIA first. The customer is told their lease options now."""
    account = cancellation.account
    settings = ispconfig.current()
    lease = selectors.current_lease(account=account)
    options = lease_options(
        signed=lease.start if lease else None, last_day=cancellation.last_day,
        lease_months=lease.months if lease else settings.utopia_lease_months,
        utopia_etf=settings.utopia_etf, finish_max_months=settings.finish_lease_max_months,
    )
    _set_status(cancellation, CancellationStatus.WAITING_UTOPIA)
    notes = [
        f"Customer asks to cancel; requested last day of service {cancellation.last_day}.",
        f"Reason: {cancellation.reason}",
    ]
    if cancellation.improve:
        notes.append(f"What we could have done better: {cancellation.improve}")
    if lease:
        notes.append(
            f"UTOPIA lease signed {lease.start}; penalty-free from {options.penalty_free_on}; "
            f"{options.months_left} month(s) left; UTOPIA ETF {fmt(options.etf)}; "
            f"recommended: {options.recommend.replace('_', ' ')}."
        )
    else:
        notes.append("No UTOPIA lease on file.")
    notes.append("Handle the account with UTOPIA, then answer this ticket: \"Done with UTOPIA\" (the "
                 "cancellation proceeds that day) or \"Declined\" with the reason.")
    ticket_open(
        account=account, kind=TicketKind.UTOPIA_ADMIN,
        subject=f"UTOPIA cancellation request: last day {cancellation.last_day}",
        notes="\n".join(notes), actor=actor, key=f"utopia_admin:cancellation:{cancellation.pk}",
        data={"resolver": "cancellation", "cancellation": cancellation.pk},
        reason="CAN-8: a UTOPIA cancellation is handled by an admin with UTOPIA first",
    )
    timeline.record(
        "utopia.options", account=account, actor=actor, why="CAN-8: the customer's UTOPIA lease options",
        penalty_free_on=options.penalty_free_on, months_left=options.months_left, etf=options.etf,
        recommend=options.recommend, last_day=cancellation.last_day,
        lease_start=lease.start if lease else None,
    )
    email_send(
        template="utopia_options", to=email_addresses(account=account), account=account, actor=actor,
        key=f"utopia_options:{cancellation.pk}", reason="CAN-8",
        context={"penalty_free_on": options.penalty_free_on, "months_left": options.months_left,
                 "etf": fmt(options.etf), "recommend": options.recommend, "last_day": cancellation.last_day,
                 "has_lease": lease is not None,
                 "finish_lease_max_months": settings.finish_lease_max_months},
    )


def _proceed(cancellation: Cancellation, actor) -> None:
    """CON-8: with the contract unknown, a lookup first; otherwise quote and confirm."""
    account = cancellation.account
    if selectors.contract_status(account=account) == ContractStatus.UNKNOWN:
        _set_status(cancellation, CancellationStatus.WAITING_CONTRACT)
        ticket_open(
            account=account, kind=TicketKind.CONTRACT_LOOKUP,
            subject=f"Find the contract of {account.name} (cancellation, last day {cancellation.last_day})",
            notes=(
                "The contract status of this account is unknown. Look for a digital contract, a paper "
                "service order or a commercial service agreement, and answer this ticket with the "
                "contract found, or \"No contract\" (month-to-month). The cancellation waits for the answer."
            ),
            actor=actor, key=f"contract_lookup:cancellation:{cancellation.pk}",
            data={"resolver": "contract_lookup", "cancellation": cancellation.pk},
            reason="CON-8: the contract status is unknown",
        )
        return
    _quote(cancellation, actor)
    _confirm(cancellation, actor)


def _quote(cancellation: Cancellation, actor) -> None:
    """CON-4..CON-7 and CAN-7: whether the customer is bound, the ETF, and the final
    bill; under contract, the service agreement is emailed and the ETF charged."""
    account = cancellation.account
    account.refresh_from_db()
    settings = ispconfig.current()
    quote = selectors.contract_quote(
        account=account, requested_on=cancellation.requested_on, residential_cap=settings.residential_etf_cap
    )
    prorate_ok = cancellation.prorate_requested and cancellation.prorate_in_time
    preview = selectors.final_bill_preview(
        account=account, last_day=cancellation.last_day, as_of=clock.today(),
        etf=quote.etf if quote.under_contract else ZERO, prorate=prorate_ok,
    )
    Cancellation.objects.filter(pk=cancellation.pk).update(
        under_contract=quote.under_contract, etf=quote.etf, months_remaining=quote.months_remaining,
    )
    cancellation.under_contract, cancellation.etf = quote.under_contract, quote.etf
    cancellation.months_remaining = quote.months_remaining
    timeline.record(
        "cancellation.quoted", account=account, actor=actor, why="CAN-7 / CON-4: quoted before confirming",
        under_contract=quote.under_contract, etf=quote.etf, months_remaining=quote.months_remaining,
        contract_kind=quote.contract.kind if quote.contract else None, contract_end=quote.end,
        last_day=cancellation.last_day, prorate_final_month=prorate_ok,
        prorate_too_late=cancellation.prorate_requested and not cancellation.prorate_in_time,
        final_bill=preview,
    )
    if not quote.under_contract:
        return
    email_send(
        template="service_agreement", to=email_addresses(account=account), account=account, actor=actor,
        key=f"service_agreement:{cancellation.pk}", reason="CON-7: a copy of the service agreement",
        context={"contract_end": quote.end, "etf": fmt(quote.etf), "months_remaining": quote.months_remaining,
                 "contract_kind": quote.contract.kind, "monthly": fmt(quote.monthly)},
    )
    if quote.etf > ZERO:
        charge_post(
            account=account, kind=ChargeKind.ETF, amount=quote.etf, actor=actor, key=f"etf:{cancellation.pk}",
            description=f"early termination fee: {quote.months_remaining} month(s) left of a "
                        f"{quote.contract.kind} contract ending {quote.end}",
            reason="CON-7: the ETF is charged when the cancellation is confirmed",
        )


def _confirm(cancellation: Cancellation, actor) -> None:
    """CAN-1..CAN-5: service through the last day, uninstall the day after, the
    ticket, the pickup in float and the customer's confirmation."""
    account = cancellation.account
    settings = ispconfig.current()
    today = clock.today()
    last_day = cancellation.last_day

    # CAN-4: prorate the final month only when asked before its statement was issued
    prorate_flag = False
    prorate_applied = False
    if cancellation.prorate_requested and cancellation.prorate_in_time:
        issued = selectors.final_statement(account=account, last_day=last_day)
        if issued is None:
            prorate_flag = prorate_applied = True
        else:
            # asked in time, but the statement came out while the request waited for
            # an admin or a contract lookup: credit the days after the last day
            credit = issued.recurring - prorate_through(issued.recurring, last_day, account.bill_cycle_day)
            if credit > ZERO:
                charge_post(
                    account=account, kind=ChargeKind.PRORATION, amount=-credit, actor=actor,
                    key=f"final_month:{cancellation.pk}",
                    description=f"final month prorated through {last_day}",
                    reason="CAN-4: the customer asked for a prorated final month in time",
                )
            prorate_applied = True
    Account.objects.filter(pk=account.pk).update(service_end=last_day, prorate_final_month=prorate_flag)
    account.service_end, account.prorate_final_month = last_day, prorate_flag
    too_late = cancellation.prorate_requested and not cancellation.prorate_in_time

    uninstall_on = last_day + _ONE_DAY
    short_notice = last_day < cancellation.requested_on + dt.timedelta(days=settings.notice_days)
    pickup_on = first_weekday_on_or_after(max(uninstall_on, today))
    _set_status(
        cancellation, CancellationStatus.CONFIRMED, confirmed_on=today, uninstall_on=uninstall_on,
        pickup_on=pickup_on, short_notice=short_notice, prorate_applied=prorate_applied,
    )
    timeline.record(
        "cancellation.confirmed", account=account, actor=actor, why="CAN-1", last_day=last_day,
        uninstall_on=uninstall_on, pickup_on=pickup_on, short_notice=short_notice,
        prorate_final_month=prorate_applied, prorate_too_late=too_late,
    )

    if uninstall_on > today:
        event_schedule(
            account=account, action="uninstall", run_on=uninstall_on, actor=actor,
            key=f"uninstall:cancellation:{cancellation.pk}", payload={"cancellation": cancellation.pk},
            reason="CAN-1: status uninstall on the day after the last day",
        )
    notes = [f"Cancellation: last day of service {last_day}; uninstall on {uninstall_on}.",
             f"Reason: {cancellation.reason}"]
    if cancellation.improve:
        notes.append(f"What we could have done better: {cancellation.improve}")
    if short_notice:
        notes.append(f"SHORT NOTICE: less than {settings.notice_days} days' notice (CAN-3); plan the pickup.")
    if cancellation.under_contract:
        notes.append(f"Under contract: ETF {fmt(cancellation.etf)} charged "
                     f"({cancellation.months_remaining} month(s) remaining); service agreement emailed.")
    if prorate_applied:
        notes.append(f"Final month prorated through {last_day} (CAN-4).")
    elif too_late:
        notes.append("The customer asked for a prorated final month after its statement was issued: "
                     "too late, the final month is billed in full (CAN-4).")
    if cancellation.moved_out:
        notes.append(f"Customer has moved out; told of the {fmt(settings.equipment_fee)} replacement fee.")
    notes.append(f"Equipment pickup in float from {pickup_on} (weekdays); POE in a plastic bag on the porch.")
    ticket = ticket_open(
        account=account, kind=TicketKind.CANCELLATION, subject=f"Uninstall: last day of service {last_day}",
        notes="\n".join(notes), actor=actor, key=f"cancellation:{cancellation.pk}",
        data={"resolver": "cancellation", "cancellation": cancellation.pk, "short_notice": short_notice},
        reason="CAN-2",
    )

    if uninstall_on <= today:
        # confirmed late (an admin or a lookup answered after the last day): today's
        # early-morning run is over, so the uninstall happens now
        _uninstall(cancellation, actor)
    task_create(
        account=account, kind="equipment_pickup", due_on=pickup_on, key=f"equipment_pickup:{cancellation.pk}",
        title=f"Pick up the POE (float, no appointment) at {getattr(account, 'address', '')}",
        data={"cancellation": cancellation.pk, "ticket": ticket.pk},
    )
    event_schedule(
        account=account, action="equipment_pickup", run_on=pickup_on, actor=actor,
        key=f"equipment_pickup:cancellation:{cancellation.pk}", payload={"cancellation": cancellation.pk},
        reason="CAN-5: equipment pickup in float, the first weekday on or after the uninstall date",
    )
    email_send(
        template="cancellation_confirmation", to=email_addresses(account=account), account=account, actor=actor,
        key=f"cancellation_confirmation:{cancellation.pk}", reason="CAN-5",
        context={"last_day": last_day, "uninstall_on": uninstall_on, "pickup_on": pickup_on,
                 "moved_out": cancellation.moved_out, "equipment_fee": fmt(settings.equipment_fee),
                 "equipment_return_days": settings.equipment_return_days,
                 "under_contract": cancellation.under_contract, "etf": fmt(cancellation.etf),
                 "prorated": prorate_applied, "utopia": account.network == Network.UTOPIA},
    )


def _uninstall(cancellation: Cancellation, actor) -> str:
    """CAN-1: status `uninstall` on the day after the last day. NET-1: the network is
    told through its adapter: CAN-8, canceling with us also ends the UTOPIA service
    (a NOC cancel request); a wireless account gets a disconnect work order."""
    account = Account.objects.select_related("address").get(pk=cancellation.account_id)
    done = []
    if account.status != AccountStatus.CANCELLED:
        account_status_set(account=account, to=AccountStatus.UNINSTALL, actor=actor,
                           reason="CAN-1: the day after the last day of service")
        done.append("status uninstall")
        if account.network == Network.UTOPIA:
            noc_request(account=account, operation="cancel", actor=actor,
                        key=f"cancel:cancellation:{cancellation.pk}",
                        why="CAN-8: canceling with us also ends the UTOPIA service")
            done.append("NOC cancel requested")
        else:
            noc_request(account=account, operation="disconnect", actor=actor,
                        key=f"disconnect:cancellation:{cancellation.pk}",
                        why="NET-1: a wireless cancellation is a disconnect work order")
            done.append("disconnect work order sent")
    Cancellation.objects.filter(pk=cancellation.pk, status=CancellationStatus.CONFIRMED).update(
        status=CancellationStatus.UNINSTALLED
    )
    cancellation.status = CancellationStatus.UNINSTALLED
    ticket = _ticket_of(cancellation)
    if ticket is not None and done:
        ticket_note_add(ticket=ticket, body=f"Uninstall day: {', '.join(done)}.", actor=actor)
    return ", ".join(done) or "account already cancelled"


def _ticket_of(cancellation: Cancellation) -> Ticket | None:
    return Ticket.objects.filter(key=f"cancellation:{cancellation.pk}").first()


def _pickup_task(cancellation: Cancellation) -> Task | None:
    return Task.objects.filter(key=f"equipment_pickup:{cancellation.pk}").first()


@scheduled_action("uninstall")
def _uninstall_due(*, event, actor):
    cancellation = Cancellation.objects.filter(pk=(event.payload or {}).get("cancellation")).first()
    if cancellation is None or cancellation.status != CancellationStatus.CONFIRMED:
        return "no confirmed cancellation"
    return _uninstall(cancellation, actor)


@scheduled_action("equipment_pickup")
def _pickup_due(*, event, actor):
    """CAN-5: the pickup enters the technicians' float today; the task is in the queue."""
    cancellation = Cancellation.objects.filter(pk=(event.payload or {}).get("cancellation")).first()
    if cancellation is None or cancellation.equipment != EquipmentState.PENDING:
        return "nothing to pick up"
    ticket = _ticket_of(cancellation)
    if ticket is not None:
        ticket_note_add(ticket=ticket, body="Equipment pickup is due from today (float, weekdays).", actor=actor)
    return "pickup due"


# --- resolving the tickets (CAN-8, CON-8) ---
@ticket_resolver("cancellation")
def _resolve_cancellation(*, ticket: Ticket, actor: Actor, answer: dict) -> None:
    """A utopia_admin ticket: the admin handled the account with UTOPIA (CAN-8); the
    cancellation proceeds today (or is declined with `approved: false`). A cancellation
    ticket: the work is done, the ticket closes."""
    if ticket.kind == TicketKind.CANCELLATION:
        actor.require("ticket.work", "closing a cancellation ticket")
        ticket_close(ticket=ticket, actor=actor, note="Cancellation handled.")
        return
    actor.require("utopia.admin", "handling a UTOPIA cancellation")
    cancellation = Cancellation.objects.filter(pk=(ticket.data or {}).get("cancellation")).first()
    if cancellation is None or cancellation.status != CancellationStatus.WAITING_UTOPIA:
        raise RuleRefusal("this ticket's cancellation is no longer waiting for the UTOPIA admin", field="ticket")
    approved = answer.get("approved", True)
    if approved is None:
        approved = True
    if not approved:
        _set_status(cancellation, CancellationStatus.DECLINED)
        timeline.record("cancellation.declined", account=ticket.account, actor=actor, why="CAN-8",
                        last_day=cancellation.last_day)
        ticket_close(ticket=ticket, actor=actor, note="Not cancelled: the customer keeps the service (CAN-8).")
        return
    ticket_note_add(ticket=ticket, body="Handled with UTOPIA; the cancellation proceeds today.", actor=actor)
    _proceed(cancellation, actor)
    ticket_close(ticket=ticket, actor=actor, reason="CAN-8: handled with UTOPIA")


@ticket_resolver("contract_lookup")
def _resolve_contract_lookup(*, ticket: Ticket, actor: Actor, answer: dict) -> None:
    """CON-8: the onboarding specialist found the contract (or found none); the
    cancellation that waited continues today."""
    actor.require("contract.lookup", "recording a contract lookup")
    value = answer.get("contract")
    if value is None:
        raise InvalidInput(
            "answer with the contract found: `none` (month-to-month) or the contract (kind, start, months ...)",
            field="contract",
        )
    try:
        parsed = contract_spec.parse(value)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="contract") from None
    if parsed == contract_spec.UNKNOWN:
        raise RuleRefusal("the lookup must settle the contract: answer `none` or the contract found", field="contract")
    contract_apply_spec(account=ticket.account, parsed=parsed, actor=actor, reason="CON-8: contract lookup")
    cancellation = Cancellation.objects.filter(pk=(ticket.data or {}).get("cancellation")).first()
    if cancellation is not None and cancellation.status == CancellationStatus.WAITING_CONTRACT:
        _quote(cancellation, actor)
        _confirm(cancellation, actor)
    found = "no contract (month-to-month)" if parsed == contract_spec.NONE else f"a {parsed[-1]['kind']} contract"
    ticket_close(ticket=ticket, actor=actor, note=f"Lookup done: {found}.", reason="CON-8")


# --- equipment (CAN-5, CAN-6) ---
def _cancellation_for_equipment(account) -> Cancellation:
    cancellation = selectors.confirmed_cancellation(account=account)
    if cancellation is None:
        waiting = selectors.open_cancellation(account=account)
        if waiting is not None:
            raise RuleRefusal(
                "the cancellation is not confirmed yet (it waits for an admin or a contract lookup); "
                "there is no equipment pickup yet", field="account",
            )
        raise NotFound("there is no cancellation on this account, so no equipment to pick up", field="account")
    return cancellation


def _fee_entry(cancellation: Cancellation) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(key=f"equipment_fee:{cancellation.pk}").first()


@transaction.atomic
def equipment_returned(*, account, actor: Actor) -> Cancellation:
    """CAN-6: the POE came back, so no replacement fee; a fee already charged for it is
    voided (the customer returned it after all)."""
    actor.require("ticket.work", "recording returned equipment")
    cancellation = _cancellation_for_equipment(account)
    if cancellation.equipment == EquipmentState.RETURNED:
        raise RuleRefusal(f"the equipment was already recorded as returned on {cancellation.equipment_on}",
                          field="equipment")
    today = clock.today()
    fee = _fee_entry(cancellation)
    if fee is not None and not LedgerEntry.objects.filter(voids=fee).exists():
        entry_void(entry=fee, actor=actor, reason="CAN-6: the equipment was returned after all")
    Cancellation.objects.filter(pk=cancellation.pk).update(equipment=EquipmentState.RETURNED, equipment_on=today)
    cancellation.equipment, cancellation.equipment_on = EquipmentState.RETURNED, today
    timeline.record("equipment.returned", account=account, actor=actor, why="CAN-6", on=today)
    task = _pickup_task(cancellation)
    if task is not None:
        task_complete(task=task)
    ticket = _ticket_of(cancellation)
    if ticket is not None:
        ticket_note_add(ticket=ticket, body=f"Equipment returned on {today}.", actor=actor)
    return cancellation


@transaction.atomic
def pickup_failed(*, account, actor: Actor) -> Cancellation:
    """CAN-6: the technician could not collect the POE: the replacement fee is charged now."""
    actor.require("ticket.work", "recording a failed pickup")
    cancellation = _cancellation_for_equipment(account)
    if cancellation.equipment == EquipmentState.RETURNED:
        raise RuleRefusal(f"the equipment was returned on {cancellation.equipment_on}; there is no fee",
                          field="equipment")
    if cancellation.equipment in (EquipmentState.FAILED, EquipmentState.FEE_CHARGED):
        raise RuleRefusal(f"the replacement fee was already charged on {cancellation.equipment_on}",
                          field="equipment")
    _charge_equipment_fee(cancellation, actor, EquipmentState.FAILED, "CAN-6: pickup failed")
    timeline.record("equipment.pickup_failed", account=account, actor=actor, why="CAN-6")
    task = _pickup_task(cancellation)
    if task is not None:
        task_complete(task=task)
    return cancellation


def _charge_equipment_fee(cancellation: Cancellation, actor, state: str, why: str) -> bool:
    """Claim the pending equipment (a conditional update, so two workers charge once),
    then post the fee under its natural key."""
    fee = ispconfig.current().equipment_fee
    today = clock.today()
    claimed = Cancellation.objects.filter(pk=cancellation.pk, equipment=EquipmentState.PENDING).update(
        equipment=state, equipment_on=today
    )
    if not claimed:
        return False
    cancellation.equipment, cancellation.equipment_on = state, today
    if fee > ZERO:
        charge_post(
            account=cancellation.account, kind=ChargeKind.EQUIPMENT_FEE, amount=fee, actor=actor,
            key=f"equipment_fee:{cancellation.pk}", description="equipment (POE) not returned", reason=why,
        )
    ticket = _ticket_of(cancellation)
    if ticket is not None:
        ticket_note_add(ticket=ticket, body=f"Equipment not returned: replacement fee {fmt(fee)} charged ({why}).",
                        actor=actor)
    return True


def _equipment_out(as_of: dt.date) -> bool:
    return exists(f"SELECT 1 FROM {table(Cancellation)} WHERE equipment = %s LIMIT 1", [EquipmentState.PENDING])


@daily_job("equipment_fees", order=50, due=lambda as_of: _equipment_out(as_of))
def equipment_fee_job(*, as_of: dt.date, account_ids=None) -> int:
    """CAN-6: the replacement fee, `equipment_return_days` (14) after the uninstall date
    with no return recorded; once, by the natural key. Set-based: only cancellations
    whose equipment is still pending and overdue are read (indexed)."""
    days = ispconfig.current().equipment_return_days
    if not _equipment_out(as_of):
        return 0  # a quiet day: no equipment is out
    qs = Cancellation.objects.filter(
        equipment=EquipmentState.PENDING, uninstall_on__lte=as_of - dt.timedelta(days=days),
        status__in=(CancellationStatus.CONFIRMED, CancellationStatus.UNINSTALLED),
    )
    if account_ids is not None:
        qs = qs.filter(account_id__in=account_ids)
    actor = automation("equipment fees (CAN-6)")
    charged = 0
    for cancellation in qs.select_related("account").order_by("id"):
        with transaction.atomic():
            if not _charge_equipment_fee(
                cancellation, actor, EquipmentState.FEE_CHARGED,
                f"CAN-6: not returned {days} days after the uninstall",
            ):
                continue
            task = _pickup_task(cancellation)
            if task is not None:
                task_complete(task=task)
            charged += 1
    return charged
