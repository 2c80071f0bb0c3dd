"""NET-3: change of authorization (RFC 5176) to the NAS holding a subscriber's session.

The outbox pattern of NOC requests: a CoA is a NocRequest written in the caller's
transaction (channel `radius_coa`, state `sent`, `next_attempt_at` set = queued);
`coa_deliver` (the minute job, and the bench) sends the queued ones outside any
transaction, with bounded concurrency, pyrad's per-packet retries, and records the
answer: CoA-ACK confirms; CoA-NAK sends a Disconnect-Request, whose ACK confirms;
a Disconnect-NAK or a timeout is `failed`, and `noc_requests_retry` queues it again
with backoff (after MAX_SEND_ATTEMPTS a person is asked to follow up).

The reply pushed is `radius.reply_for`, the same as FreeRADIUS's authorization, with
the state the request stands for: a shut-off pushes the walled garden, an unsuspend
the active reply (its confirmation completes the reinstatement, DLQ-7).
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from lastmile.core import bulk, clock, hooks, timeline
from lastmile.core.choices import AccountStatus, Network

from . import radius
from .choices import NocChannel, NocOperation, NocRequestState
from .models import NasDevice, NocRequest, Subscriber

DICTIONARY = Path(__file__).with_name("radius_dictionary.txt")  # .txt: shipped as package data
ACTOR = "automation: RADIUS CoA"
log = logging.getLogger(__name__)
_dictionary = None
_dictionary_lock = threading.Lock()


def dictionary():
    global _dictionary
    with _dictionary_lock:
        if _dictionary is None:
            from pyrad.dictionary import Dictionary

            _dictionary = Dictionary(str(DICTIONARY))
    return _dictionary


def session_of(account) -> Subscriber | None:
    """The account's subscriber when a NAS holds its session (accounting said so)."""
    if account is None or account.pk is None or account.network != Network.WIRELESS:
        return None
    # issue 14: every status change of a wireless account asks, and most have no
    # session the NAS told us of; a cached raw probe answers those without the ORM
    if not bulk.exists(
        f"SELECT 1 FROM {bulk.table(Subscriber)} WHERE account_id = %s AND nas_id IS NOT NULL"
        " AND session_id <> '' LIMIT 1", [account.pk],
    ):
        return None
    return (Subscriber.objects.select_related("nas").filter(account=account, nas__isnull=False, nas__active=True)
            .exclude(session_id="").first())


# --- accounting (rlm_rest) ---
def accounting_record(attrs: dict[str, str]) -> Subscriber | None:
    """Start / Interim-Update: the NAS (by NAS-IP-Address) holds this session; Stop
    clears it. Unknown users and NASes are ignored (FreeRADIUS logs them)."""
    account = radius.account_for(attrs.get("User-Name", ""))
    if account is None:
        return None
    kind = (attrs.get("Acct-Status-Type") or "").strip()
    nas = NasDevice.objects.filter(address=(attrs.get("NAS-IP-Address") or "").strip() or None).first()
    with transaction.atomic():
        sub, _ = Subscriber.objects.select_for_update().get_or_create(
            account=account, defaults={"radius_username": attrs.get("User-Name") or account.number})
        session = (attrs.get("Acct-Session-Id") or "").strip()
        if kind in ("Stop", "2"):
            if not session or session == sub.session_id:
                sub.nas, sub.session_id, sub.session_ip = None, "", None
        elif nas is not None:
            if kind in ("Start", "1") or sub.session_id != session:
                sub.applied = radius.reply_for(account).applied(account)
            sub.nas, sub.session_id = nas, session
            sub.session_ip = (attrs.get("Framed-IP-Address") or "").strip() or None
        sub.session_at = clock.now()
        sub.save()
    return sub


# --- the adapter (adapters.adapter_for picks it for a wireless account with a session) ---
class RadiusCoa:
    channel = NocChannel.RADIUS_COA

    def send(self, request):
        from .dispatch import Dispatch

        sub = session_of(request.account)
        where = f"{sub.nas} session {sub.session_id}" if sub else "no NAS session"
        return Dispatch(self.channel, False, f"CoA queued for {where}", queued=True)

    def vlan_of(self, account) -> int | None:
        return None


# --- queueing on a status change (core.hooks) ---
def _on_status_changed(*, account, previous=None, to=None, actor=None, why: str = "", **_):
    """NET-3: a wireless account's status changed: tell the NAS, unless a CoA is
    already queued (it carries the state at delivery) or the NAS already has it."""
    from .dispatch import simulating as _simulating

    if account.network != Network.WIRELESS or _simulating():
        return
    sub = session_of(account)
    if sub is None:
        return
    if sub.applied == f"{to}:{account.package_id}":
        return
    if NocRequest.objects.filter(account=account, channel=NocChannel.RADIUS_COA, state=NocRequestState.SENT,
                                 next_attempt_at__isnull=False).exists():
        return
    coa_queue(account=account, actor=actor or ACTOR, why=why or f"status {previous} -> {to}")


