"""The `reports` figure of `lastmile bench` (issue 10): every report over a year of
history at the bench's size, and the slowest one's time.

The bench ISP (bench/synth.py) has one month of history; `history` writes eleven
more months before it, in bulk and with a seeded random: a statement, a recurring
charge and (mostly) a payment a month, late payers' delinquency cases with their
steps, shut-offs and restores at the NOC, reactivation fees (some waived, some
voided), arrangements and cancellations. It runs last in the bench, so no other
figure reads these rows.
"""
from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from django.db import connection, transaction

from . import periods

SEED = 20251001
CHUNK = 5000
FIRST_MONTH = dt.date(2025, 9, 1)
MONTHS = 11  # Sep 2025 .. Jul 2026; the bench ISP's own history is Aug 2026
LEDGER_SQL = (
    "INSERT INTO billing_ledgerentry (account_id, entry_type, kind, amount, posted_on, posted_at, method,"
    " key, description, reference, actor, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, '', %s, %s)"
)
STATEMENT_SQL = (
    "INSERT INTO billing_statement (account_id, period_start, period_end, issued_on, due_on, recurring,"
    " balance, amount_due, previous_entry_id, through_entry_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 0, 0)"
)
ACTOR = "bench history"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def history(isp, *, first: dt.date = FIRST_MONTH, months: int = MONTHS) -> dict:
    """Write `months` months of history from `first` for every bench account."""
    from lastmile.accounts.models import Account

    month_list = [first]
    for _ in range(months - 1):
        month_list.append(periods.next_month(month_list[-1]))
    rng = random.Random(SEED)
    info = dict(Account.objects.filter(pk__in=isp.account_ids)
                .values_list("pk", "package__monthly"))
    starts = dict(Account.objects.filter(pk__in=isp.account_ids).values_list("pk", "service_start"))
    counts = {"statements": 0, "ledger": 0, "cases": 0, "noc_requests": 0, "cancellations": 0}
    ids = list(isp.account_ids)
    for lo in range(0, len(ids), CHUNK):
        with transaction.atomic():
            _chunk(rng, ids[lo:lo + CHUNK], isp, info, starts, month_list, counts)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


