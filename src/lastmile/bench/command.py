"""`lastmile bench`: how fast the day run is at ISP scale (issue 6).

It builds a synthetic ISP (see synth.py) in a FRESH database — a new SQLite file in
a temporary directory (WAL), or with `--database-url postgres://...` a temporary
database beside the named one, dropped afterwards — and times, each on its own:

  bill_run               the day run of the 1st (statements for every account)
  quiet_day              the 10th: nothing is due
  delinquency_day        the 16th: cases open, the delinquency steps of D run
  shutoff_day            the 18th: utopia-2022-04 suspends 2 days after `open`
  payment_burst          N/10 payments through billing.services.payment_post
  simulate_account_year  one account simulated for a year by the scenario runner
  statement_pdf          statement PDFs rendered with WeasyPrint, one core (BIL-8; target 50/s)
  import                 `lastmile import` of N synthetic accounts with 12 months of history
                         (12 statements + 12 payments each) in the lastmile layout (issue 12)
  search                 the console's search (issue 10) right after the build, at N accounts: a
                         fixed set of queries of every kind (bench/search.py); the slowest one's
                         seconds (target 0.1), the median and the CPU times among the counts
  reports                every console report (issue 10) over a year of history (reports/bench.py
                         writes 11 more months first, untimed): the slowest report's seconds
  floor                  exactly the rows the bill run wrote, in every table, inserted raw into
                         copies of those tables (same columns and indexes) in the same engine:
                         executemany on SQLite, COPY on PostgreSQL (bench/floor.py)

The month is September 2026: the 16th is a Wednesday and the 18th a Friday, so no
step rolls (CAL-3). Days between the timed ones run untimed, so the state on each
timed day is what a live ISP would have.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

MONTH = dt.date(2026, 9, 1)
QUIET_DAY = dt.date(2026, 9, 10)
DELINQUENCY_DAY = dt.date(2026, 9, 16)
SHUTOFF_DAY = dt.date(2026, 9, 18)
BURST_DAY = dt.date(2026, 9, 3)
HAND_PAYMENTS_DAY = dt.date(2026, 9, 4)
NAMES = ("bill_run", "quiet_day", "delinquency_day", "shutoff_day", "payment_burst",
         "simulate_account_year", "statement_pdf", "import", "coa_burst", "reports", "search", "floor")
UNITS = {
    "bill_run": "rows", "quiet_day": "accounts", "delinquency_day": "accounts",
    "shutoff_day": "accounts", "payment_burst": "payments", "simulate_account_year": "days",
    "statement_pdf": "PDFs", "import": "rows", "coa_burst": "CoA requests", "reports": "reports", "floor": "rows",
    "search": "searches (slowest)",
}


SKIPPABLE = ("statement_pdf", "import", "coa_burst", "reports", "search")


class BenchError(ValueError):
    """A bench option that cannot be honoured; the message names the option."""


def _options(args) -> tuple[int, int, frozenset[str]]:
    workers = int(getattr(args, "workers", 0) or 0)
    if workers < 0:
        raise BenchError(f"--workers: must be 0 (one process) or more, not {workers}")
    if workers and not (args.database_url or "").startswith(("postgres://", "postgresql://")):
        raise BenchError("--workers: worker processes must share the database; give --database-url postgresql://…")
    skip = frozenset(x.strip() for x in (getattr(args, "skip", "") or "").split(",") if x.strip())
    unknown = sorted(skip - set(SKIPPABLE))
    if unknown:
        raise BenchError(f"--skip: {', '.join(unknown)} cannot be skipped; these can: {', '.join(SKIPPABLE)}")
    return max(10, int(args.accounts)), workers, skip


def main(args) -> int:
    try:
        accounts, workers, skip = _options(args)
    except BenchError as exc:
        print(f"lastmile bench: {exc}", file=sys.stderr)
        return 2
    # without --workers the bench times one process; a broker in the environment
    # would send the day run to workers that cannot see this throw-away database
    os.environ.pop("LASTMILE_CELERY_BROKER", None)
    os.environ.pop("LASTMILE_CELERY_QUEUE", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lastmile.config.settings")
    if workers:
        import uuid

        # set before Django starts: settings read the broker once
        os.environ["LASTMILE_CELERY_BROKER"] = args.broker
        os.environ["LASTMILE_CELERY_QUEUE"] = f"lastmile-bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="lastmile-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        from lastmile.simulation.fresh_db import fresh_database

        with fresh_database(url):
            if workers:
                from .workers import celery_workers

                with celery_workers(workers, database_url=os.environ["DATABASE_URL"], broker=args.broker,
                                    queue=os.environ["LASTMILE_CELERY_QUEUE"]):
                    result = run_bench(accounts, tmp, skip=skip)
            else:
                result = run_bench(accounts, tmp, skip=skip)
            result["workers"] = workers
    if args.json:
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
    else:
        render(result)
    return 0


def _timed(fn, *a, _name: str = "", **kw):
    """Time one call; with LASTMILE_BENCH_PROFILE=<figure>[,<figure>…] also write its
    cProfile statistics to LASTMILE_BENCH_PROFILE_OUT (default ./bench-{figure}.prof)."""
    profile = None
    if _name and _name in os.environ.get("LASTMILE_BENCH_PROFILE", "").split(","):
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    started = time.perf_counter()
    value = fn(*a, **kw)
    elapsed = time.perf_counter() - started
    if profile is not None:
        profile.disable()
        out = os.environ.get("LASTMILE_BENCH_PROFILE_OUT", "bench-{figure}.prof")
        profile.dump_stats(out.format(figure=_name) if "{figure}" in out else out)
    return elapsed, value


def run_bench(n: int, tmp: str, *, skip: frozenset[str] = frozenset()) -> dict:
    from django.db import connection

    from lastmile.billing.models import LedgerEntry, Statement

    from . import floor, synth

    seconds: dict[str, float | None] = {}
    work: dict[str, int] = {}
    counts: dict[str, int] = {}

    # one account for a year first, while the database holds only that account; the
    # holiday tables load once per process (the holidays package imports a module per
    # country), which is start-up, not simulation
    from lastmile.core import calendar, ispconfig

    for year in (2025, 2026, 2027):
        calendar.is_business_day(dt.date(year, 1, 2), ispconfig.current().calendar)
    seconds["simulate_account_year"], days = _timed(simulate_account_year, _name="simulate_account_year")
    work["simulate_account_year"] = days

    started = time.perf_counter()
    isp = synth.build(n, month=MONTH)
    counts["accounts"] = len(isp.account_ids)
    counts["build_seconds"] = round(time.perf_counter() - started, 2)
    _analyze()

    # issue 10: the console's search while the database holds the N accounts built
    from .search import search_bench

    if "search" not in skip:
        search = search_bench()
        seconds["search"], work["search"] = search.pop("worst_seconds"), 1
        counts["search"] = search

    from lastmile.core.dayrun import run_day

    before = floor.marks()
    seconds["bill_run"], report = _timed(run_day, MONTH, _name="bill_run")
    counts["statements"] = Statement.objects.filter(issued_on=MONTH).count()
    counts["bill_run_ledger_rows"] = LedgerEntry.objects.filter(posted_on=MONTH).count()
    counts["bill_run_rows"] = floor.written(before)
    # the floor: the same rows, raw, in the same engine, right after the bill run
    seconds["floor"], work["floor"] = floor.measure(before)
    work["bill_run"] = work["floor"]
    if "statement_pdf" not in skip:
        seconds["statement_pdf"], work["statement_pdf"], cpu = statement_pdf_bench(min(100, counts["statements"]))
        counts["statement_pdf_cpu_per_s"] = round(work["statement_pdf"] / cpu, 1) if cpu else None

    day = MONTH + dt.timedelta(days=1)
    while day <= SHUTOFF_DAY:
        if day == BURST_DAY:
            run_day(day)
            burst_n = max(1, n // 10)
            seconds["payment_burst"], work["payment_burst"] = payment_burst(isp, burst_n, day)
            paid_by_burst = set(_burst_ids(isp, burst_n))
        elif day == HAND_PAYMENTS_DAY:
            run_day(day)
            counts["lockbox_payments"] = lockbox_payments(
                [pk for pk in isp.payers_by_hand if pk not in paid_by_burst], day)
        elif day == QUIET_DAY:
            seconds["quiet_day"], _ = _timed(run_day, day, _name="quiet_day")
            work["quiet_day"] = n
        elif day == DELINQUENCY_DAY:
            seconds["delinquency_day"], report = _timed(run_day, day, _name="delinquency_day")
            work["delinquency_day"] = n
            counts["delinquency_day_counts"] = dict(report.counts)
        elif day == SHUTOFF_DAY:
            seconds["shutoff_day"], report = _timed(run_day, day, _name="shutoff_day")
            work["shutoff_day"] = n
            counts["shutoff_day_counts"] = dict(report.counts)
        else:
            run_day(day)
        day += dt.timedelta(days=1)
    counts.update(_outcome())

    # issue 12: the import figure last, so no other figure sees its rows
    if "import" not in skip:
        from lastmile.imports.synth import bench_import

        seconds["import"], work["import"], counts["import_created"] = bench_import(n)

    # issue 13 (NET-3): 5,000 wireless suspensions' CoA to a loopback NAS; last, it rewrites accounts
    if "coa_burst" not in skip:
        from lastmile.network.bench import coa_burst

        seconds["coa_burst"], work["coa_burst"], counts["coa_burst_packets"] = coa_burst(isp.account_ids)

    # issue 10: a year of history, then every report; the slowest one is the figure
    if "reports" not in skip:
        from lastmile.reports.bench import reports_bench

        seconds["reports"], work["reports"], reports_counts = reports_bench(isp, SHUTOFF_DAY)
        counts.update(reports_counts)

    figures = {
        name: {"seconds": round(seconds[name], 4) if seconds.get(name) is not None else None,
               "per_s": round(work[name] / seconds[name], 1) if seconds.get(name) else None}
        for name in NAMES
    }
    ratio = {name: round(seconds[name] / seconds["floor"], 2) if seconds.get(name) and seconds["floor"] else None
             for name in NAMES}
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "accounts": n,
        "database": "postgresql" if connection.vendor == "postgresql" else "sqlite",
        "figures": figures,
        "floor_ratio": ratio,
        "peak_rss_mb": round(rss_kb / 1024, 1),
        "days": {
            "bill_run": MONTH.isoformat(), "quiet_day": QUIET_DAY.isoformat(),
            "delinquency_day": DELINQUENCY_DAY.isoformat(), "shutoff_day": SHUTOFF_DAY.isoformat(),
            "payment_burst": BURST_DAY.isoformat(),
        },
        "counts": counts,
        "skipped": sorted(skip),
        "machine": _machine(),
    }


def _machine() -> dict:
    """What the figures were measured on, so a table can name the machine."""
    import platform

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        engine = cursor.fetchone()[0]
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "cpus": os.cpu_count(), "python": platform.python_version(), "engine": engine.split(" on ")[0],
        "processor": platform.processor() or platform.machine(),
        "load_average": [round(x, 2) for x in load] if load else None,
    }


def statement_pdf_bench(count: int) -> tuple[float, int, float]:
    """BIL-8: `count` of the month's statements rendered to PDF one after another (the
    outbox's delivery step), after one warm-up render that loads the fonts. Returns the
    wall time, the count and the CPU time (the same on an idle machine; on a busy one
    the CPU time is what one core costs)."""
    from lastmile.billing.models import Statement
    from lastmile.comms.statements import statement_pdf

    statements = list(Statement.objects.filter(issued_on=MONTH).order_by("pk")[: count + 1])
    if not statements:
        return 0.0, 0, 0.0
    statement_pdf(statements[0])
    started, cpu = time.perf_counter(), time.process_time()
    for statement in statements[1:]:
        statement_pdf(statement)
    return time.perf_counter() - started, len(statements) - 1, time.process_time() - cpu


def _analyze() -> None:
    """Fresh statistics after the bulk load, as a nightly ANALYZE would keep them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _outcome() -> dict:
    from django.db.models import Count

    from lastmile.accounts.models import Account
    from lastmile.core.models import TimelineEntry

    statuses = dict(Account.objects.values_list("status").annotate(n=Count("id")))
    opened = TimelineEntry.objects.filter(type="delinquency.opened").count()
    return {"status_" + k: v for k, v in sorted(statuses.items())} | {"cases_opened": opened}