def coa_queue(*, account, actor, why: str) -> NocRequest:
    from .services import noc_request

    return noc_request(account=account, operation=NocOperation.COA, actor=actor,
                       key=f"coa:{account.pk}:{clock.now().isoformat()}", why=why)


def _on_package_changed(*, account, previous=None, to=None, actor=None, **_):
    """NET-3: a wireless account moved package: the NAS gets the new rate limit within
    seconds (a CoA queued in the change's transaction), not at the minute job's
    comparison."""
    _on_status_changed(account=account, previous=account.status, to=account.status, actor=actor,
                       why=f"package {previous} -> {to}")


def _on_status_changed_many(payloads: list[dict]) -> None:
    """The bulk paths' status changes (thousands on a delinquency day): one query
    finds which of the wireless accounts have a session the NAS told us of; only
    those go on to the per-account check."""
    from .dispatch import simulating as _simulating

    if _simulating():
        return
    wireless = [p for p in payloads if p["account"].network == Network.WIRELESS and p["account"].pk is not None]
    if not wireless:
        return
    with_session = _with_session(p["account"].pk for p in wireless)
    for payload in wireless:
        if payload["account"].pk in with_session:
            _on_status_changed(**payload)


def _with_session(account_ids) -> set[int]:
    return set(Subscriber.objects.filter(account_id__among=bulk.Ids(account_ids), nas__isnull=False)
               .exclude(session_id="").values_list("account_id", flat=True))


def status_change_quiet(*, accounts: dict[int, str]) -> set[int]:
    """Of {account id: network}, those whose status change queues no CoA (NET-3): not
    wireless, a simulated network, or no session the NAS told us of. A bulk path may
    change their statuses together and publish afterwards, since this hook writes
    nothing for them in between."""
    from .dispatch import simulating as _simulating

    if _simulating():
        return set(accounts)
    wireless = [pk for pk, network in accounts.items() if network == Network.WIRELESS]
    busy = _with_session(wireless) if wireless else set()
    return {pk for pk in accounts if pk not in busy}


hooks.subscribe(hooks.STATUS_CHANGED, _on_status_changed, many=_on_status_changed_many)
hooks.subscribe(hooks.PACKAGE_CHANGED, _on_package_changed)


def coa_reconcile() -> int:
    """A change nobody published (a package move): sessions whose NAS was told
    another status or package get a CoA."""
    queued = 0
    subs = (Subscriber.objects.select_related("account").filter(nas__isnull=False, account__network=Network.WIRELESS)
            .exclude(session_id=""))
    for sub in subs.iterator():
        account = sub.account
        if sub.applied in ("", f"{account.status}:{account.package_id}"):
            continue
        if NocRequest.objects.filter(account=account, channel=NocChannel.RADIUS_COA,  # one in flight or retried
                                     state__in=(NocRequestState.SENT, NocRequestState.FAILED)).exists():
            continue
        with transaction.atomic():
            coa_queue(account=account, actor=ACTOR, why="the NAS holds another package or status")
        queued += 1
    return queued


# --- delivery ---
@dataclass
class Job:
    pk: int
    operation: str
    address: str
    port: int
    secret: str
    attrs: dict
    session: dict
    applied: str
    sub_pk: int


@dataclass
class Outcome:
    pk: int
    confirmed: bool
    detail: str


def _job(request: NocRequest, sub: Subscriber | None = None) -> Job | None:
    account = request.account
    sub = sub or session_of(account)
    if sub is None or account.network != Network.WIRELESS or sub.nas is None or not sub.nas.active:
        return None
    if request.operation in (NocOperation.DISCONNECT, NocOperation.SUSPEND):
        status = AccountStatus.NOT_ACTIVE
    elif request.operation == NocOperation.UNSUSPEND:
        status = AccountStatus.ACTIVE
    elif request.operation == NocOperation.CANCEL:
        status = "cancelled"
    else:
        status = account.status
    account.status = status  # what the NAS is to enforce; not saved
    reply = radius.reply_for(account)
    known = dictionary().attributes
    attrs = {k: v for k, v in reply.reply.items() if k in known} if reply.accept else {}
    session = {"User-Name": sub.radius_username, "Acct-Session-Id": sub.session_id}
    if sub.session_ip:
        session["Framed-IP-Address"] = sub.session_ip
    return Job(request.pk, "disconnect" if not reply.accept else "coa", sub.nas.address, sub.nas.coa_port,
               sub.nas.secret, attrs, session, reply.applied(account), sub.pk)