def _chunk(rng, ids, isp, info, starts, month_list, counts):
    from lastmile.cancellations.models import Cancellation
    from lastmile.delinquency.models import Arrangement, Case, CaseStep
    from lastmile.network.models import NocRequest

    ledger, statements, cases, plans, cancellations = [], [], [], [], []
    for pk in ids:
        monthly = Decimal(info[pk])
        network = isp.network[pk]
        owed = Decimal("0.00")
        for m in month_list:
            if starts[pk] > m:
                continue
            end = periods.next_month(m) - dt.timedelta(days=1)
            due = m + dt.timedelta(days=4)
            ledger.append((pk, "charge", "recurring", monthly, m, _at(m, 12), "", f"recurring:{pk}:{m}",
                           f"service {m:%b %d} - {end:%b %d, %Y}", "automation: bill run", ""))
            owed += monthly
            statements.append((pk, m, end, m, due, monthly, owed, owed))
            if pk in isp.never_pay:
                continue
            r = rng.random()
            if r < 0.80:
                day = m + dt.timedelta(days=rng.randint(1, 4))
            elif r < 0.88:
                day = m + dt.timedelta(days=rng.randint(5, 14))
            elif r < 0.93:
                day = m + dt.timedelta(days=rng.randint(15, 17))
            else:  # wireless shuts off 15 days after D: some pay after that
                day = m + dt.timedelta(days=rng.randint(18, 26 if network == "utopia" else 36))
            if day.day >= 16:
                d = m.replace(day=16)
                contacted = rng.random() < 0.5
                shutoff = (m.replace(day=18) if network == "utopia" else m.replace(day=16) + dt.timedelta(days=15))
                shut = day > shutoff or (not contacted and day >= shutoff)
                cases.append(Case(account_id=pk, policy_name=f"{network}-2022-04", policy_version=1, d=d,
                                  opened_on=d, status="closed", outcome="paid", closed_on=day,
                                  contact_since=d, last_contact_on=day if contacted else None,
                                  contacts=[], next_due_on=None, shut_off=False))
                plans.append((pk, network, d, day, shutoff if shut else None, rng.random()))
            ledger.append((pk, "payment", "payment", -owed, day, _at(day, 15), "phone", None, "", ACTOR, ""))
            owed = Decimal("0.00")
        if pk not in isp.never_pay and rng.random() < 0.01 * len(month_list):
            m = rng.choice(month_list)
            last_day = periods.next_month(m) - dt.timedelta(days=1)
            cancellations.append(Cancellation(
                account_id=pk, status="uninstalled", requested_on=m, requested_at=_at(m, 16), requested_by=ACTOR,
                last_day=last_day, reason="moving away", confirmed_on=m, uninstall_on=last_day + dt.timedelta(days=1)))
    with connection.cursor() as cursor:
        cursor.executemany(LEDGER_SQL, ledger)
        cursor.executemany(STATEMENT_SQL, statements)
    counts["ledger"] += len(ledger)
    counts["statements"] += len(statements)
    Case.objects.bulk_create(cases, batch_size=1000)
    Cancellation.objects.bulk_create(cancellations, batch_size=1000)
    counts["cases"] += len(cases)
    counts["cancellations"] += len(cancellations)
    steps, requests, arrangements, fees = [], [], [], []
    for case, (pk, network, d, paid_on, shutoff, luck) in zip(cases, plans, strict=True):
        first, second = ("open", "suspend") if network == "utopia" else ("first_call", "deactivate")
        steps.append(CaseStep(case=case, step=first, position=0, on=d, outcome="ran", at=_at(d, 13)))
        channel = "email" if network == "utopia" else "work_order"
        if luck < 0.05:
            arrangements.append(Arrangement(case=case, account_id=pk, status="kept", created_on=d,
                                            created_at=_at(d, 14), installments=[], approved_by=ACTOR,
                                            approved_at=_at(d, 15), ended_on=paid_on))
        if shutoff is None:
            continue
        steps.append(CaseStep(case=case, step=second, position=1, on=shutoff, outcome="ran", at=_at(shutoff, 13)))
        minutes = min(600, int(rng.lognormvariate(3.0, 0.8)))
        requests.append(NocRequest(
            account_id=pk, operation="suspend" if network == "utopia" else "disconnect", channel=channel,
            state="confirmed", key=f"dlq-shutoff:{case.pk}:{second}", sent_at=_at(shutoff, 13),
            confirmed_at=_at(shutoff, 13) + dt.timedelta(minutes=minutes), requested_by=ACTOR))
        back = rng.randint(2, 45)
        requests.append(NocRequest(
            account_id=pk, operation="unsuspend", channel=channel, state="confirmed",
            key=f"dlq-restore:{case.pk}:{paid_on:%Y%m%d}", sent_at=_at(paid_on, 16),
            confirmed_at=_at(paid_on, 16) + dt.timedelta(minutes=back), requested_by=ACTOR))
        fee = Decimal("35.00")
        fees.append((pk, "charge", "reactivation_fee", fee, shutoff, _at(shutoff, 13), "", f"reactivation:{case.pk}",
                     "reactivation fee (shut off for non-payment)", "automation: delinquency",
                     "DLQ-5: service shut off for non-payment"))
        if luck > 0.8:
            basis = "autopay" if luck > 0.95 else "first reactivation fee"
            fees.append((pk, "void", "reactivation_fee", -fee, paid_on, _at(paid_on, 15), "", None, "",
                         ACTOR, f"DLQ-5: reactivation fee waived ({basis})"))
        elif luck > 0.75:
            fees.append((pk, "void", "reactivation_fee", -fee, paid_on, _at(paid_on, 15), "", None, "",
                         ACTOR, "DLQ-6: the customer's payment is on its way"))
    CaseStep.objects.bulk_create(steps, batch_size=1000)
    NocRequest.objects.bulk_create(requests, batch_size=1000)
    Arrangement.objects.bulk_create(arrangements, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.executemany(LEDGER_SQL, fees)
    counts["ledger"] += len(fees)
    counts["noc_requests"] += len(requests)


def time_reports(as_of: dt.date) -> tuple[dict[str, float], dict[str, float]]:
    """Each report once, over its default range as of `as_of` (a year): the wall
    time and the CPU time of each (SQLite runs in this process, so on a busy
    machine the CPU time is what the report itself costs)."""
    from .registry import REPORTS

    wall, cpu = {}, {}
    for report in REPORTS.values():
        params = report.defaults(as_of)
        started, started_cpu = time.perf_counter(), time.process_time()
        report.rows(**params)
        wall[report.slug] = round(time.perf_counter() - started, 4)
        cpu[report.slug] = round(time.process_time() - started_cpu, 4)
    return wall, cpu


def reports_bench(isp, as_of: dt.date) -> tuple[float, int, dict]:
    """The figure: the slowest report's seconds; counts carry each report's wall
    and CPU time and what the history build wrote."""
    started = time.perf_counter()
    written = history(isp)
    build = round(time.perf_counter() - started, 2)
    # the day runs of the history's months would have stored their closed due dates
    from .services import collections_close

    started = time.perf_counter()
    closed = collections_close(as_of=as_of)
    close = round(time.perf_counter() - started, 2)
    wall, cpu = time_reports(as_of)
    return max(wall.values()), len(wall), {
        "reports_seconds": wall, "reports_cpu_seconds": cpu, "reports_history": written,
        "reports_history_build_seconds": build, "reports_closed_due_dates": closed,
        "reports_close_seconds": close}
