"""Reads of delinquency cases and arrangements."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from lastmile.accounts.models import Account
from lastmile.billing.choices import EntryType
from lastmile.billing.models import LedgerEntry, Statement
from lastmile.core.choices import AccountStatus
from lastmile.core.money import ZERO

from .models import Arrangement, ArrangementStatus, Case, CaseStatus

# SQLite sums decimals in floating point: select with half a cent of slack, then
# check each candidate exactly with Decimal.
_SLACK = Decimal("0.005")


def has_open_case(*, account_id: int) -> bool:
    """Cheap check for the hot path: every payment asks it, and most payers have no
    case. Plain SQL, because compiling the ORM query cost more than running it
    (docs/performance.md, payment burst)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {Case._meta.db_table} WHERE account_id = %s AND status = %s LIMIT 1",
            [account_id, CaseStatus.OPEN],
        )
        return cursor.fetchone() is not None


def open_case(*, account, lock: bool = False) -> Case | None:
    qs = Case.objects.filter(account=account, status=CaseStatus.OPEN)
    if lock:
        qs = qs.select_for_update()
    return qs.first()


def latest_case(*, account) -> Case | None:
    return Case.objects.filter(account=account).order_by("-id").first()


def cases(*, account):
    return Case.objects.filter(account=account).order_by("-id")


def active_arrangement(*, case: Case) -> Arrangement | None:
    return Arrangement.objects.filter(case=case, status=ArrangementStatus.ACTIVE).first()


def open_proposal(*, case: Case) -> Arrangement | None:
    return Arrangement.objects.filter(case=case, status=ArrangementStatus.PROPOSED).first()


def proposals():
    """DLQ-4: the approval queue, oldest first."""
    return (Arrangement.objects.filter(status=ArrangementStatus.PROPOSED)
            .select_related("account", "case").order_by("created_at", "id"))


def arrangements(*, status: str | None = None):
    qs = Arrangement.objects.select_related("account").order_by("created_at", "id")
    return qs.filter(status=status) if status else qs


def open_claim(*, account) -> dict | None:
    """DLQ-6: the claim the account page shows, until a payment posted after it
    arrives or its grace ends."""
    from lastmile.core import clock

    from .models import PaymentClaim

    claim = PaymentClaim.objects.filter(account=account, resolved_on__isnull=True,
                                        grace_until__gte=clock.today()).order_by("-recorded_at", "-id").first()
    if claim is None:
        return None
    paid = LedgerEntry.objects.filter(account=account, entry_type=EntryType.PAYMENT, id__gt=claim.after_entry_id,
                                      voided_by__isnull=True).order_by("id").first()
    if paid is not None:
        return None
    parts = ["Customer says"]
    parts.append(f"${claim.amount:,.2f} was sent" if claim.amount is not None else "a payment was sent")
    if claim.method:
        parts.append(f"by {claim.get_method_display()}")
    if claim.sent_on:
        parts.append(f"on {claim.sent_on}")
    sentence = " ".join(parts)
    if claim.reference:
        sentence += f", ref {claim.reference}"
    sentence += f"; waiting until {claim.grace_until}"
    return {"claim": claim, "sentence": sentence}


def payments_since(*, account, after_entry_id: int, through: dt.date | None = None) -> Decimal:
    """What the customer paid after an arrangement was made (by the end of `through`)."""
    qs = LedgerEntry.objects.filter(account=account, entry_type=EntryType.PAYMENT, id__gt=after_entry_id,
                                    voided_by__isnull=True)  # BIL-7: a reversed payment paid nothing
    if through is not None:
        qs = qs.filter(posted_on__lte=through)
    total = qs.aggregate(s=Sum("amount"))["s"] or ZERO
    return -Decimal(total).quantize(Decimal("0.01"))