def _send(job: Job, timeout: float, retries: int) -> Outcome:
    from pyrad import packet
    from pyrad.client import Client, Timeout

    client = Client(server=job.address, secret=job.secret.encode(), dict=dictionary(), coaport=job.port)
    client.timeout, client.retries = timeout, retries + 1  # pyrad counts tries, not retries
    try:
        if job.operation == "coa":
            req = client.CreateCoAPacket(code=packet.CoARequest)
            for name, value in {**job.session, **job.attrs}.items():
                req[name] = value
            answer = client.SendPacket(req)
            if answer.code == packet.CoAACK:
                return Outcome(job.pk, True, f"CoA-ACK from {job.address}")
            first = f"CoA-NAK from {job.address}"
        else:
            first = "account closed"
        req = client.CreateCoAPacket(code=packet.DisconnectRequest)
        for name, value in job.session.items():
            req[name] = value
        answer = client.SendPacket(req)
        if answer.code == packet.DisconnectACK:
            return Outcome(job.pk, True, f"{first}; Disconnect-ACK")
        return Outcome(job.pk, False, f"{first}; Disconnect-NAK from {job.address}")
    except Timeout:
        return Outcome(job.pk, False, f"no answer from {job.address}:{job.port} after {retries + 1} tries")
    except OSError as exc:
        return Outcome(job.pk, False, f"CoA to {job.address}:{job.port} failed: {exc}")


def coa_deliver(*, now: dt.datetime | None = None, limit: int = 10000, concurrency: int | None = None,
                timeout: float | None = None, retries: int | None = None) -> dict[str, int]:
    """Send the queued CoA requests (outside any transaction) and record each answer."""
    now = now or clock.now()
    due = list(NocRequest.objects.select_related("account", "account__package")
               .filter(channel=NocChannel.RADIUS_COA, state=NocRequestState.SENT, next_attempt_at__isnull=False,
                       next_attempt_at__lte=now).order_by("id")[:limit])
    subs = {sub.account_id: sub for sub in Subscriber.objects.select_related("nas").filter(
        account_id__in=[r.account_id for r in due], nas__isnull=False).exclude(session_id="")}
    jobs, orphans = [], []
    for request in due:
        job = _job(request, subs.get(request.account_id))
        (jobs.append(job) if job else orphans.append(request.pk))
    claimed = set(NocRequest.objects.filter(pk__in=[j.pk for j in jobs] + orphans, state=NocRequestState.SENT,
                                            next_attempt_at__isnull=False).values_list("pk", flat=True))
    NocRequest.objects.filter(pk__in=claimed).update(next_attempt_at=None)
    jobs = [j for j in jobs if j.pk in claimed]
    timeout = float(timeout if timeout is not None else radius.setting("LASTMILE_COA_TIMEOUT"))
    retries = int(retries if retries is not None else radius.setting("LASTMILE_COA_RETRIES"))
    workers = max(1, min(int(concurrency or radius.setting("LASTMILE_COA_CONCURRENCY")), len(jobs) or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda j: _send(j, timeout, retries), jobs))
    outcomes += [Outcome(pk, False, "the NAS no longer holds a session") for pk in orphans if pk in claimed]
    by_pk = {j.pk: j for j in jobs}
    done = {"confirmed": 0, "failed": 0}
    plain = {pk for pk in NocRequest.objects.filter(pk__in=[o.pk for o in outcomes if o.confirmed],
                                                    restore_pending=False).values_list("pk", flat=True)}
    with transaction.atomic():
        _confirm_many([o for o in outcomes if o.pk in plain], by_pk)
    done["confirmed"] += len(plain)
    for outcome in outcomes:
        if outcome.pk in plain:
            continue
        with transaction.atomic():
            _record(outcome, by_pk.get(outcome.pk), now)
        done["confirmed" if outcome.confirmed else "failed"] += 1
    return done


def _confirm_many(outcomes: list[Outcome], by_pk: dict[int, Job]) -> None:
    """ACKed requests no reinstatement waits on: confirmed and `noc.confirmed` in a
    few statements (a day run's thousands), the NAS's applied state remembered."""
    if not outcomes:
        return
    now = clock.now()
    for outcome in outcomes:
        NocRequest.objects.filter(pk=outcome.pk, state=NocRequestState.SENT).update(
            state=NocRequestState.CONFIRMED, confirmed_at=now, next_attempt_at=None, detail=outcome.detail[:1000])
        job = by_pk.get(outcome.pk)
        if job:
            Subscriber.objects.filter(pk=job.sub_pk).update(applied=job.applied)
    rows = NocRequest.objects.filter(pk__in=[o.pk for o in outcomes]).values_list(
        "account_id", "operation", "address_id", "channel")
    timeline.record_many((account_id, "noc.confirmed", ACTOR, "", {
        "operation": operation, "address_id": address_id, "channel": channel, "auto": True})
        for account_id, operation, address_id, channel in rows)


def _record(outcome: Outcome, job: Job | None, now: dt.datetime) -> None:
    from .services import _confirm

    request = NocRequest.objects.select_for_update(of=("self",)).select_related("account").get(pk=outcome.pk)
    request.detail = outcome.detail[:1000]
    if outcome.confirmed:
        request.save(update_fields=["detail"])
        if job:
            Subscriber.objects.filter(pk=job.sub_pk).update(applied=job.applied)
        _confirm(request, actor=ACTOR)
        return
    request.state = NocRequestState.FAILED
    request.next_attempt_at = now + dt.timedelta(minutes=2 ** request.attempts)
    request.save(update_fields=["detail", "state", "next_attempt_at"])
    timeline.record("noc.failed", account=request.account, actor=ACTOR, why=outcome.detail,
                    operation=request.operation, channel=request.channel, attempt=request.attempts)
