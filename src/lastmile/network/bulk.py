"""Shutting service off for many accounts at once (DLQ-1 "shut off", DLQ-8; issue 6).

`service_shut_off_many` does for N accounts, in a few set-based statements, exactly
what `services.service_shut_off` does for one: the NOC request (NET-1, NET-2), its
dispatch, the portal disabled (DLQ-8), the status `suspended` / `not_active`, the
same timeline entries in the same order per account, and `STATUS_CHANGED` published.

Only what can be done identically in bulk is done here: `shut_off_bulk_ready` picks
the accounts (the simulated network or the NOC by email; an address to send; never
shut off before; the request key not yet used). The others (the CRM, which is one
HTTP call per request, wireless work orders, an account already shut off, a
UTOPIA account without its address ID, which the service refuses) go through the
one-account service.
"""
from __future__ import annotations

from django.template.loader import get_template

from lastmile.core import bulk as fast
from lastmile.core import clock, hooks, ispconfig, timeline
from lastmile.core.choices import AccountStatus, Network

from .adapters import SimulatedNetwork, UtopiaEmail, adapter_for
from .choices import NocChannel, NocOperation, NocRequestState
from .models import NocRequest
from .services import SHUT_OFF_OPERATIONS

PORTAL_REASON = "DLQ-8: service is shut off; payments are taken by phone"
DEFAULT_WHY = "shut off for non payment"
NOC_ADAPTER_ACTOR = "automation: NOC adapter"


def _accounts(account_ids):
    from lastmile.accounts.models import Account

    return {a.pk: a for a in Account.objects.filter(pk__in=list(account_ids)).select_related("address")}


def shut_off_bulk_ready(*, account_ids, keys=()) -> set[int]:
    """The accounts `service_shut_off_many` can shut off exactly as the service would.

    Not ready: an account with any suspend/disconnect request already (it may be shut
    off; the service decides), a used key, no service address, a UTOPIA address
    without its ID (the service refuses it), or an adapter that is not batched
    (the CRM, wireless work orders).
    """
    from lastmile.accounts.models import Account, ServiceAddress

    ids = set(account_ids)
    if not ids:
        return set()
    ids -= set(NocRequest.objects.filter(account_id__in=list(ids), operation__in=SHUT_OFF_OPERATIONS)
               .values_list("account_id", flat=True))
    if keys and NocRequest.objects.filter(key__in=list(keys)).exists():
        return set()
    addressed = dict(ServiceAddress.objects.filter(account_id__in=list(ids)).values_list("account_id", "address_id"))
    ready = set()
    batched: dict[str, bool] = {}
    for pk, network in Account.objects.filter(pk__in=list(ids)).values_list("pk", "network"):
        if pk not in addressed or (network == Network.UTOPIA and not addressed[pk]):
            continue
        if network not in batched:
            probe = Account(network=network)
            batched[network] = isinstance(adapter_for(probe), (SimulatedNetwork, UtopiaEmail))
        if batched[network]:
            ready.add(pk)
    return ready