def owing_candidates(*, as_of: dt.date, networks=(), extra_account_ids=(), account_ids=None) -> list[int]:
    """Active accounts that owe on statements already due, set-based (DLQ opening).

    Per account: the latest statement due by `as_of`; debits are the positive
    entries up to its last entry, credits every negative entry (BIL-4 FIFO), as in
    billing.selectors.owed_on_due_statements, except that a voided charge and its
    void both drop out (a fee charged after the statement and voided must not pay
    the statement). No open case, no claim grace (DLQ-6).

    One grouped pass over the ledger (issue 14): asked per account as correlated
    subqueries it was 1.7 s of a 100,000-account delinquency day on PostgreSQL. A
    prefilter: oldest_unpaid_due then works out each candidate's figures in Decimal.
    """
    from lastmile.core import bulk

    if not networks and not extra_account_ids:
        return []
    acc, case, st, le = (bulk.table(m) for m in (Account, Case, Statement, LedgerEntry))
    where, params = [], [_SLACK, AccountStatus.ACTIVE]
    if networks:
        where.append(f"a.network IN ({', '.join(['%s'] * len(networks))})")
        params += list(networks)
    extra = bulk.Ids(extra_account_ids).ids
    if extra:
        where.append(f"a.id IN ({', '.join(map(str, extra))})")
    only = ""
    scope = None  # the accounts the ledger pass needs to read; None: every account
    if account_ids is not None:
        scope = bulk.Ids(account_ids).ids
        if not scope:
            return []
        only = f" AND a.id IN ({', '.join(map(str, scope))})"
    if not networks:
        scope = extra if scope is None else sorted(set(scope) & set(extra))
        if not scope:
            return []
    # a worker's chunk, or the few accounts whose grace ends: the grouped pass reads
    # only their entries, not the whole ledger once per chunk
    within = f" WHERE account_id IN ({', '.join(map(str, scope))})" if scope is not None else ""
    day = bulk.db_date(as_of, Case)
    params += [CaseStatus.OPEN, day, bulk.db_date(as_of, Statement), EntryType.VOID, _SLACK]
    sql = (
        # an account with no voided entries owes on its due statements at most its
        # balance (the entries after the statement are charges), so one grouped pass
        # keeps only those with a balance or a void to the exact figures below
        f"WITH owing AS MATERIALIZED (SELECT account_id FROM {le}{within} GROUP BY account_id"
        f" HAVING SUM(amount) >= CAST(%s AS NUMERIC) OR COUNT(voids_id) > 0),"
        f" cand AS (SELECT a.id FROM {acc} a JOIN owing o ON o.account_id = a.id"
        f" WHERE a.status = %s AND ({' OR '.join(where)}){only}"
        f" AND NOT EXISTS (SELECT 1 FROM {case} c WHERE c.account_id = a.id AND c.status = %s)"
        f" AND NOT EXISTS (SELECT 1 FROM {case} c WHERE c.account_id = a.id AND c.grace_until > %s)),"
        f" latest AS (SELECT s.account_id, MAX(s.period_start) AS ps FROM {st} s JOIN cand ON cand.id = s.account_id"
        f" WHERE s.due_on <= %s GROUP BY s.account_id),"
        f" thr AS (SELECT s.account_id, s.through_entry_id AS through FROM {st} s JOIN latest l"
        f" ON l.account_id = s.account_id AND l.ps = s.period_start WHERE s.through_entry_id IS NOT NULL)"
        f" SELECT thr.account_id FROM thr JOIN {le} e ON e.account_id = thr.account_id"
        f" WHERE e.id NOT IN (SELECT v.voids_id FROM {le} v WHERE v.voids_id IS NOT NULL)"  # BIL-7
        f" GROUP BY thr.account_id HAVING SUM(CASE"
        f" WHEN e.amount > 0 AND e.id <= thr.through AND e.voids_id IS NULL THEN e.amount"
        f" WHEN e.amount < 0 AND e.entry_type <> %s THEN e.amount ELSE 0 END) >= CAST(%s AS NUMERIC)"
        f" ORDER BY thr.account_id"
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def oldest_unpaid_due(*, account_ids, as_of: dt.date) -> dict[int, tuple[dt.date, Decimal]]:
    """For each account: the due date of its oldest statement not fully paid (BIL-4
    FIFO) and what it owes on due statements, exactly in Decimal."""
    from django.db import connection

    from lastmile.core import bulk

    stmts: dict[int, list] = {}
    debits: dict[int, list] = {}
    credits: dict[int, Decimal] = {}
    ids = bulk.Ids(account_ids).ids
    if not ids:
        return {}
    marks = ", ".join(map(str, ids))  # integers, written into the SQL (see core.bulk.Ids)
    st, le = bulk.table(Statement), bulk.table(LedgerEntry)
    # raw (issue 14): the ORM built 10,000-id lookups and a model row per entry, half a
    # second of a delinquency day; the same rows, read as the fields would read them
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT account_id, due_on, through_entry_id FROM {st} WHERE account_id IN ({marks})"
                       f" AND due_on <= %s ORDER BY account_id, period_start", [bulk.db_date(as_of, Statement)])
        for account_id, due_on, through in cursor.fetchall():
            stmts.setdefault(account_id, []).append({"due_on": bulk.date_from_db(due_on), "through_entry_id": through})
        cursor.execute(f"SELECT e.account_id, e.id, e.amount FROM {le} e WHERE e.account_id IN ({marks})"
                       f" AND e.entry_type <> %s AND e.voids_id IS NULL"  # BIL-7: reversals drop out
                       f" AND NOT EXISTS (SELECT 1 FROM {le} v WHERE v.voids_id = e.id) ORDER BY e.id",
                       [EntryType.VOID])
        for account_id, entry_id, amount in cursor.fetchall():
            amount = bulk.money_from_db(amount)
            if amount > 0:
                debits.setdefault(account_id, []).append((entry_id, amount))
            else:
                credits[account_id] = credits.get(account_id, ZERO) + amount
    result = {}
    for pk, rows in stmts.items():
        credit = credits.get(pk, ZERO)
        items = debits.get(pk, [])
        owed_last = sum((a for i, a in items if i <= rows[-1]["through_entry_id"]), ZERO) + credit
        if owed_last < Decimal("0.01"):
            continue
        for row in rows:
            owed = sum((a for i, a in items if i <= row["through_entry_id"]), ZERO) + credit
            if owed >= Decimal("0.01"):
                result[pk] = (row["due_on"], owed_last)
                break
    return result


