"""One read-only, set-based query per report (issue 10).

Every selector aggregates in the database (GROUP BY a day, a network, a channel or
a fee kind) and returns a short list of plain rows: the console's table, its chart
and its CSV are drawn from the same rows. No selector loops over accounts in
Python; what Python does is fold a bounded number of groups (the days of a year,
two networks) into months, and take a median over a histogram. The SQL is the
common subset of SQLite and PostgreSQL (CASE, COALESCE, GROUP BY, sub-selects).

The indexes these queries lean on are created by this app's migration 0001.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Count, Exists, OuterRef, Q, Sum, Value
from django.db.models.functions import Cast, Concat

from lastmile.billing.choices import ChargeKind, EntryType
from lastmile.billing.models import LedgerEntry, Statement
from lastmile.cancellations.choices import CancellationStatus
from lastmile.cancellations.models import Cancellation
from lastmile.core import bulk, ispconfig
from lastmile.core.choices import Network
from lastmile.delinquency.models import Arrangement, ArrangementStatus, Case, CaseOutcome
from lastmile.delinquency.policy import get_policy
from lastmile.delinquency.schedule import CaseFacts, projected
from lastmile.delinquency.schedule import delinquency_day as _delinquency_day
from lastmile.network.choices import NocChannel, NocOperation, NocRequestState
from lastmile.network.models import NocRequest

from . import periods
from .models import CollectedDueDate

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
NETWORKS = tuple(Network.values)
FEE_KINDS = (ChargeKind.REACTIVATION_FEE, ChargeKind.ETF, ChargeKind.EQUIPMENT_FEE)
# DLQ-5: fee_waive voids the fee with this reason; any other void of a fee is a void
WAIVER_REASON = "DLQ-5: reactivation fee waived"
AGING_BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")


def money(value) -> Decimal:
    """A database SUM as exact money: SQLite sums decimals as floats, PostgreSQL as
    numerics; both come back as two-place Decimals."""
    return ZERO if value is None else bulk.money_from_db(value).quantize(CENT)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _min(a: str, b: str) -> str:
    return f"(CASE WHEN {a} < {b} THEN {a} ELSE {b} END)"


def _clamp(x: str, hi: str) -> str:
    """x kept within 0..hi, in SQL both databases read the same way."""
    return f"(CASE WHEN {x} <= 0 THEN 0 WHEN {x} < {hi} THEN {x} ELSE {hi} END)"


# --------------------------------------------------------------------------- AR aging
def ar_aging(*, as_of: dt.date) -> list[dict]:
    """Accounts receivable aging by network, as of a day (BIL-1, BIL-4).

    A charge falls due `due_days` after it is posted, as a statement does (BIL-1);
    its age is the days past that. Payments and credits settle the oldest charges
    first (BIL-4), so what an account still owes is its newest charges: the balance
    is spread over the buckets newest first. Accounts in credit owe nothing here.
    """
    due_days = ispconfig.current().due_days
    # a charge posted after bound[i] is at most i*30 days past due
    bounds = [as_of - dt.timedelta(days=due_days + 1 + 30 * i) for i in range(4)]
    debit = "CASE WHEN posted_on > %s THEN amount ELSE 0 END"
    # two passes: every entry for the balances (one SUM, read from an index alone),
    # then only the last 90-odd days of debits for the buckets
    sql = f"""
        SELECT a.network, COUNT(*), SUM(t.bal),
               SUM({_min('t.bal', 'COALESCE(r.d0, 0)')}), SUM({_min('t.bal', 'COALESCE(r.d1, 0)')}),
               SUM({_min('t.bal', 'COALESCE(r.d2, 0)')}), SUM({_min('t.bal', 'COALESCE(r.d3, 0)')})
        FROM (SELECT account_id, SUM(amount) AS bal FROM billing_ledgerentry
              WHERE posted_on <= %s GROUP BY account_id HAVING SUM(amount) > 0) t
        JOIN accounts_account a ON a.id = t.account_id
        LEFT JOIN (SELECT account_id, SUM({debit}) AS d0, SUM({debit}) AS d1, SUM({debit}) AS d2,
                          SUM(amount) AS d3
                   FROM billing_ledgerentry
                   WHERE entry_type IN (%s, %s, %s) AND amount > 0 AND posted_on > %s AND posted_on <= %s
                   GROUP BY account_id) r ON r.account_id = t.account_id
        GROUP BY a.network"""
    params = [as_of, *bounds[:3], EntryType.CHARGE, EntryType.REVERSAL, EntryType.REFUND, bounds[3], as_of]
    found = {row[0]: row for row in _fetch(sql, params)}
    rows = []
    for network in NETWORKS:
        _, count, total, *cum = found.get(network, (network, 0, 0, 0, 0, 0, 0))
        total = money(total)
        cum = [money(c) for c in cum] + [total]
        buckets = [cum[0]] + [cum[i] - cum[i - 1] for i in range(1, 5)]
        rows.append({"network": network, "network_label": Network(network).label, "accounts": count,
                     **dict(zip(AGING_BUCKETS, buckets, strict=True)), "total": total})
    return rows


# --------------------------------------------------------------------------- funnel
def _case_prefix(prefix: str):
    """`<prefix><case id>:` as SQL: the natural keys of a case's NOC requests."""
    return Concat(Value(prefix), Cast(OuterRef("pk"), CharField()), Value(":"))


