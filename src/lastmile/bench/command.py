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

import contextlib
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


def _options(args) -> tuple[int, tuple[int, ...], frozenset[str]]:
    raw = str(getattr(args, "workers", "0") or "0")
    try:
        workers = tuple(int(x) for x in raw.split(",") if x.strip())
    except ValueError:
        raise BenchError(f"--workers: give a count or counts like 1,2, not {raw!r}") from None
    if not workers or any(w < 0 for w in workers) or len(set(workers)) != len(workers):
        raise BenchError(f"--workers: give 0 (this process) or more, each once, not {raw!r}")
    postgres = (args.database_url or "").startswith(("postgres://", "postgresql://"))
    if any(workers) and not postgres:
        raise BenchError("--workers: worker processes must share the database; give --database-url postgresql://…")
    if len(workers) > 1 and not postgres:
        raise BenchError("--workers: several counts copy the database, which needs --database-url postgresql://…")
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
    # in this process unless --workers says otherwise: a broker in the environment
    # would send the day run to workers that cannot see this throw-away database
    os.environ.pop("LASTMILE_CELERY_BROKER", None)
    os.environ.pop("LASTMILE_CELERY_QUEUE", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lastmile.config.settings")
    if any(workers):
        import uuid

        # before Django starts: the Celery app reads its queue and result backend once
        os.environ["LASTMILE_CELERY_BROKER"] = args.broker
        os.environ["LASTMILE_CELERY_QUEUE"] = f"lastmile-bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="lastmile-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        from lastmile.simulation.fresh_db import fresh_database

        with fresh_database(url):
            result = run_bench(accounts, tmp, skip=skip, workers=workers, broker=args.broker)
            result["workers"] = workers[0]
    if args.json:
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
    else:
        render(result)
    return 0


def _say(text: str) -> None:
    """Progress on stderr (stdout keeps the one JSON object): a million accounts take long."""
    print(f"lastmile bench: {text}", file=sys.stderr, flush=True)


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
    if _name:
        _say(f"{_name} {elapsed:.3f}s")
    if profile is not None:
        profile.disable()
        out = os.environ.get("LASTMILE_BENCH_PROFILE_OUT", "bench-{figure}.prof")
        profile.dump_stats(out.format(figure=_name) if "{figure}" in out else out)
    return elapsed, value


def run_bench(n: int, tmp: str, *, skip: frozenset[str] = frozenset(), workers: tuple[int, ...] = (0,),
              broker: str = "") -> dict:
    """Every figure, with the month's day runs done once per entry of `workers` (0: in
    this process; N: on N Celery worker processes). Each entry after the first starts
    from a copy of the database as it was right after the build (PostgreSQL
    `CREATE DATABASE … TEMPLATE`), so both see the same ISP and the build is paid once."""
    from . import synth

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
    _say(f"built {n:,} accounts in {counts['build_seconds']:.0f}s")
    _analyze()

    # issue 10: the console's search while the database holds the N accounts built
    from .search import search_bench

    if "search" not in skip:
        search = search_bench()
        seconds["search"], work["search"] = search.pop("worst_seconds"), 1
        counts["search"] = search

    from django.db import connection

    first = connection.settings_dict["NAME"]
    copies = _copies(len(workers) - 1)
    by_workers = {}
    try:
        for i, count in enumerate(workers):
            if i:
                _use_database(copies[i - 1])
            month_seconds, month_work, month_counts = dict(seconds), dict(work), {}
            started = time.perf_counter()
            _say(f"the month on {count} worker(s)" if count else "the month in this process")
            with _day_runs_on(count, broker):
                _month(n, isp, skip if i == 0 else skip | {"statement_pdf"},
                       month_seconds, month_work, month_counts)
            month_counts["month_seconds"] = round(time.perf_counter() - started, 1)
            by_workers[count] = (month_seconds, month_work, month_counts)
            # a long run says how far it is (stdout keeps the one JSON object)
            print(f"lastmile bench: {n:,} accounts, {count} worker(s): "
                  + ", ".join(f"{k} {v:.3f}s" for k, v in month_seconds.items() if v is not None),
                  file=sys.stderr, flush=True)
    finally:
        if copies:  # back to the first database: the later figures and the drop at exit use it
            _use_database(first)
        _drop(copies)
    seconds, work, month_counts = by_workers[workers[0]]
    counts.update(month_counts)
    # the day-run figures' own peak, before the later issues' figures (the import holds
    # a file's rows) raise it
    counts["peak_rss_mb_before_extras"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    _extras(n, isp, skip, seconds, work, counts)
    result = _result(n, seconds, work, counts, skip)
    if len(workers) > 1:
        result["by_workers"] = {
            str(count): {k: v for k, v in _result(n, *by_workers[count], skip).items()
                         if k in ("figures", "floor_ratio", "counts")}
            for count in workers
        }
    return result


def _month(n, isp, skip, seconds, work, counts) -> None:
    """September day by day: the timed days, and the untimed ones between them."""
    from lastmile.billing.models import LedgerEntry, Statement
    from lastmile.core.dayrun import run_day

    from . import floor

    before = floor.marks()
    seconds["bill_run"], report = _timed(run_day, MONTH, _name="bill_run")
    counts["statements"] = Statement.objects.filter(issued_on=MONTH).count()
    counts["bill_run_ledger_rows"] = LedgerEntry.objects.filter(posted_on=MONTH).count()
    counts["bill_run_rows"] = floor.written(before)
    # the floor: the same rows, raw, in the same engine, right after the bill run
    seconds["floor"], work["floor"] = floor.measure(before)
    _say(f"floor {work['floor']:,} rows in {seconds['floor']:.3f}s")
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
            _say(f"payment_burst {work['payment_burst']:,} payments in {seconds['payment_burst']:.3f}s")
            counts["payment_burst_threads"] = BURST_THREADS.get(_vendor(), 1)
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
        _say(f"{day.isoformat()} done")
        day += dt.timedelta(days=1)
    counts.update(_outcome())


def _extras(n, isp, skip, seconds, work, counts) -> None:
    """The figures of later issues, after the month, on the first database only."""
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


@contextlib.contextmanager
def _day_runs_on(count: int, broker: str):
    """The day run in this process (0), or fanned out to `count` real workers."""
    from django.conf import settings

    if not count:
        with _setting(settings, "CELERY_BROKER_URL", ""):
            yield
        return
    from .workers import celery_workers

    # fresh_database and _use_database keep DATABASE_URL naming the database in use
    with _setting(settings, "CELERY_BROKER_URL", broker), \
            celery_workers(count, database_url=os.environ["DATABASE_URL"], broker=broker, queue=os.environ["LASTMILE_CELERY_QUEUE"]):
        yield


@contextlib.contextmanager
def _setting(obj, name, value):
    old = getattr(obj, name, None)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def _admin():
    import psycopg
    from django.db import connection

    d = connection.settings_dict
    return psycopg.connect(dbname="postgres", user=d["USER"] or None, host=d["HOST"] or None,
                           port=d["PORT"] or None, password=d["PASSWORD"] or None, autocommit=True)


def _copies(count: int) -> list[str]:
    """`count` copies of the bench database as it is now (PostgreSQL templates)."""
    if count <= 0:
        return []
    import uuid

    from django.db import connection, connections

    source = connection.settings_dict["NAME"]
    connections.close_all()  # a template must have no other session
    names = []
    with _admin() as admin:
        for _ in range(count):
            name = f"{source}_w{uuid.uuid4().hex[:6]}"
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            names.append(name)
    return names


def _use_database(name: str) -> None:
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = name
    os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name


def _drop(names: list[str]) -> None:
    if not names:
        return
    from django.db import connections

    connections.close_all()
    with _admin() as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _result(n: int, seconds: dict, work: dict, counts: dict, skip: frozenset[str]) -> dict:
    from django.db import connection

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


# PostgreSQL takes payments from several processes at once (web processes, the API,
# a lockbox import) and commits them together; SQLite takes one writer at a time
BURST_THREADS = {"postgresql": 4, "sqlite": 1}


def payment_burst(isp, count: int, day: dt.date) -> tuple[float, int]:
    """N/10 payments, each its own service call and transaction, as a lockbox import or
    a busy phone line would post them: on PostgreSQL from BURST_THREADS posters at
    once, each with its own connection, as that many web processes would."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

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
    threads = BURST_THREADS.get(connection.vendor, 1)

    def post(part):
        with clock.use_clock(clock.FixedClock(day, hour=10)):
            for account, amount, method in part:
                payment_post(account=account, amount=amount, method=method, actor=actor,
                             reference=f"bench-{account.pk}")

    def post_in_thread(part):
        from django.db import connection as own

        try:
            post(part)
        finally:
            own.close()

    def post_all():
        if threads == 1:
            return post(todo)
        with ThreadPoolExecutor(threads) as pool:
            for done in [pool.submit(post_in_thread, todo[i::threads]) for i in range(threads)]:
                done.result()

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
    if result.get("by_workers"):
        counts = list(result["by_workers"])
        by = Table(title="the month's day runs by worker count (0: this process)")
        by.add_column("figure")
        for count in counts:
            by.add_column(f"{count} worker{'s' if count != '1' else ''}", justify="right")
        for name in ("bill_run", "quiet_day", "delinquency_day", "shutoff_day", "payment_burst", "floor"):
            by.add_row(name, *(f"{result['by_workers'][c]['figures'][name]['seconds']:.3f}" for c in counts))
        by.add_row("whole month", *(f"{result['by_workers'][c]['counts']['month_seconds']:.0f}" for c in counts))
        console.print(by)
    console.print(f"peak memory {result['peak_rss_mb']:.0f} MB (ru_maxrss)")
    console.print("counts: " + json.dumps(result["counts"]))