def service_shut_off_many(*, rows, record: bool = True) -> dict[int, list]:
    """Shut service off for every (account_id, operation, key, actor, why) of `rows`.

    Each account must be `shut_off_bulk_ready`. Writes the NOC requests, the NOC
    emails (outbox; one per request, keyed `noc:<request key>`), the portal and status
    UPDATEs, and publishes STATUS_CHANGED per account. Returns, per account, its
    timeline entries in the order the one-account service records them, as
    (account_id, type, actor, why, data) tuples; with `record` they are written too.
    Call it inside a transaction: a key collision raises IntegrityError.
    """
    from lastmile.accounts.models import Account
    from lastmile.comms.models import OutboxMessage, OutboxStatus

    rows = list(rows)
    if not rows:
        return {}
    for _pk, operation, *_ in rows:
        if operation not in SHUT_OFF_OPERATIONS:
            raise ValueError("a shut-off is a suspend (UTOPIA) or a disconnect (wireless)")
    accounts = _accounts(pk for pk, *_ in rows)
    settings = ispconfig.current()
    now = clock.now()
    at = fast.db_datetime(now, NocRequest)
    ids = [pk for pk, *_ in rows]

    # a restore still waiting on the NOC is abandoned: the new shut-off wins
    NocRequest.objects.filter(account_id__in=ids, operation=NocOperation.UNSUSPEND,
                              restore_pending=True).update(restore_pending=False)

    requests, outbox, entries = [], [], {}
    templates: dict[str, object] = {}
    for pk, operation, key, actor, why in rows:
        account = accounts[pk]
        address = account.address
        address_id, one_line = address.address_id, address.one_line()
        adapter = adapter_for(account)
        if isinstance(adapter, SimulatedNetwork):
            channel, detail = NocChannel.SIMULATED, "simulated network"
            confirmed = bool(settings.noc_auto_confirm)
        else:
            channel, detail, confirmed = NocChannel.EMAIL, f"emailed {settings.noc_email}", False
            template = f"noc_{operation}"
            if template not in templates:
                templates[template] = get_template(f"comms/{template}.txt")
            request = NocRequest(account_id=pk, operation=operation, channel="", key=key, sent_at=now,
                                 requested_by=str(actor), address_id=address_id, address=one_line)
            ctx = {"isp_name": settings.isp_name, "isp_phone": settings.isp_phone, "account": account,
                   "today": clock.today(), "request": request}
            text = templates[template].render(ctx)
            subject, _, body = text.strip().partition("\n")
            subject, body = subject.removeprefix("Subject:").strip(), body.strip() + "\n"
            if settings.noc_email:
                outbox.append((pk, template, fast.json_text([settings.noc_email]),
                               fast.json_text(list(settings.noc_cc or [])), subject[:300], body,
                               f"noc:{key}", OutboxStatus.PENDING, 0, "", at))
        state = NocRequestState.CONFIRMED if confirmed else NocRequestState.SENT
        requests.append((pk, operation, channel, address_id, one_line, state, key, at,
                         at if confirmed else None, detail, "[]", str(actor), False, 1))
        why = why or DEFAULT_WHY
        rows_of = entries[pk] = [(pk, "noc.requested", actor, why, {
            "operation": operation, "address_id": address_id, "address": one_line, "channel": channel,
            "state": state})]
        if confirmed:
            rows_of.append((pk, "noc.confirmed", actor, "", {
                "operation": operation, "address_id": address_id, "channel": channel, "auto": True}))
    fast.insert(NocRequest, ["account", "operation", "channel", "address_id", "address", "state", "key",
                             "sent_at", "confirmed_at", "detail", "batch", "requested_by", "restore_pending",
                             "attempts"], requests, json_fields={"batch"})
    fast.insert(OutboxMessage, ["account", "template", "to", "cc", "subject", "body", "key", "status",
                                "attempts", "last_error", "created_at"], outbox, json_fields={"to", "cc"})

    # DLQ-8: the portal off; then the status (each recorded only when it changes)
    portal_on = [pk for pk in ids if accounts[pk].portal_access]
    Account.objects.filter(pk__in=portal_on).update(portal_access=False)
    changes: dict[str, list[int]] = {}
    published = []
    for pk, _operation, _key, actor, why in rows:
        account = accounts[pk]
        if account.portal_access:
            account.portal_access = False
            entries[pk].append((pk, "portal.changed", actor, PORTAL_REASON, {"enabled": False}))
        to = AccountStatus.SUSPENDED if account.network == Network.UTOPIA else AccountStatus.NOT_ACTIVE
        if account.status != to:
            previous = account.status
            changes.setdefault(to, []).append(pk)
            entries[pk].append((pk, "account.status_changed", actor, why or DEFAULT_WHY,
                                {"from": previous, "to": to}))
            account.status = to
            published.append((account, previous, to, actor))
    for to, pks in changes.items():
        Account.objects.filter(pk__in=pks).update(status=to)
    if record:
        timeline.record_many(entry for pk in ids for entry in entries[pk])
    hooks.publish_many(hooks.STATUS_CHANGED, [
        {"account": account, "previous": previous, "to": to, "actor": actor}
        for account, previous, to, actor in published])
    return entries
