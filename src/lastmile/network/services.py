"""Requests to the network operator (NET-1, NET-2) and the network half of shutting
service off and reinstating it (DLQ-1 "shut off", DLQ-7, DLQ-8).

The delinquency context decides *when*; these services do *what*: the NOC request,
the portal, the status, and on reinstatement the NOC's confirmation, the VLAN check
and the `service_restored` hook. Every automatic action has a natural key, so a
repeated day run or a repeated call changes nothing.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from lastmile.core import clock, hooks, ispconfig, timeline
from lastmile.core.actors import Actor
from lastmile.core.choices import AccountStatus, Network
from lastmile.core.errors import InvalidInput, NotFound, RuleRefusal

from .adapters import adapter_for
from .choices import NocChannel, NocOperation, NocRequestState, WorkOrderStatus
from .models import NocRequest, WorkOrder

SHUT_OFF_OPERATIONS = (NocOperation.SUSPEND, NocOperation.DISCONNECT)
MAX_SEND_ATTEMPTS = 6
FOLLOWUP = "noc_followup"


def _require(actor, capability: str, what: str) -> None:
    if isinstance(actor, Actor):
        actor.require(capability, what)


def _address_of(account):
    return getattr(account, "address", None)


def _check_address_id(account) -> None:
    """NET-2: a UTOPIA request names the address ID, never only the customer."""
    address = _address_of(account)
    if account.network == Network.UTOPIA and not (address and address.address_id):
        raise RuleRefusal(
            f"UTOPIA account {account.number} ({account.name}) has no address ID; add it before asking the NOC",
            field="address_id",
        )


def _apply_dispatch(request: NocRequest, dispatch, now: dt.datetime) -> None:
    request.channel = dispatch.channel
    request.detail = dispatch.detail
    if dispatch.failed:
        request.state = NocRequestState.FAILED
        request.next_attempt_at = now + dt.timedelta(minutes=2 ** request.attempts)
    elif dispatch.confirmed:
        request.state = NocRequestState.CONFIRMED
        request.confirmed_at = now
        request.next_attempt_at = None
    else:
        request.state = NocRequestState.SENT
        request.next_attempt_at = now if dispatch.queued else None  # NET-3: the CoA outbox
    request.save(update_fields=["channel", "detail", "state", "confirmed_at", "next_attempt_at", "attempts"])


@transaction.atomic
def noc_request(*, account, operation: str, actor: Actor | str, key: str | None = None, why: str = "") -> NocRequest:
    """Send one request through the account's adapter and record `noc.requested`.

    NET-2: the request carries the address ID and the address, never only the name.
    NET-1: its state is recorded (sent, confirmed, failed). With a natural `key` a
    repeated request is not sent again. An auto-confirmed request (the simulated
    network) also records `noc.confirmed`.
    """
    if operation not in NocOperation.values:
        raise InvalidInput(f"operation must be one of {', '.join(NocOperation.values)}", field="operation")
    _check_address_id(account)
    address = _address_of(account)
    now = clock.now()
    key = key or f"{operation}:{account.pk}:{now.isoformat()}"
    existing = NocRequest.objects.filter(key=key).first()
    if existing:
        return existing
    request = NocRequest.objects.create(
        account=account, operation=operation, channel="", key=key, sent_at=now, requested_by=str(actor),
        address_id=address.address_id if address else "", address=address.one_line() if address else "",
    )
    _apply_dispatch(request, adapter_for(account).send(request), now)
    timeline.record("noc.requested", account=account, actor=actor, why=why, operation=operation,
                    address_id=request.address_id, address=request.address, channel=request.channel,
                    state=request.state)
    if request.state == NocRequestState.CONFIRMED:
        _record_confirmed(request, actor=actor, auto=True)
    return request


def _record_confirmed(request: NocRequest, *, actor, auto: bool, **extra) -> None:
    timeline.record("noc.confirmed", account=request.account, actor=actor, operation=request.operation,
                    address_id=request.address_id, channel=request.channel, auto=auto, **extra)


# --- shutting service off (DLQ-1 "shut off", DLQ-8) ---
@transaction.atomic
def service_shut_off(*, account, operation: str, actor: Actor | str, key: str, why: str = "") -> NocRequest:
    """Shut service off: the NOC request (`suspend` for UTOPIA, `disconnect` for
    wireless), the portal disabled (DLQ-8, so no online payment is taken), the status
    `suspended` (UTOPIA) or `not_active` (wireless). No fee: the reactivation fee
    (DLQ-5) is the delinquency context's.

    Idempotent by `key`; an account already shut off (and not restored) is not
    asked for again. A restore still waiting on the NOC is abandoned: the new
    shut-off wins.
    """
    if operation not in SHUT_OFF_OPERATIONS:
        raise InvalidInput("a shut-off is a suspend (UTOPIA) or a disconnect (wireless)", field="operation")
    _require(actor, "account.change", "shutting service off")
    existing = NocRequest.objects.filter(key=key).first()
    if existing:
        return existing
    if was_shut_off(account=account):
        return latest_shut_off(account=account)
    NocRequest.objects.filter(account=account, operation=NocOperation.UNSUSPEND, restore_pending=True).update(
        restore_pending=False
    )
    request = noc_request(account=account, operation=operation, actor=actor, key=key,
                          why=why or "shut off for non payment")
    from lastmile.accounts.services import account_status_set, portal_access_set

    portal_access_set(account=account, enabled=False, actor=actor,
                      reason="DLQ-8: service is shut off; payments are taken by phone")
    to = AccountStatus.SUSPENDED if account.network == Network.UTOPIA else AccountStatus.NOT_ACTIVE
    account_status_set(account=account, to=to, actor=actor, reason=why or "shut off for non payment")
    return request


def latest_shut_off(*, account) -> NocRequest | None:
    return NocRequest.objects.filter(account=account, operation__in=SHUT_OFF_OPERATIONS).order_by("-id").first()


def was_shut_off(*, account) -> bool:
    """The latest suspend/disconnect request is newer than the latest completed restore."""
    last_off = (NocRequest.objects.filter(account=account, operation__in=SHUT_OFF_OPERATIONS)
                .order_by("-id").values_list("id", flat=True).first())
    if last_off is None:
        return False
    last_on = (NocRequest.objects.filter(account=account, operation=NocOperation.UNSUSPEND,
                                         completed_at__isnull=False)
               .order_by("-id").values_list("id", flat=True).first()) or 0
    return last_off > last_on


# --- reinstatement (DLQ-7) ---
@transaction.atomic
def service_restore(*, account, actor: Actor | str, key: str, why: str = "") -> NocRequest | None:
    """DLQ-7: reinstate an account that was shut off.

    An `unsuspend` request (wireless: a reconnect work order). When the NOC confirmed
    (at once on the simulated network with `noc_auto_confirm`), the restore completes:
    VLAN check, portal enabled, status `active`, hook `service_restored`. Otherwise the
    restore waits on the request: a periodic job opens a `noc_followup` ticket after
    `noc_confirm_minutes`, and `noc_request_confirm` completes it.

    Nothing happens (None) when the account was not shut off. Idempotent by `key`,
    and a restore already waiting is not requested twice.
    """
    _require(actor, "account.change", "reinstating service")
    existing = NocRequest.objects.filter(key=key).first()
    if existing:
        return existing
    if not was_shut_off(account=account):
        return None
    pending = NocRequest.objects.filter(account=account, operation=NocOperation.UNSUSPEND,
                                        restore_pending=True).order_by("-id").first()
    if pending:
        return pending
    request = noc_request(account=account, operation=NocOperation.UNSUSPEND, actor=actor, key=key,
                          why=why or "reinstatement: balance paid")
    NocRequest.objects.filter(pk=request.pk).update(restore_pending=True)
    request.restore_pending = True
    if request.state == NocRequestState.CONFIRMED:
        _restore_complete(request, actor=actor, why=why)
    return request


def _restore_complete(request: NocRequest, *, actor, why: str = "", vlan: int | None = None) -> bool:
    """The second half of DLQ-7, once the NOC confirmed: the ONT must be back on the
    restored VLAN (else a `noc_followup` ticket, and the restore keeps waiting), then
    the portal, the status, and the `service_restored` hook."""
    from lastmile.accounts.services import account_status_set, portal_access_set

    account = request.account
    expected = ispconfig.current().restored_vlan
    if vlan is None:
        vlan = adapter_for(account).vlan_of(account)
    if vlan is not None and int(vlan) != expected:
        _followup_open(
            request, key=f"noc_vlan:{request.pk}", actor=actor,
            subject=f"ONT of {request.address_id or account.number} is on VLAN {vlan}, not {expected}",
            notes=(f"The NOC confirmed the {request.operation} request, but the ONT reports VLAN {vlan}. "
                   f"Ask the NOC to move it to VLAN {expected}, then confirm again. "
                   f"Customer {account.name}, address ID {request.address_id}, {request.address}."),
        )
        return False
    portal_access_set(account=account, enabled=True, actor=actor, reason="DLQ-7: service reinstated")
    account_status_set(account=account, to=AccountStatus.ACTIVE, actor=actor,
                       reason=why or "DLQ-7: service reinstated")
    now = clock.now()
    NocRequest.objects.filter(pk=request.pk).update(restore_pending=False, completed_at=now)
    request.restore_pending, request.completed_at = False, now
    _followups_close(request, actor=actor, note=f"VLAN {vlan if vlan is not None else expected} checked; service reinstated.")
    hooks.publish(hooks.SERVICE_RESTORED, account=account, actor=actor)
    return True


@transaction.atomic
def noc_request_confirm(*, account, operation: str, actor: Actor | str, vlan: int | None = None) -> NocRequest:
    """The NOC confirmed a request (the `noc_confirm` verb, a NOC user, a CRM answer).

    Confirms the account's oldest unconfirmed request of `operation` (or re-checks a
    confirmed restore still waiting on its VLAN), closes its `noc_followup` ticket and
    completes a waiting reinstatement (DLQ-7). `vlan`, when the confirming person
    read it off the ONT, is checked instead of asking the adapter.
    """
    _require(actor, "noc.confirm", "confirming a NOC request")
    if operation not in NocOperation.values:
        raise InvalidInput(f"operation must be one of {', '.join(NocOperation.values)}", field="operation")
    request = (
        NocRequest.objects.select_for_update()
        .filter(account=account, operation=operation)
        .filter(Q(state__in=(NocRequestState.SENT, NocRequestState.FAILED))
                | Q(state=NocRequestState.CONFIRMED, restore_pending=True))
        .order_by("sent_at", "id").first()
    )
    if request is None:
        raise RuleRefusal(f"there is no {operation} request waiting for the NOC's confirmation on this account",
                          field="operation")
    _confirm(request, actor=actor, vlan=vlan)
    return request


def _mark_confirmed(request: NocRequest, *, actor, **extra) -> bool:
    if request.state == NocRequestState.CONFIRMED:
        return False
    now = clock.now()
    NocRequest.objects.filter(pk=request.pk).update(state=NocRequestState.CONFIRMED, confirmed_at=now,
                                                    next_attempt_at=None)
    request.state, request.confirmed_at = NocRequestState.CONFIRMED, now
    _record_confirmed(request, actor=actor, auto=False, **extra)
    return True


def _confirm(request: NocRequest, *, actor, vlan: int | None = None, **extra) -> None:
    if vlan is not None:
        extra["vlan"] = vlan  # what the person read off the ONT, on the timeline
    if _mark_confirmed(request, actor=actor, **extra):
        # an unsuspend's other follow-ups close when the restore completes; nothing else waits on the rest
        keys = (f"{FOLLOWUP}:{request.pk}",) if request.restore_pending else None
        _followups_close(request, actor=actor, note="The NOC confirmed the request.", keys=keys)
    if request.restore_pending:
        _restore_complete(request, actor=actor, vlan=vlan)


def _vlan(value) -> int | None:
    """A VLAN typed by a person: a whole number 1..4094 (IEEE 802.1Q), or nothing."""
    if value is None or value == "":
        return None
    try:
        vlan = int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"the VLAN must be a whole number read from the ONT, not {value!r}", field="vlan") from None
    if not 1 <= vlan <= 4094:
        raise InvalidInput(f"a VLAN is between 1 and 4094, not {vlan}", field="vlan")
    return vlan


def _open_followup_of(request: NocRequest):
    from lastmile.tickets.choices import TicketStatus
    from lastmile.tickets.models import Ticket

    keys = (f"{FOLLOWUP}:{request.pk}", f"noc_vlan:{request.pk}", f"noc_failed:{request.pk}")
    return (Ticket.objects.filter(Q(key__in=keys) | Q(key__startswith=f"noc_failed:{request.pk}:"),
                                  status=TicketStatus.OPEN).order_by("id").first())


def _fail(request: NocRequest, *, actor, note: str):
    """The NOC could not do it: the request is `failed` (not retried by the job: a
    person said why), `noc.failed` carries the note, and a follow-up ticket keeps
    the work in a queue (the open one of the request, or a new one)."""
    from lastmile.accounts.models import Account
    from lastmile.tickets.services import ticket_note_add

    note = (note or "").strip()
    if not note:
        raise InvalidInput("say what the NOC could not do (the note is required)", field="note")
    if request.state == NocRequestState.CONFIRMED and not request.restore_pending:
        raise RuleRefusal(f"the {request.operation} request #{request.pk} is already confirmed; "
                          "there is nothing left to fail", field="request")
    now = clock.now()
    if request.state == NocRequestState.SENT:
        NocRequest.objects.filter(pk=request.pk).update(state=NocRequestState.FAILED, next_attempt_at=None,
                                                        followup_at=request.followup_at or now,
                                                        detail=f"{actor}: {note}"[:1000])
        request.state = NocRequestState.FAILED
        request.followup_at = request.followup_at or now
    timeline.record("noc.failed", account=request.account, actor=actor, why=note, operation=request.operation,
                    address_id=request.address_id, request=request.pk, note=note)
    body = f"The NOC could not do the {request.operation} ({now:%b %d %H:%M}): {note}"
    accounts = [request.account] if request.account_id else list(
        Account.objects.select_related("address").filter(number__in=[r.get("number") for r in request.batch or []]))
    tickets = []
    for account in accounts:
        ticket = _open_followup_of(request) if request.account_id else None
        if ticket is not None:
            ticket_note_add(ticket=ticket, body=body, actor=actor)
        else:
            target = request.address_id or account.number
            from lastmile.tickets.models import Ticket
            from lastmile.tickets.services import ticket_open

            key = f"noc_failed:{request.pk}" if request.account_id else f"noc_failed:{request.pk}:{account.number}"
            if Ticket.objects.filter(key=key).exists():  # that follow-up was closed: a new one
                key = f"noc_failed:{request.pk}:{account.number}:{now.isoformat()}"

            ticket = ticket_open(
                account=account, kind=FOLLOWUP, actor=actor, key=key,
                subject=f"The NOC could not do the {request.operation} for {target} ({account.name})",
                notes=f"{body}\nReach the NOC again and record the answer on this ticket.",
                data={"resolver": FOLLOWUP, "request": request.pk},
                reason="NET-1: the NOC could not do it; a person follows up",
            )
        tickets.append(ticket)
    return tickets


@transaction.atomic
def noc_request_record(*, request: NocRequest, actor: Actor, confirmed: bool, vlan=None,
                       note: str = "") -> NocRequest:
    """The NOC desk (NET-1, DLQ-7): a NOC person records the answer to one request.

    Confirmed completes what the request belongs to: a suspension is simply
    confirmed; an unsuspend needs the VLAN read from the ONT, and with the restored
    VLAN the reinstatement completes and its follow-up tickets close (a wrong VLAN
    keeps it waiting on a `noc_vlan` ticket). Failed needs a note: the request is
    `failed` and a follow-up ticket keeps the work from being lost.
    """
    _require(actor, "noc.confirm", "recording the NOC's answer")
    request = NocRequest.objects.select_for_update(of=("self",)).select_related("account").get(pk=request.pk)
    if not confirmed:
        _fail(request, actor=actor, note=note)
        return request
    vlan = _vlan(vlan)
    if request.state == NocRequestState.CONFIRMED and not request.restore_pending:
        raise RuleRefusal(f"the {request.operation} request #{request.pk} is already confirmed", field="request")
    if request.restore_pending and vlan is None:
        raise InvalidInput("type the VLAN read from the ONT: an unsuspend is only complete on the restored VLAN",
                           field="vlan")
    extra = {"note": note.strip()} if note and note.strip() else {}
    _confirm(request, actor=actor, vlan=vlan, **extra)
    return request


def noc_request_confirm_by_id(*, request_id: int, actor: Actor, vlan=None, note: str = "") -> NocRequest:
    from .selectors import noc_request_get

    return noc_request_record(request=noc_request_get(request_id=request_id), actor=actor, confirmed=True,
                              vlan=vlan, note=note)


# --- follow-up tickets (DLQ-7: "if the NOC has not confirmed within 3 minutes") ---
def _followup_open(request: NocRequest, *, key: str, actor, subject: str, notes: str):
    from lastmile.tickets.services import ticket_open

    return ticket_open(account=request.account, kind=FOLLOWUP, subject=subject, actor=actor, notes=notes,
                       key=key, data={"resolver": FOLLOWUP, "request": request.pk},
                       reason="DLQ-7: the NOC has not confirmed")


def _followups_close(request: NocRequest, *, actor, note: str, keys: tuple[str, ...] | None = None) -> None:
    from lastmile.tickets.choices import TicketStatus
    from lastmile.tickets.models import Ticket
    from lastmile.tickets.services import ticket_close

    match = Q(key__in=keys) if keys else (
        Q(key__in=(f"{FOLLOWUP}:{request.pk}", f"noc_vlan:{request.pk}", f"noc_failed:{request.pk}"))
        | Q(key__startswith=f"noc_failed:{request.pk}:"))  # a person's failures (_fail), a batch's rows
    for ticket in Ticket.objects.filter(match, status=TicketStatus.OPEN).order_by("id"):
        ticket_close(ticket=ticket, actor=actor, note=note)


@transaction.atomic
def noc_followups_open(*, now: dt.datetime | None = None) -> int:
    """Periodic (every minute live; after each event in the simulator): one
    `noc_followup` ticket per unsuspend request still unconfirmed after
    `noc_confirm_minutes` (DLQ-7: call the NOC). Wireless work orders are a
    technician's visit, not a NOC chat, and get none; nor do the NAS's own channels
    (CoA, address list), which are retried by machine and ask a person only when
    their attempts run out (`noc_requests_retry`)."""
    now = now or clock.now()
    cutoff = now - dt.timedelta(minutes=ispconfig.current().noc_confirm_minutes)
    due = (NocRequest.objects.select_related("account", "account__address")
           .filter(state=NocRequestState.SENT, operation=NocOperation.UNSUSPEND, followup_at__isnull=True,
                   sent_at__lt=cutoff)
           .exclude(channel__in=(NocChannel.WORK_ORDER, NocChannel.RADIUS_COA, NocChannel.ROUTEROS))
           .order_by("id"))
    opened = 0
    for request in due:
        if not NocRequest.objects.filter(pk=request.pk, followup_at__isnull=True).update(followup_at=now):
            continue
        account = request.account
        minutes = ispconfig.current().noc_confirm_minutes
        _followup_open(
            request, key=f"{FOLLOWUP}:{request.pk}", actor="automation: NOC follow-up",
            subject=f"Call the NOC: reinstate {request.address_id or account.number} ({account.name})",
            notes=(f"The NOC has not confirmed the unsuspend request sent at "
                   f"{request.sent_at.astimezone(now.tzinfo):%H:%M} "
                   f"within {minutes} minutes. Call the NOC: say who you are and that you are with "
                   f"{ispconfig.current().isp_name}, give the address ID {request.address_id}, verify the "
                   f"customer name {account.name} ({request.address}) and ask for the customer to be "
                   "reinstated."),
        )
        opened += 1
    return opened


@transaction.atomic
def noc_requests_retry(*, now: dt.datetime | None = None) -> int:
    """Periodic: send again each `failed` request whose backoff has passed (NET-1,
    the CRM unreachable). After MAX_SEND_ATTEMPTS a `noc_followup` ticket asks a
    person to reach the NOC another way; the request stays `failed`."""
    now = now or clock.now()
    due = (NocRequest.objects.select_related("account", "account__address")
           .filter(state=NocRequestState.FAILED, account__isnull=False)
           .filter(followup_at__isnull=True)  # a person recorded the failure: a person follows up
           .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).order_by("id"))
    resent = 0
    actor = "automation: NOC retry"
    for request in due:
        if request.attempts >= MAX_SEND_ATTEMPTS:
            # a queued channel (CoA) fails after its send; its last failure asks a person once
            if NocRequest.objects.filter(pk=request.pk, followup_at__isnull=True).update(followup_at=now):
                _followup_open(request, key=f"noc_failed:{request.pk}", actor=actor, **_exhausted_text(request))
            continue
        claimed = NocRequest.objects.filter(pk=request.pk, state=NocRequestState.FAILED,
                                            attempts=request.attempts).update(attempts=request.attempts + 1)
        if not claimed:
            continue
        request.attempts += 1
        _apply_dispatch(request, adapter_for(request.account).send(request), now)
        if request.state == NocRequestState.FAILED:
            if request.attempts >= MAX_SEND_ATTEMPTS:
                NocRequest.objects.filter(pk=request.pk).update(followup_at=now)
                _followup_open(request, key=f"noc_failed:{request.pk}", actor=actor,
                               **_exhausted_text(request))
            continue
        resent += 1
        timeline.record("noc.requested", account=request.account, actor=actor, why="retry after a failure",
                        operation=request.operation, address_id=request.address_id, address=request.address,
                        channel=request.channel, state=request.state, attempt=request.attempts)
        if request.state == NocRequestState.CONFIRMED:
            _record_confirmed(request, actor=actor, auto=True)
            if request.restore_pending:
                _restore_complete(request, actor=actor)
    return resent


def _exhausted_text(request: NocRequest) -> dict[str, str]:
    """What the person is asked when every attempt failed: the NOC for UTOPIA, the
    router for the NAS's own channels (there is no NOC to call)."""
    account = request.account
    if request.channel in (NocChannel.RADIUS_COA, NocChannel.ROUTEROS):
        return {
            "subject": f"The router did not take the {request.get_operation_display().lower()} "
                       f"for {account.number} ({account.name})",
            "notes": (f"{request.attempts} attempts failed; the last said: {request.detail}. Check the router "
                      "and the subscriber's session, then record the outcome here, or send a technician."),
        }
    return {
        "subject": f"NOC {request.operation} request for {request.address_id} could not be sent",
        "notes": f"{request.attempts} attempts failed; last: {request.detail}. Call the NOC.",
    }