def delinquency_funnel(*, start: dt.date, end: dt.date) -> list[dict]:
    """Cases opened per month and how far they went (DLQ-1 .. DLQ-7).

    contacted: the customer was reached (DLQ-2). arranged: a manager approved an
    arrangement (DLQ-4). suspended: service was shut off (its NOC request, keyed by
    the case). reinstated: the restore the case asked for was confirmed (DLQ-7).
    cancelled: the case closed because the account was cancelled. The median days
    from D to payment are over the cases paid in full.
    """
    cases = Case.objects.filter(opened_on__gte=start, opened_on__lte=end)
    arranged = Arrangement.objects.filter(
        case=OuterRef("pk"),
        status__in=(ArrangementStatus.ACTIVE, ArrangementStatus.KEPT, ArrangementStatus.BROKEN))
    # (account, operation) is indexed: the probe reads the account's few requests
    shut = NocRequest.objects.filter(account_id=OuterRef("account_id"),
                                     operation__in=(NocOperation.SUSPEND, NocOperation.DISCONNECT),
                                     key__startswith=_case_prefix("dlq-shutoff:"))
    restored = NocRequest.objects.filter(account_id=OuterRef("account_id"), operation=NocOperation.UNSUSPEND,
                                         state=NocRequestState.CONFIRMED,
                                         key__startswith=_case_prefix("dlq-restore:"))
    by_day = (cases.values("opened_on")
              .annotate(opened=Count("id"),
                        contacted=Count("id", filter=Q(last_contact_on__isnull=False)),
                        arranged=Count("id", filter=Q(Exists(arranged))),
                        suspended=Count("id", filter=Q(Exists(shut))),
                        reinstated=Count("id", filter=Q(Exists(restored))),
                        cancelled=Count("id", filter=Q(outcome=CaseOutcome.CANCELLED)))
              .order_by())
    keys = ("opened", "contacted", "arranged", "suspended", "reinstated", "cancelled")
    totals: dict[dt.date, dict] = {m: dict.fromkeys(keys, 0) for m in periods.months(start, end)}
    for row in by_day:
        month = totals[periods.month_start(row["opened_on"])]
        for k in keys:
            month[k] += row[k]
    # days from D to payment: a histogram of (opened day, D, paid day), at most a few
    # thousand groups a year, whatever the number of cases
    days: dict[dt.date, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    paid = (cases.filter(outcome=CaseOutcome.PAID, closed_on__isnull=False)
            .values_list("opened_on", "d", "closed_on").annotate(n=Count("id")).order_by())
    for opened_on, d, closed_on, n in paid:
        days[periods.month_start(opened_on)][(closed_on - d).days] += n
    return [{"month": m, "month_label": periods.month_label(m), **totals[m],
             "paid": sum(days[m].values()), "median_days_to_payment": periods.median_of_counts(days[m])}
            for m in totals]


# --------------------------------------------------------------------------- collections
def cutoffs(*, due_on: dt.date, network: str) -> tuple[dt.date, dt.date | None]:
    """D and the shut-off day of a statement due on `due_on`, under the network's
    policy (DLQ-1): D is the policy's delinquency day of the due month; the shut-off
    day is the date of its first step that shuts off or changes the status, rolled
    as the policy says (CAL-3), which is what the customer is told."""
    settings = ispconfig.current()
    policy = get_policy(settings.policies[network])
    d_day = policy.delinquency_day or settings.delinquency_day
    # the day run asks this of the open due date every day (issue 14); the answer
    # depends only on the policy (the same object while it is loaded), the day and
    # the calendar
    key = (due_on, id(policy), policy.name, policy.version, d_day, settings.calendar)
    found = _cutoffs_cache.get(key)
    if found is None:
        if len(_cutoffs_cache) > 4096:
            _cutoffs_cache.clear()
        found = _cutoffs_cache[key] = _cutoffs(due_on, policy, d_day, settings.calendar)
    return found


_cutoffs_cache: dict = {}


def _cutoffs(due_on, policy, d_day, calendar) -> tuple[dt.date, dt.date | None]:
    d = _delinquency_day(due_on, d_day)
    try:
        dates = dict(projected(policy, CaseFacts(d), calendar))
    except ValueError:
        dates = {}
    for step in policy.steps:
        if step.name in dates and {n for n, _ in step.actions} & {"shut_off", "status"}:
            return d, dates[step.name]
    return d, None


def collections(*, start: dt.date, end: dt.date) -> list[dict]:
    """Of each month's billed amount (the amount due of the statements issued that
    month), the share paid by the due date, by D and by the shut-off day.

    A statement counts as paid up to its amount due by the payments (less payment
    reversals, BIL-7) posted from its issue day through each cut-off; D and the
    shut-off day come from the account's network policy (see `cutoffs`). A due
    date whose last shut-off day has passed was stored by the day run
    (services.collections_close); the others take one query each, which reads
    only that window of payments.
    """
    due_days = ispconfig.current().due_days
    due_dates = sorted(Statement.objects.filter(due_on__gte=start + dt.timedelta(days=due_days),
                                                due_on__lte=end + dt.timedelta(days=due_days))
                       .values_list("due_on", flat=True).distinct().order_by())
    keys = ("statements", "billed", "by_due", "by_d", "by_shutoff")
    totals = {m: dict.fromkeys(keys, ZERO) | {"statements": 0, "d_days": set(), "shutoff_days": set()}
              for m in periods.months(start, end)}
    stored = stored_due_dates(due_dates)
    for due_on in due_dates:
        issued, cut, last = due_date_window(due_on)
        if not start <= issued <= end:
            continue
        month = totals[periods.month_start(issued)]
        for d, shut in cut.values():
            month["d_days"].add(d)
            if shut:
                month["shutoff_days"].add(shut)
        for count, billed, by_due, by_d, by_shut in stored.get(due_on) or _live(due_on, issued, last, cut):
            month["statements"] += count or 0
            month["billed"] += money(billed)
            month["by_due"] += money(by_due)
            month["by_d"] += money(by_d)
            month["by_shutoff"] += money(by_shut)
    rows = []
    for m, t in totals.items():
        rows.append({"month": m, "month_label": periods.month_label(m), "statements": t["statements"],
                     "billed": t["billed"], "paid_by_due": t["by_due"], "paid_by_d": t["by_d"],
                     "paid_by_shutoff": t["by_shutoff"],
                     "share_by_due": periods.share(t["by_due"], t["billed"]),
                     "share_by_d": periods.share(t["by_d"], t["billed"]),
                     "share_by_shutoff": periods.share(t["by_shutoff"], t["billed"]),
                     "d_days": sorted(t["d_days"]), "shutoff_days": sorted(t["shutoff_days"])})
    return rows


def last_statement_id(due_on: dt.date) -> int:
    """The newest statement of a due date: the last row of `due_on`..`due_on` in the
    (due_on, id) index.

    Not `MAX(id) WHERE due_on = …`: PostgreSQL plans that as a backward walk of the
    primary key until a row of that due date turns up, past every statement issued
    since. Each past due date cost a walk over the months after it, 2.5 s of every
    quiet day at a million accounts (issue 14). A range on `due_on` with the index's
    own order leaves the planner only the (due_on, id) index."""
    return (Statement.objects.filter(due_on__gte=due_on, due_on__lte=due_on).order_by("-due_on", "-id")
            .values_list("id", flat=True).first()) or 0


def stored_due_dates(due_dates) -> dict[dt.date, list[tuple]]:
    """The stored figures of these due dates, each kept only while no statement
    was added to it since: an import of old statements (IMP-2) makes the due date
    live again until the day run stores it anew."""
    stored: dict[dt.date, list[tuple]] = defaultdict(list)
    last: dict[dt.date, int] = {}
    for r in CollectedDueDate.objects.filter(due_on__in=list(due_dates)):
        stored[r.due_on].append((r.statements, r.billed, r.by_due, r.by_d, r.by_shutoff))
        last[r.due_on] = r.last_statement_id
    return {due: rows for due, rows in stored.items() if last_statement_id(due) == last[due]}


def due_date_window(due_on: dt.date) -> tuple[dt.date, dict, dt.date]:
    """A due date's issue day, its cut-offs per network and the last of them."""
    issued = due_on - dt.timedelta(days=ispconfig.current().due_days)
    cut = {n: cutoffs(due_on=due_on, network=n) for n in NETWORKS}
    return issued, cut, max([due_on] + [c for pair in cut.values() for c in pair if c])


def _live(due_on, issued, last, cut) -> list[tuple]:
    return [row[1:] for row in _collected(due_on, issued, last, cut)]


def _collected(due_on, issued, last, cut) -> list[tuple]:
    """One due date's statements, per network: (network, how many, the amount due,
    and what was paid of it by each cut-off)."""
    sums, params = [], [due_on]
    for n in NETWORKS:
        d, shut = cut[n]
        sums.append(f"SUM(CASE WHEN posted_on <= %s THEN -amount ELSE 0 END) AS d_{n}")
        sums.append(f"SUM(CASE WHEN posted_on <= %s THEN -amount ELSE 0 END) AS s_{n}")
        params += [d, shut or d]
    paid_d = "CASE " + " ".join(f"WHEN a.network = '{n}' THEN COALESCE(p.d_{n}, 0)" for n in NETWORKS) + " END"
    paid_s = "CASE " + " ".join(f"WHEN a.network = '{n}' THEN COALESCE(p.s_{n}, 0)" for n in NETWORKS) + " END"
    sql = f"""
        SELECT a.network, COUNT(*), SUM(s.amount_due),
               SUM({_clamp('COALESCE(p.p_due, 0)', 's.amount_due')}),
               SUM({_clamp(paid_d, 's.amount_due')}),
               SUM({_clamp(paid_s, 's.amount_due')})
        FROM billing_statement s
        JOIN accounts_account a ON a.id = s.account_id
        LEFT JOIN (SELECT account_id, SUM(CASE WHEN posted_on <= %s THEN -amount ELSE 0 END) AS p_due,
                          {", ".join(sums)}
                   FROM billing_ledgerentry
                   WHERE entry_type IN (%s, %s) AND posted_on >= %s AND posted_on <= %s
                   GROUP BY account_id) p ON p.account_id = s.account_id
        WHERE s.due_on = %s AND s.issued_on = %s AND s.amount_due > 0
        GROUP BY a.network"""
    params += [EntryType.PAYMENT, EntryType.REVERSAL, issued, last, due_on, issued]
    return _fetch(sql, params)


# --------------------------------------------------------------------------- MRR and churn
def mrr_churn(*, start: dt.date, end: dt.date) -> list[dict]:
    """Per month: MRR (the recurring charges of the month's statements, BIL-1), the
    accounts billed, new accounts (service started), cancellations (a confirmed
    cancellation's last day, CAN-1, or a delinquency case closed by the account's
    cancellation, DLQ-1, when no cancellation was asked for), net change, and churn
    (cancellations over the accounts billed that month)."""
    month_list = periods.months(start, end)
    rows = {m: {"mrr": ZERO, "billed_accounts": 0, "new_accounts": 0, "cancellations": 0} for m in month_list}
    billed = (Statement.objects.filter(issued_on__gte=start, issued_on__lte=end)
              .values("issued_on").annotate(mrr=Sum("recurring"), n=Count("id")).order_by())
    for row in billed:
        month = rows[periods.month_start(row["issued_on"])]
        month["mrr"] += money(row["mrr"])
        month["billed_accounts"] += row["n"]
    from lastmile.accounts.models import Account

    started = (Account.objects.filter(service_start__gte=start, service_start__lte=end)
               .values("service_start").annotate(n=Count("id")).order_by())
    for row in started:
        rows[periods.month_start(row["service_start"])]["new_accounts"] += row["n"]
    ended = (Cancellation.objects.filter(
        status__in=(CancellationStatus.CONFIRMED, CancellationStatus.UNINSTALLED),
        last_day__gte=start, last_day__lte=end).values("last_day").annotate(n=Count("id")).order_by())
    for row in ended:
        rows[periods.month_start(row["last_day"])]["cancellations"] += row["n"]
    asked = Cancellation.objects.filter(account_id=OuterRef("account_id"))
    by_policy = (Case.objects.filter(outcome=CaseOutcome.CANCELLED, closed_on__gte=start, closed_on__lte=end)
                 .exclude(Exists(asked)).values("closed_on").annotate(n=Count("id")).order_by())
    for row in by_policy:
        rows[periods.month_start(row["closed_on"])]["cancellations"] += row["n"]
    return [{"month": m, "month_label": periods.month_label(m), **r,
             "net_change": r["new_accounts"] - r["cancellations"],
             "churn_percent": periods.share(Decimal(r["cancellations"]), Decimal(r["billed_accounts"]))}
            for m, r in rows.items()]


# --------------------------------------------------------------------------- NOC latency
def _tenths_of_minutes(sent: str, confirmed: str) -> str:
    """The time from sent to confirmed in tenths of a minute, as an integer: the
    one place the two databases need their own date arithmetic."""
    if connection.vendor == "postgresql":
        return f"CAST(ROUND(EXTRACT(EPOCH FROM ({confirmed} - {sent})) / 6) AS INTEGER)"
    return f"CAST(ROUND((julianday({confirmed}) - julianday({sent})) * 14400) AS INTEGER)"


def noc_latency(*, start: dt.date, end: dt.date) -> list[dict]:
    """NOC requests sent in the range, by channel (NET-1): how many, how many
    confirmed or failed, and the minutes from sent to confirmed (median and 95th
    percentile, nearest rank, to a tenth of a minute).

    The database returns a histogram (channel, tenths of a minute, how many), so
    the percentiles cost the same for ten requests or a million."""
    tz = ZoneInfo(settings.TIME_ZONE)
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    sent = NocRequest.objects.filter(sent_at__gte=lo, sent_at__lt=hi)
    counts = {row["channel"]: row for row in
              sent.values("channel").annotate(sent=Count("id"),
                                              confirmed=Count("id", filter=Q(state=NocRequestState.CONFIRMED)),
                                              failed=Count("id", filter=Q(state=NocRequestState.FAILED)))
              .order_by()}
    tenths = _tenths_of_minutes("sent_at", "confirmed_at")
    sql = f"""
        SELECT channel, {tenths} AS t, COUNT(*) FROM network_nocrequest
        WHERE sent_at >= %s AND sent_at < %s AND state = %s AND confirmed_at IS NOT NULL
        GROUP BY channel, {tenths}"""
    histogram: dict[str, dict[int, int]] = defaultdict(dict)
    for channel, t, n in _fetch(sql, [lo, hi, NocRequestState.CONFIRMED]):
        histogram[channel][max(0, int(t))] = histogram[channel].get(max(0, int(t)), 0) + n
    rows = []
    for channel in NocChannel.values:
        c = counts.get(channel)
        if c is None:
            continue
        h = histogram.get(channel, {})
        median, p95 = periods.median_of_counts(h), periods.percentile_of_counts(h, 95)
        rows.append({"channel": channel, "channel_label": NocChannel(channel).label, "sent": c["sent"],
                     "confirmed": c["confirmed"], "failed": c["failed"],
                     "median_minutes": None if median is None else round(median / 10, 1),
                     "p95_minutes": None if p95 is None else round(p95 / 10, 1)})
    return rows


# --------------------------------------------------------------------------- fees
WAIVER_BASES = (("autopay", "autopay"), ("first", "first reactivation fee"), ("override", "manager override"))


def fees(*, start: dt.date, end: dt.date) -> list[dict]:
    """Fees charged, waived and voided in the range, by basis: the kind of fee
    (DLQ-5 reactivation, CON-7 early termination, CAN-6 equipment), with waivers
    split by the basis fee_waive records (autopay, first fee, manager override).
    A waiver is the void fee_waive posts; any other void of a fee (a "where is my
    payment?" claim, DLQ-6, or a correction, BIL-7) counts as voided."""
    rows = {kind: {"kind": kind, "label": ChargeKind(kind).label, "charged_count": 0, "charged": ZERO,
                   "waived_count": 0, "waived": ZERO, **{f"waived_{key}": ZERO for key, _ in WAIVER_BASES},
                   "voided_count": 0, "voided": ZERO} for kind in FEE_KINDS}
    entries = LedgerEntry.objects.filter(kind__in=FEE_KINDS, posted_on__gte=start, posted_on__lte=end)
    charged = (entries.filter(entry_type=EntryType.CHARGE).values("kind")
               .annotate(n=Count("id"), total=Sum("amount")).order_by())
    for r in charged:
        rows[r["kind"]]["charged_count"], rows[r["kind"]]["charged"] = r["n"], money(r["total"])
    # grouped by reason: a handful of distinct sentences, not one row per void
    voids = (entries.filter(entry_type=EntryType.VOID).values("kind", "reason")
             .annotate(n=Count("id"), total=Sum("amount")).order_by())
    bases = {label: key for key, label in WAIVER_BASES}
    for r in voids:
        target, amount = rows[r["kind"]], -money(r["total"])
        if r["reason"].startswith(WAIVER_REASON):
            target["waived_count"] += r["n"]
            target["waived"] += amount
            key = bases.get(r["reason"][len(WAIVER_REASON):].strip(" ()"))
            if key:
                target[f"waived_{key}"] += amount
        else:
            target["voided_count"] += r["n"]
            target["voided"] += amount
    return [r | {"net": r["charged"] - r["waived"] - r["voided"]} for r in rows.values()]