# what the policies will do to the network and the account: shut-offs, status changes,
# scheduled disconnects and cancellations (the manager's look-ahead on the home page)
ENFORCING_ACTIONS = ("shut_off", "status", "schedule", "cancel")


def enforcements_ahead(*, as_of: dt.date, business_days: int = 3) -> list[dict]:
    """The shut-offs and cancellations the day runs of the next `business_days`
    business days will make, if nothing changes (no payment, no contact).

    Asked of the day run's own planning (bulk.plan: next_step and skip_reason with
    today's balances, arrangements and contacts), once per coming day, so the
    forecast cannot drift from what the automation does. A step appears on the first
    day its run would reach it; paused cases (an arrangement being kept) are left out,
    as the day run leaves them.
    """
    from lastmile.core import calendar as cal_mod
    from lastmile.core import ispconfig

    from . import bulk

    horizon = cal_mod.add_business_days(as_of, business_days, ispconfig.current().calendar)
    cases = list(bulk.due_cases(horizon).select_related("account").order_by("next_due_on", "pk")[:500])
    seen: set[tuple[int, str]] = set()
    rows: list[dict] = []
    day = as_of
    while day < horizon:
        day += dt.timedelta(days=1)
        due = [case for case in cases if case.next_due_on and case.next_due_on <= day]
        plans = bulk.plan(due, day) if due else {}
        for case in due:
            policy, steps, _done = plans[case.pk]
            for nxt, reason in steps:
                actions = [(name, arg) for name, arg in nxt.step.actions if name in ENFORCING_ACTIONS]
                if reason or not actions or (case.pk, nxt.step.name) in seen:
                    continue
                seen.add((case.pk, nxt.step.name))
                rows.append({"on": day, "account": case.account, "case": case, "policy": policy.name,
                             "step": nxt.step.name, "actions": actions, "skip_if": nxt.step.skip_if})
    rows.sort(key=lambda r: (r["on"], r["account"].name, r["account"].pk))
    return rows