# --- NET-2 for an agent's own request ---
@transaction.atomic
def manual_noc_capability(account) -> str:
    """PKG-10: a UTOPIA account's network changes are the admin's; a wireless one's an
    agent's (the service and the console's offers both ask this)."""
    return "utopia.admin" if account.network == Network.UTOPIA else "account.change"


def noc_request_manual(*, account, operation: str, actor: Actor, confirm_address_id: str,
                       why: str = "") -> NocRequest | None:
    """NET-2: before an agent suspends or cancels, the address ID and the address are
    shown and must be confirmed; the name alone is never enough (seed 001).

    A suspend/disconnect shuts service off (portal, status); an unsuspend reinstates
    (DLQ-7); a cancel is sent to the NOC as it is. UTOPIA accounts are the admin's
    (PKG-10).
    """
    if operation not in NocOperation.values:
        raise InvalidInput(f"operation must be one of {', '.join(NocOperation.values)}", field="operation")
    actor.require(manual_noc_capability(account), f"a manual NOC {operation} request")
    _check_address_id(account)
    address = _address_of(account)
    actual = (address.address_id if address else "") or ""
    given = (confirm_address_id or "").strip()
    if given != actual:
        raise RuleRefusal(
            f"the address ID you confirmed ({given or 'none'}) is not this account's address ID "
            f"({actual or 'none'}, {address.one_line() if address else 'no address'}); check the service "
            "address with the customer before asking the NOC",
            field="confirm_address_id",
        )
    key = f"manual:{operation}:{account.pk}:{clock.now().isoformat()}"
    why = why or f"manual {operation} by {actor}, address ID {actual} confirmed"
    if operation in SHUT_OFF_OPERATIONS:
        return service_shut_off(account=account, operation=operation, actor=actor, key=key, why=why)
    if operation == NocOperation.UNSUSPEND:
        return service_restore(account=account, actor=actor, key=key, why=why)
    return noc_request(account=account, operation=operation, actor=actor, key=key, why=why)