def _burst_ids(isp, count: int) -> list[int]:
    pool = isp.payers_by_hand
    return sorted(random.Random(7).sample(pool, min(count, len(pool))))


def payment_burst(isp, count: int, day: dt.date) -> tuple[float, int]:
    """N/10 payments, each its own service call and transaction, as a lockbox import or
    a busy phone line would post them."""
    from lastmile.accounts.models import Account
    from lastmile.billing.selectors import balances
    from lastmile.billing.services import payment_post
    from lastmile.core import clock
    from lastmile.core.actors import superuser

    ids = _burst_ids(isp, count)
    accounts = Account.objects.in_bulk(ids)
    owed = {}
    for i in range(0, len(ids), 5000):
        owed.update(balances(account_ids=ids[i:i + 5000]))
    methods = ("phone", "check", "bill_pay", "card", "cash")
    actor = superuser("bench billing clerk")
    todo = [(accounts[pk], owed[pk], methods[pk % len(methods)]) for pk in ids if owed.get(pk, 0) > 0]
    def post_all():
        for account, amount, method in todo:
            payment_post(account=account, amount=amount, method=method, actor=actor,
                         reference=f"bench-{account.pk}")

    with clock.use_clock(clock.FixedClock(day, hour=10)):
        elapsed, _ = _timed(post_all, _name="payment_burst")
    return elapsed, len(todo)


