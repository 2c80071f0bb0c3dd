"""The `lastmile` command: one entry point for the ISP's staff and for CI.

    lastmile simulate FILE [--json] [--database-url URL]
    lastmile run-day [--as-of YYYY-MM-DD]
    lastmile demo [--accounts N] [--no-serve] [--port P]
    lastmile serve [--host H] [--port P]
    lastmile bench [--accounts N] [--database-url URL] [--workers N] [--skip FIGURES] [--json]
    lastmile import SOURCE FILE... [--dry-run] [--mapping MAPPING.yaml] [--as USER]
    lastmile backup FILE / lastmile restore FILE   (docs/operations.md)
    lastmile whatif --policy NAME [--network N] [--from DATE] [--months N] [--behaviour history|scenario FILE]
    lastmile manage <django management command ...>
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys


def _setup(database_url: str | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lastmile.config.settings")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=verbosity, interactive=False)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_simulate(args) -> int:
    from lastmile.simulation.fresh_db import fresh_database

    with fresh_database(args.database_url):
        from lastmile.simulation import scenario as scenario_mod
        from lastmile.simulation.render import render_table
        from lastmile.simulation.runner import run
        from lastmile.simulation.yamlload import ScenarioError

        try:
            scenario = scenario_mod.read(args.file)
            result = run(scenario)
        except ScenarioError as exc:
            print(f"lastmile: invalid scenario: {exc.format(args.file)}", file=sys.stderr)
            return 2
        if args.json:
            json.dump(result, sys.stdout, indent=None if args.compact else 1)
            sys.stdout.write("\n")
        else:
            render_table(result)
    return 0


def _migrate_alone(verbosity: int = 0) -> None:
    """Issue 15: two `run-day` at once after an upgrade (a cron overlap) would both
    apply the new migrations and one would fail on "already exists"; they take turns
    (core.locks), and the second finds nothing left to apply."""
    from lastmile.core import locks

    with locks.held("lastmile:migrate"):
        _migrate(verbosity)


def cmd_run_day(args) -> int:
    _setup()
    _migrate_alone()
    from lastmile.core import clock
    from lastmile.core.dayrun import run_day

    as_of = args.as_of or clock.today()
    report = run_day(as_of)
    print(f"day run {as_of}: " + ", ".join(f"{k} {v}" for k, v in report.counts.items()))
    return 0


def cmd_demo(args) -> int:
    _setup()
    _migrate()
    from lastmile.demo import build_demo

    info = build_demo(accounts=args.accounts)
    print(f"demo ISP ready: {info['accounts']} accounts in {info['database']}")
    print(f"  console  http://127.0.0.1:{args.port}/console/")
    print(f"  admin    http://127.0.0.1:{args.port}/admin/")
    print(f"  API      http://127.0.0.1:{args.port}/api/v1/docs  (token: {info['token']})")
    print(f"  login    {info['username']} / {info['password']}")
    print(f"  roles    {', '.join(info['users'])} (same password): each procedure by the role that does it")
    sys.stdout.flush()
    if args.no_serve:
        return 0
    return _serve("127.0.0.1", args.port)


def _serve(host: str, port: int) -> int:
    from django.core.management import call_command

    from lastmile.core.scheduler import start_background_scheduler

    start_background_scheduler()
    call_command("runserver", f"{host}:{port}", use_reloader=False, insecure_serving=True)
    return 0


def cmd_serve(args) -> int:
    _setup()
    from lastmile.core.security import production_problems

    problems = production_problems()  # issue 15: never serve production with the development key
    if problems:
        for sentence in problems:
            print(f"lastmile serve: {sentence}", file=sys.stderr)
        return 2
    _migrate()
    return _serve(args.host, args.port)


def cmd_bench(args) -> int:
    from lastmile.bench.command import main as bench_main

    return bench_main(args)


def cmd_import(args) -> int:
    _setup(args.database_url)
    _migrate()
    from lastmile.imports.cli import run_import

    return run_import(args)


def cmd_backup(args) -> int:
    _setup()
    from lastmile.core.backup import BackupError, backup, manifest_path

    try:
        done = backup(args.file)
    except BackupError as exc:
        print(f"lastmile: {exc}", file=sys.stderr)
        return 2
    print(f"backed up {done.tables} tables ({done.rows} rows) to {done.path}; "
          f"checksums in {manifest_path(done.path)}")
    return 0


def cmd_restore(args) -> int:
    _setup()
    from lastmile.core.backup import BackupError, restore

    try:
        done = restore(args.file)
    except BackupError as exc:
        print(f"lastmile: {exc}", file=sys.stderr)
        return 2
    if done.mismatched:
        print(f"restored {done.path}, but these tables do not match the backup: "
              + "; ".join(done.mismatched), file=sys.stderr)
        return 1
    print(f"restored {done.tables} tables ({done.rows} rows) from {done.path}; "
          f"checksums match the backup for every table")
    return 0


def cmd_manage(args) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lastmile manage", *args.rest])
    return 0


def cmd_whatif(args) -> int:
    _setup(args.database_url)
    from lastmile.core import clock
    from lastmile.whatif.command import Request, WhatIfError, compare, render
    from lastmile.whatif.copy import CopyError

    kind, *rest = args.behaviour
    if kind not in ("history", "scenario") or (kind == "scenario") != bool(rest) or len(rest) > 1:
        print("lastmile: --behaviour is `history` or `scenario FILE`", file=sys.stderr)
        return 2
    request = Request(policy=args.policy, start=args.start or clock.today(), months=args.months,
                      network=args.network, scenario_path=rest[0] if rest else None,
                      minutes_per_call=args.minutes_per_call)
    try:
        result = compare(request)
    except (WhatIfError, CopyError) as exc:
        print(f"lastmile: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
    else:
        print(render(result, minutes_per_call=args.minutes_per_call))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lastmile", description="Back office for small ISPs.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("simulate", help="run a scenario file day by day on a throw-away database")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--compact", action="store_true", help="JSON on one line")
    p.add_argument("--database-url", help="default: SQLite in memory")
    p.set_defaults(fn=cmd_simulate)

    p = sub.add_parser("run-day", help="run the day's automation (idempotent)")
    p.add_argument("--as-of", type=_date, help="the day to run (default: today in the ISP's time zone)")
    p.set_defaults(fn=cmd_run_day)

    p = sub.add_parser("demo", help="create a demo ISP in SQLite and serve it")
    p.add_argument("--accounts", type=int, default=300)
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="build the demo and stop")
    p.set_defaults(fn=cmd_demo)

    p = sub.add_parser("serve", help="serve the console, the API and the admin")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(fn=cmd_serve)

    p = sub.add_parser("bench", help="time the bill run and the daily automation at scale")
    p.add_argument("--accounts", type=int, default=10000)
    p.add_argument("--database-url", help="default: a fresh SQLite file")
    p.add_argument("--json", action="store_true")
    p.add_argument("--workers", default="0", metavar="N[,N…]",
                   help="run the month's day runs on N real Celery worker processes (PostgreSQL and Redis); "
                        "several counts, e.g. 1,2, run the month once per count on copies of one build")
    p.add_argument("--broker", default="redis://127.0.0.1:6379/0", help="the Redis the workers listen on")
    p.add_argument("--skip", default="", metavar="FIGURES",
                   help="comma-separated figures not to run: statement_pdf, import, coa_burst, reports, search")
    p.set_defaults(fn=cmd_bench)

    p = sub.add_parser("import", help="import another system's export (lastmile, sonar, powercode, splynx)")
    p.add_argument("source", choices=("lastmile", "sonar", "powercode", "splynx"))
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="validate every row and print what would change")
    p.add_argument("--mapping", help="a YAML file that renames or ignores columns and translates values")
    p.add_argument("--as", dest="as_user", default="import", help="who imports (recorded on the timeline)")
    p.add_argument("--database-url", help="default: the configured database")
    p.set_defaults(fn=cmd_import)

    p = sub.add_parser("whatif", help="today's policies and a proposed one, side by side, on copies of the live data")
    p.add_argument("--policy", required=True, help="the proposed policy: a name or a policy file")
    p.add_argument("--network", choices=("utopia", "wireless"), help="default: the policy's network")
    p.add_argument("--from", dest="start", type=_date, help="the first day to run (default: today)")
    p.add_argument("--months", type=int, default=2)
    p.add_argument("--behaviour", nargs="+", default=["history"], metavar="history|scenario FILE",
                   help="customers pay as in their last three months (history), or as a scenario's events")
    p.add_argument("--minutes-per-call", type=int, default=6, help="for the agent hours (default 6)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--database-url", help="default: the configured database (only read, to copy it)")
    p.set_defaults(fn=cmd_whatif)

    p = sub.add_parser("backup", help="back up the database while it works (SQLite backup API or pg_dump)")
    p.add_argument("file")
    p.set_defaults(fn=cmd_backup)

    p = sub.add_parser("restore", help="restore a backup into the configured database and check it")
    p.add_argument("file")
    p.set_defaults(fn=cmd_restore)

    p = sub.add_parser("manage", help="a Django management command")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(fn=cmd_manage)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.fn(args) or 0


if __name__ == "__main__":
    sys.exit(main())