# --- the month-end cancellation batch (seed 002, DLQ-1 utopia-2021-03) ---
@transaction.atomic
def noc_batch_cancel(*, accounts, on: dt.date, actor: Actor | str) -> NocRequest | None:
    """One email to the NOC (to and CC configurable) listing name, address ID,
    address and cancellation date of every account cancelled on `on`; recorded as
    one NocRequest and `noc.batch_sent` (account numbers; the simulator shows refs).

    Idempotent per day: accounts already in that day's batch are not sent again (a
    day run in chunks may add a second, smaller batch for the others).
    """
    from lastmile.comms.services import email_send

    base = f"batch_cancel:{on.isoformat()}"
    todays = list(NocRequest.objects.filter(Q(key=base) | Q(key__startswith=f"{base}:")).order_by("id"))
    already = {row.get("number") for request in todays for row in (request.batch or [])}
    rows = []
    for account in accounts:
        if account.number in already:
            continue
        _check_address_id(account)
        address = _address_of(account)
        rows.append({"number": account.number, "name": account.name,
                     "address_id": address.address_id if address else "",
                     "address": address.one_line() if address else "", "cancel_on": on.isoformat()})
        already.add(account.number)
    if not rows:
        return todays[0] if todays else None
    key = base if not todays else f"{base}:{len(todays) + 1}"
    settings = ispconfig.current()
    now = clock.now()
    simulated = adapter_for(None).channel == NocChannel.SIMULATED
    confirmed = simulated and settings.noc_auto_confirm
    request = NocRequest.objects.create(
        account=None, operation=NocOperation.CANCEL, key=key, sent_at=now, requested_by=str(actor),
        channel=NocChannel.SIMULATED if simulated else NocChannel.EMAIL, batch=rows,
        state=NocRequestState.CONFIRMED if confirmed else NocRequestState.SENT,
        confirmed_at=now if confirmed else None,
        detail=f"batch of {len(rows)} emailed to {settings.noc_email}",
    )
    email_send(template="noc_batch_cancel", to=[settings.noc_email], cc=list(settings.noc_cc), account=None,
               actor=actor, key=f"noc:{key}", context={"rows": rows, "on": on, "count": len(rows)},
               record=False)
    timeline.record("noc.batch_sent", account=None, actor=actor, why="DLQ-1: month-end cancellations",
                    operation=NocOperation.CANCEL, accounts=[r["number"] for r in rows], cancel_on=on,
                    count=len(rows), to=settings.noc_email, cc=list(settings.noc_cc))
    return request