def lockbox_payments(ids: list[int], day: dt.date) -> int:
    """The other customers' payments, written in bulk (untimed): what they paid matters
    to the 16th, how it was posted does not."""
    from django.db import transaction

    from lastmile.billing.choices import ChargeKind, EntryType
    from lastmile.billing.models import LedgerEntry
    from lastmile.billing.selectors import balances
    from lastmile.core.models import TimelineEntry

    at = dt.datetime.combine(day, dt.time(14), tzinfo=dt.UTC)
    posted = 0
    for i in range(0, len(ids), 5000):
        chunk = ids[i:i + 5000]
        owed = balances(account_ids=chunk)
        entries, rows = [], []
        for pk in chunk:
            amount = owed.get(pk)
            if not amount or amount <= 0:
                continue
            method = ("check", "bill_pay", "phone")[pk % 3]
            entries.append(LedgerEntry(
                account_id=pk, entry_type=EntryType.PAYMENT, kind=ChargeKind.PAYMENT, amount=-amount,
                posted_on=day, posted_at=at, method=method, actor="bench lockbox",
            ))
            rows.append(TimelineEntry(
                account_id=pk, date=day, at=at, type="payment.posted",
                data={"amount": f"{amount:.2f}", "method": method}, actor="bench lockbox",
            ))
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(entries, batch_size=1000)
            TimelineEntry.objects.bulk_create(rows, batch_size=2000)
        posted += len(entries)
    return posted