# --- wireless work orders (NET-1) ---
@transaction.atomic
def work_order_complete(*, work_order: WorkOrder, actor: Actor | str) -> bool:
    """The technician did the work: the request is confirmed, and a reconnect
    completes its reinstatement (DLQ-7)."""
    _require(actor, "noc.confirm", "completing a work order")
    claimed = WorkOrder.objects.filter(pk=work_order.pk, status=WorkOrderStatus.OPEN).update(
        status=WorkOrderStatus.DONE, completed_at=clock.now(), completed_by=str(actor))
    if not claimed:
        return False
    work_order.refresh_from_db()
    if work_order.request_id:
        request = NocRequest.objects.select_for_update().get(pk=work_order.request_id)
        _confirm(request, actor=actor)
    return True


def _resolve_followup(*, ticket, actor, answer: dict) -> None:
    """Resolving a `noc_followup` ticket: the NOC was reached by phone.

    `failed` (with a `note`): the NOC could not do it; the ticket stays open with the
    note. Otherwise the NOC confirmed: a waiting reinstatement completes when the
    ONT is on the restored VLAN. A `vlan` typed by a person that is not the restored
    one keeps this ticket open with a note saying so (the confirmation is recorded).
    Given the key `vlan` with no value while a reinstatement waits is refused; without
    the key (the simulator's `resolve_ticket`) the adapter reads the VLAN.
    """
    from lastmile.tickets.services import ticket_close, ticket_note_add

    _require(actor, "noc.confirm", "recording the NOC's answer")
    request = NocRequest.objects.select_for_update().filter(pk=(ticket.data or {}).get("request")).first()
    if request is None:
        raise NotFound("this follow-up ticket names no NOC request", field="ticket")
    if answer.get("failed"):
        _fail(request, actor=actor, note=answer.get("note", ""))
        return
    vlan = _vlan(answer.get("vlan"))
    if "vlan" in answer and vlan is None and request.restore_pending:
        raise InvalidInput("type the VLAN read from the ONT: the reinstatement completes only on the "
                           f"restored VLAN ({ispconfig.current().restored_vlan})", field="vlan")
    expected = ispconfig.current().restored_vlan
    if vlan is not None and request.restore_pending and vlan != expected:
        _mark_confirmed(request, actor=actor, vlan=vlan)
        ticket_note_add(ticket=ticket, actor=actor, body=(
            f"The NOC confirmed, but the ONT reports VLAN {vlan}, not {expected}. Service is not restored yet: "
            f"ask the NOC to move it to VLAN {expected}, then record the answer again."))
        return
    _confirm(request, actor=actor, vlan=vlan)
    if request.restore_pending:
        return  # the VLAN is still wrong: the ticket stays open
    ticket_close(ticket=ticket, actor=actor, note="Resolved: the NOC confirmed by phone.")


def _register_resolver() -> None:
    from lastmile.tickets.services import ticket_resolver

    ticket_resolver(FOLLOWUP)(_resolve_followup)


_register_resolver()