YEAR_SCENARIO = """\
start: 2025-09-01
end: 2026-08-31
accounts:
  - ref: ana
    name: Ana Lopez
    kind: residential
    network: utopia
    plan: classic
    address: {line1: "12 Elm St", city: Orem, state: UT, postal_code: "84057", address_id: "UT-10042"}
    phones: ["801-555-0101"]
    emails: ["ana@example.test"]
    service_start: 2025-06-05
events:
"""


def _year_events() -> str:
    lines = []
    day = dt.date(2025, 9, 3)
    for _ in range(12):
        if day.month == 3:  # one month unpaid: a case opens, service is shut off, reinstated
            lines.append('  - {on: 2026-03-20, account: ana, do: payment, amount: "100.00", method: phone}')
        else:
            lines.append(f'  - {{on: {day.isoformat()}, account: ana, do: payment, amount: "65.00", method: card}}')
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=3)
    return "\n".join(lines) + "\n"


def simulate_account_year() -> int:
    """One account, 365 day runs, through the scenario runner (`lastmile simulate`)."""
    from lastmile.simulation import scenario
    from lastmile.simulation.runner import run

    parsed = scenario.parse(YEAR_SCENARIO + _year_events())
    run(parsed)
    return sum(1 for _ in parsed.days())


def render(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    workers = result.get("workers") or 0
    on = f"{workers} Celery worker{'s' if workers > 1 else ''}" if workers else "one process"
    table = Table(title=f"lastmile bench: {result['accounts']:,} accounts on {result['database']}, {on}")
    table.add_column("figure")
    table.add_column("day")
    table.add_column("seconds", justify="right")
    table.add_column("per second", justify="right")
    table.add_column("× floor", justify="right")
    for name in NAMES:
        fig = result["figures"][name]
        if fig["seconds"] is None:
            table.add_row(name, "", "skipped", "-", "-")
            continue
        per_s = f"{fig['per_s']:,.0f} {UNITS[name]}" if fig["per_s"] is not None else "-"
        ratio = result["floor_ratio"][name]
        table.add_row(name, result["days"].get(name, ""), f"{fig['seconds']:.3f}", per_s,
                      f"{ratio:.1f}" if ratio is not None else "-")
    console = Console()
    console.print(table)
    console.print(f"peak memory {result['peak_rss_mb']:.0f} MB (ru_maxrss)")
    console.print("counts: " + json.dumps(result["counts"]))
